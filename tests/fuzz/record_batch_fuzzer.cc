// Fuzzes RecordBatch v2 handling (protocol/record_batch.h) two ways on every input:
//
// 1. Arbitrary bytes as a record set: SplitBatches, then ValidateBatch and DecodeRecords on
//    each batch, also with its CRC fixed up (and DecodeRecords on the raw input, which the
//    broker never does but a client might). Properties: split batches tile the input; a
//    batch that validates decodes, with recordCount records at offsets baseOffset+0..n-1.
// 2. The input as a recipe for a batch (FuzzedDataProvider): build it with RecordBatchBuilder,
//    optionally zstd, then check it validates and decodes to exactly the records appended.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/crc32c.h"
#include "protocol/error_codes.h"
#include "protocol/record_batch.h"

namespace brook {
namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckDecodes(std::string_view batch, const BatchSummary& summary) {
  std::string scratch;
  std::vector<RecordView> records;
  Require(DecodeRecords(batch, &scratch, &records).ok());
  Require(static_cast<int32_t>(records.size()) == summary.header.record_count);
  for (size_t i = 0; i < records.size(); ++i) {
    Require(records[i].offset ==
            static_cast<int64_t>(static_cast<uint64_t>(summary.header.base_offset) + i));
  }
}

void Validate(std::string_view batch) {
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  if (summary.ok()) {
    CheckDecodes(batch, *summary);
    return;
  }
  ErrorCode code = CodeOf(summary.status());
  Require(code == ErrorCode::kCorruptMessage || code == ErrorCode::kInvalidRecord ||
          code == ErrorCode::kUnsupportedCompressionType);
  std::string scratch;
  std::vector<RecordView> records;
  (void)DecodeRecords(batch, &scratch, &records);
}

void FuzzRecordSet(std::string_view input) {
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(input);
  if (batches.ok()) {
    size_t total = 0;
    for (std::string_view batch : *batches) {
      Require(batch.data() == input.data() + total);
      total += batch.size();
      Validate(batch);
      // Mutations almost always break the CRC, which would stop validation at the CRC check;
      // validate a copy with the CRC fixed up too, so the fuzzer explores the record parser.
      if (batch.size() >= kBatchHeaderSize) {
        std::string resealed(batch);
        const uint32_t crc = Crc32c(std::string_view(resealed).substr(kAttributesOffset));
        for (int i = 0; i < 4; ++i) {
          resealed[kCrcOffset + i] = static_cast<char>(crc >> (24 - 8 * i));
        }
        Validate(resealed);
      }
    }
    Require(total == input.size());
  } else {
    Require(CodeOf(batches.status()) == ErrorCode::kCorruptMessage);
  }
  std::string scratch;
  std::vector<RecordView> records;
  (void)DecodeRecords(input, &scratch, &records);
}

std::optional<std::string> MaybeString(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return std::nullopt;
  return in.ConsumeRandomLengthString(64);
}

struct Expected {
  int64_t timestamp;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

void FuzzBuilder(FuzzedDataProvider& in) {
  const Compression compression = in.ConsumeBool() ? Compression::kZstd : Compression::kNone;
  const int64_t base_time = in.ConsumeIntegralInRange<int64_t>(-(int64_t{1} << 50),
                                                                int64_t{1} << 50);
  std::vector<Expected> expected(in.ConsumeIntegralInRange<size_t>(1, 16));
  RecordBatchBuilder builder(compression);
  for (Expected& record : expected) {
    record.timestamp = base_time + in.ConsumeIntegral<int32_t>();
    record.key = MaybeString(in);
    record.value = MaybeString(in);
    record.headers.resize(in.ConsumeIntegralInRange<size_t>(0, 3));
    std::vector<HeaderView> headers;
    for (auto& [key, value] : record.headers) {
      key = in.ConsumeRandomLengthString(16);
      value = MaybeString(in);
    }
    for (const auto& [key, value] : record.headers) {
      headers.push_back(HeaderView{key, value ? std::optional<std::string_view>(*value)
                                              : std::nullopt});
    }
    auto view = [](const std::optional<std::string>& s) {
      return s ? std::optional<std::string_view>(*s) : std::nullopt;
    };
    builder.Append(record.timestamp, view(record.key), view(record.value), headers);
  }
  std::string batch = builder.Finish();
  const int64_t base_offset = in.ConsumeIntegralInRange<int64_t>(0, int64_t{1} << 62);
  EncodeBaseOffset(base_offset, batch.data());

  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  Require(summary.ok());
  Require(summary->header.compression() == compression);
  Require(summary->header.base_offset == base_offset);
  Require(summary->header.record_count == static_cast<int32_t>(expected.size()));
  std::string scratch;
  std::vector<RecordView> records;
  Require(DecodeRecords(batch, &scratch, &records).ok());
  Require(records.size() == expected.size());
  int64_t max_timestamp = INT64_MIN;
  bool has_null_key = false;
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordView& got = records[i];
    const Expected& want = expected[i];
    Require(got.offset == base_offset + static_cast<int64_t>(i));
    Require(got.timestamp == want.timestamp);
    Require(got.key.has_value() == want.key.has_value() && (!got.key || *got.key == *want.key));
    Require(got.value.has_value() == want.value.has_value() &&
            (!got.value || *got.value == *want.value));
    Require(got.headers.size() == want.headers.size());
    for (size_t h = 0; h < got.headers.size(); ++h) {
      Require(got.headers[h].key == want.headers[h].first);
      const auto& value = want.headers[h].second;
      Require(got.headers[h].value.has_value() == value.has_value() &&
              (!value || *got.headers[h].value == *value));
    }
    max_timestamp = std::max(max_timestamp, want.timestamp);
    has_null_key |= !want.key.has_value();
  }
  Require(summary->max_timestamp == max_timestamp);
  Require(summary->has_null_key == has_null_key);

  // Any single flipped bit in the CRC-covered part must be caught.
  if (in.remaining_bytes() > 0) {
    const size_t at = in.ConsumeIntegralInRange<size_t>(kAttributesOffset, batch.size() - 1);
    batch[at] ^= static_cast<char>(1 << in.ConsumeIntegralInRange<int>(0, 7));
    Require(!ValidateBatch(batch).ok());
  }
}

}  // namespace
}  // namespace brook

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  brook::FuzzRecordSet(std::string_view(reinterpret_cast<const char*>(data), size));
  FuzzedDataProvider provider(data, size);
  brook::FuzzBuilder(provider);
  return 0;
}
