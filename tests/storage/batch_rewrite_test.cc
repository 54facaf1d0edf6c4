#include "storage/batch_rewrite.h"

#include <doctest/doctest.h>

namespace brook::storage {
namespace {

std::string SixRecords(Compression compression) {
  RecordBatchBuilder builder(compression);
  for (int i = 0; i < 6; ++i) {
    const std::string key = "k" + std::to_string(i);
    const HeaderView header{"h", "x"};
    builder.Append(1000 + i, key, i == 3 ? std::nullopt : std::optional<std::string_view>("v" + std::to_string(i)),
                   std::span<const HeaderView>(&header, 1));
  }
  std::string batch = builder.Finish();
  EncodeBaseOffset(100, batch.data());
  return batch;
}

TEST_CASE("kept records become one valid batch per run of consecutive offsets") {
  for (Compression compression : {Compression::kNone, Compression::kZstd}) {
    const std::string batch = SixRecords(compression);
    std::string scratch;
    std::vector<RecordView> records;
    REQUIRE(DecodeRecords(batch, &scratch, &records).ok());
    auto out = KeepRecords(batch, records, {true, true, false, true, false, true});
    REQUIRE(out.ok());
    REQUIRE(out->size() == 3);
    std::vector<int64_t> offsets;
    for (const std::string& b : *out) {
      auto summary = ValidateBatch(b);
      REQUIRE(summary.ok());
      CHECK(summary->header.compression() == compression);
      std::string s;
      std::vector<RecordView> kept;
      REQUIRE(DecodeRecords(b, &s, &kept).ok());
      for (const RecordView& r : kept) {
        const RecordView& original = records[static_cast<size_t>(r.offset - 100)];
        offsets.push_back(r.offset);
        CHECK(r.timestamp == original.timestamp);
        CHECK(r.key == original.key);
        CHECK(r.value == original.value);
        REQUIRE(r.headers.size() == 1);
        CHECK(r.headers[0].key == "h");
      }
    }
    CHECK(offsets == std::vector<int64_t>{100, 101, 103, 105});
    CHECK(ParseBatchHeader((*out)[1])->base_offset == 103);
    CHECK(KeepRecords(batch, records, std::vector<bool>(6, false))->empty());
  }
}

}  // namespace
}  // namespace brook::storage
