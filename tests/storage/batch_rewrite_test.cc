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

TEST_CASE("an idempotent producer's batch keeps its producer, and each run its sequences") {
  std::string batch = SixRecords(Compression::kNone);
  StampProducer(batch, {ProducerId(42), ProducerEpoch(3), INT32_MAX - 2});  // Wraps at 103.
  REQUIRE(ValidateBatch(batch).ok());  // The CRC was recomputed.
  std::string scratch;
  std::vector<RecordView> records;
  REQUIRE(DecodeRecords(batch, &scratch, &records).ok());
  auto out = KeepRecords(batch, records, {false, true, false, true, true, false});
  REQUIRE(out.ok());
  REQUIRE(out->size() == 2);
  std::vector<int32_t> sequences;
  for (const std::string& b : *out) {
    auto summary = ValidateBatch(b);
    REQUIRE(summary.ok());
    CHECK(summary->header.producer_id == 42);
    CHECK(summary->header.producer_epoch == 3);
    sequences.push_back(summary->header.base_sequence);
  }
  CHECK(sequences == std::vector<int32_t>{INT32_MAX - 1, 0});  // Offsets 101 and 103.
  // A batch without a producer stays without one.
  const std::string plain = SixRecords(Compression::kNone);
  auto rewritten = KeepRecords(plain, records, {true, false, true, true, true, true});
  REQUIRE(rewritten.ok());
  CHECK(ParseBatchHeader(rewritten->back())->producer_id == -1);
  CHECK(ParseBatchHeader(rewritten->back())->base_sequence == -1);
}

}  // namespace
}  // namespace brook::storage
