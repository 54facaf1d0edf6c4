// Tests of protocol/record_batch.h and protocol/crc32c.h: RecordBatch v2 build, split,
// validate and decode.
#include "protocol/record_batch.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/crc32c.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook {
namespace {

// A batch of three records: keyed, keyless with headers, and a tombstone.
std::string ThreeRecordBatch(Compression compression = Compression::kNone) {
  RecordBatchBuilder builder(compression);
  builder.Append(1000, std::string_view("k1"), std::string_view("v1"));
  const HeaderView headers[] = {{"h1", std::string_view("x")}, {"h2", std::nullopt}};
  builder.Append(1005, std::nullopt, std::string_view(""), headers);
  builder.Append(990, std::string_view("k3"), std::nullopt);
  return builder.Finish();
}

std::vector<RecordView> Decode(std::string_view batch, std::string* scratch) {
  std::vector<RecordView> records;
  absl::Status status = DecodeRecords(batch, scratch, &records);
  REQUIRE(status.ok());
  return records;
}

// Recomputes the CRC after a test edits the bytes it covers.
void Reseal(std::string* batch) {
  wire::Writer(batch).PatchInt32(
      kCrcOffset, static_cast<int32_t>(Crc32c(std::string_view(*batch).substr(kAttributesOffset))));
}

ErrorCode ValidateCode(std::string_view batch) { return CodeOf(ValidateBatch(batch).status()); }

void CheckThreeRecords(const std::vector<RecordView>& records, int64_t base) {
  REQUIRE(records.size() == 3);
  CHECK(records[0].offset == base);
  CHECK(records[0].timestamp == 1000);
  CHECK(records[0].key == std::optional<std::string_view>("k1"));
  CHECK(records[0].value == std::optional<std::string_view>("v1"));
  CHECK(records[0].headers.empty());

  CHECK(records[1].offset == base + 1);
  CHECK(records[1].timestamp == 1005);
  CHECK(records[1].key == std::nullopt);
  CHECK(records[1].value == std::optional<std::string_view>(""));
  REQUIRE(records[1].headers.size() == 2);
  CHECK(records[1].headers[0].key == "h1");
  CHECK(records[1].headers[0].value == std::optional<std::string_view>("x"));
  CHECK(records[1].headers[1].key == "h2");
  CHECK(records[1].headers[1].value == std::nullopt);

  CHECK(records[2].offset == base + 2);
  CHECK(records[2].timestamp == 990);
  CHECK(records[2].key == std::optional<std::string_view>("k3"));
  CHECK(records[2].value == std::nullopt);
}

TEST_CASE("crc32c: known vectors") {
  CHECK(Crc32c("123456789") == 0xE3069283u);
  CHECK(Crc32c("") == 0u);
  CHECK(Crc32c(std::string(32, '\0')) == 0x8A9136AAu);  // RFC 3720 B.4.
  CHECK(Crc32c(std::string(32, '\xff')) == 0x62A8AB43u);
}

TEST_CASE("crc32c: extends across pieces, at every length and alignment") {
  std::string data;
  for (int i = 0; i < 100; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  const uint32_t whole = Crc32c(data);
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    std::string_view v(data);
    CHECK(Crc32c(v.substr(cut), Crc32c(v.substr(0, cut))) == whole);
  }
}

TEST_CASE("record batch: builder round trip with keys, null values and headers") {
  const std::string batch = ThreeRecordBatch();
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  REQUIRE(summary.ok());
  CHECK(summary->header.record_count == 3);
  CHECK(summary->header.last_offset_delta == 2);
  CHECK(summary->header.base_timestamp == 1000);
  CHECK(summary->header.max_timestamp == 1005);
  CHECK(summary->header.compression() == Compression::kNone);
  CHECK(summary->header.producer_id == -1);
  CHECK(summary->max_timestamp == 1005);
  CHECK(summary->has_null_key);
  CHECK(summary->header.total_size() == batch.size());

  std::string scratch;
  CheckThreeRecords(Decode(batch, &scratch), 0);
}

TEST_CASE("record batch: builder header fields") {
  RecordBatchBuilder builder;
  CHECK(builder.record_count() == 0);
  builder.Append(5, std::string_view("k"), std::string_view("v"));
  CHECK(builder.record_count() == 1);
  const size_t expected_size = builder.size_bytes();
  const std::string batch = builder.Finish();
  CHECK(batch.size() == expected_size);
  CHECK(builder.record_count() == 0);  // Finish resets.
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
  REQUIRE(header.ok());
  CHECK(header->base_offset == 0);
  CHECK(header->magic == kMagicV2);
  CHECK(header->batch_length == static_cast<int32_t>(batch.size() - 12));
  CHECK(header->partition_leader_epoch == -1);
  CHECK(header->producer_epoch == -1);
  CHECK(header->base_sequence == -1);
  CHECK_FALSE(header->is_transactional());
  CHECK_FALSE(header->is_control());
  CHECK(ValidateBatch(batch).ok());
  CHECK_FALSE(ValidateBatch(batch)->has_null_key);
}

TEST_CASE("record batch: the builder is reusable after Finish") {
  RecordBatchBuilder builder;
  builder.Append(1, std::string_view("a"), std::string_view("1"));
  const std::string first = builder.Finish();
  builder.Append(2, std::string_view("b"), std::string_view("2"));
  const std::string second = builder.Finish();
  std::string scratch;
  std::vector<RecordView> records = Decode(second, &scratch);
  REQUIRE(records.size() == 1);
  CHECK(records[0].offset == 0);
  CHECK(records[0].timestamp == 2);
  CHECK(records[0].key == std::optional<std::string_view>("b"));
}

TEST_CASE("record batch: zstd round trip") {
  const std::string batch = ThreeRecordBatch(Compression::kZstd);
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  REQUIRE(summary.ok());
  CHECK(summary->header.compression() == Compression::kZstd);
  std::string scratch;
  CheckThreeRecords(Decode(batch, &scratch), 0);
}

TEST_CASE("record batch: zstd shrinks repetitive values") {
  RecordBatchBuilder plain;
  RecordBatchBuilder zstd(Compression::kZstd);
  const std::string value(1000, 'z');
  for (int i = 0; i < 20; ++i) {
    plain.Append(i, std::nullopt, std::string_view(value));
    zstd.Append(i, std::nullopt, std::string_view(value));
  }
  const std::string compressed = zstd.Finish();
  CHECK(compressed.size() < plain.Finish().size() / 10);
  std::string scratch;
  std::vector<RecordView> records = Decode(compressed, &scratch);
  REQUIRE(records.size() == 20);
  CHECK(records[19].value == std::optional<std::string_view>(value));
}

TEST_CASE("record batch: EncodeBaseOffset rewrites offsets without breaking the CRC") {
  std::string batch = ThreeRecordBatch();
  EncodeBaseOffset(0x0102030405060708, batch.data());
  CHECK(batch.substr(0, 8) == "\x01\x02\x03\x04\x05\x06\x07\x08");
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  REQUIRE(summary.ok());
  CHECK(summary->header.base_offset == 0x0102030405060708);
  CHECK(summary->header.last_offset() == 0x0102030405060708 + 2);

  EncodeBaseOffset(42, batch.data());
  std::string scratch;
  CheckThreeRecords(Decode(batch, &scratch), 42);
}

TEST_CASE("record batch: a corrupt CRC is CORRUPT_MESSAGE") {
  std::string batch = ThreeRecordBatch();
  batch[kCrcOffset] ^= 0x01;
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);

  std::string flipped = ThreeRecordBatch();
  flipped.back() ^= 0x40;  // A payload byte covered by the CRC.
  CHECK(ValidateCode(flipped) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: the partition leader epoch is outside the CRC") {
  std::string batch = ThreeRecordBatch();
  wire::Writer(&batch).PatchInt32(12, 7);
  CHECK(ValidateBatch(batch).ok());
}

TEST_CASE("record batch: truncated batches are rejected") {
  const std::string batch = ThreeRecordBatch();
  for (size_t n = 0; n < batch.size(); ++n) {
    std::string_view cut = std::string_view(batch).substr(0, n);
    CHECK(ValidateCode(cut) == ErrorCode::kCorruptMessage);
    if (n > 0) CHECK(CodeOf(SplitBatches(cut).status()) == ErrorCode::kCorruptMessage);
    std::string scratch;
    std::vector<RecordView> records;
    CHECK_FALSE(DecodeRecords(cut, &scratch, &records).ok());
  }
}

TEST_CASE("record batch: a batch with trailing bytes is rejected") {
  std::string batch = ThreeRecordBatch();
  batch.push_back('\0');
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: SplitBatches splits back-to-back batches") {
  const std::string a = ThreeRecordBatch();
  const std::string b = ThreeRecordBatch(Compression::kZstd);
  const std::string record_set = a + b + a;
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(record_set);
  REQUIRE(batches.ok());
  REQUIRE(batches->size() == 3);
  CHECK((*batches)[0] == a);
  CHECK((*batches)[1] == b);
  CHECK((*batches)[2] == a);

  absl::StatusOr<std::vector<std::string_view>> none = SplitBatches("");
  REQUIRE(none.ok());
  CHECK(none->empty());

  const std::string truncated = a + b.substr(0, b.size() - 1);
  CHECK(CodeOf(SplitBatches(truncated).status()) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: ParseBatchHeader checks the magic and the length") {
  std::string batch = ThreeRecordBatch();
  CHECK(ParseBatchHeader(batch).ok());
  batch[16] = 1;  // magic
  absl::StatusOr<BatchHeader> v1 = ParseBatchHeader(batch);
  REQUIRE_FALSE(v1.ok());
  CHECK(CodeOf(v1.status()) == ErrorCode::kCorruptMessage);
  CHECK(CodeOf(SplitBatches(batch).status()) == ErrorCode::kCorruptMessage);

  std::string small = ThreeRecordBatch();
  wire::Writer(&small).PatchInt32(kBatchLengthOffset, 48);  // Below the 49-byte header rest.
  CHECK_FALSE(ParseBatchHeader(small).ok());
  wire::Writer(&small).PatchInt32(kBatchLengthOffset, -1);
  CHECK_FALSE(ParseBatchHeader(small).ok());
  CHECK_FALSE(ParseBatchHeader(std::string(kBatchHeaderSize - 1, '\0')).ok());
}

TEST_CASE("record batch: a lying record count is rejected") {
  for (int32_t count : {0, -1, 2, 4, 1 << 30}) {
    std::string batch = ThreeRecordBatch();
    wire::Writer(&batch).PatchInt32(57, count);  // recordCount
    Reseal(&batch);
    CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
  }
  // Count and lastOffsetDelta agreeing with each other but not with the records.
  std::string batch = ThreeRecordBatch();
  wire::Writer w(&batch);
  w.PatchInt32(57, 4);
  w.PatchInt32(23, 3);
  Reseal(&batch);
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
  std::string scratch;
  std::vector<RecordView> records;
  CHECK_FALSE(DecodeRecords(batch, &scratch, &records).ok());
}

TEST_CASE("record batch: a lying record length is rejected") {
  // The first record's length varint sits right after the header.
  // 0, -1, 12 (ends inside the next record), 63 (past the end), -64.
  for (char length : {'\x00', '\x01', '\x18', '\x7e', '\x7f'}) {
    std::string batch = ThreeRecordBatch();
    batch[kBatchHeaderSize] = length;
    Reseal(&batch);
    CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
  }
}

TEST_CASE("record batch: a lying key length inside a record is rejected") {
  RecordBatchBuilder builder;
  builder.Append(0, std::string_view("key"), std::string_view("value"));
  std::string batch = builder.Finish();
  // Record: length, attributes, timestampDelta, offsetDelta, keyLength...
  const size_t key_length = kBatchHeaderSize + 4;
  REQUIRE(batch[key_length] == '\x06');  // 3, zig-zag.
  batch[key_length] = '\x40';            // 32: past the record's end.
  Reseal(&batch);
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: offset deltas must count 0..n-1") {
  RecordBatchBuilder builder;
  builder.Append(0, std::string_view("k"), std::string_view("v"));
  std::string batch = builder.Finish();
  const size_t offset_delta = kBatchHeaderSize + 3;
  REQUIRE(batch[offset_delta] == '\x00');
  batch[offset_delta] = '\x02';  // 1
  Reseal(&batch);
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: a header with a null key is rejected") {
  const HeaderView headers[] = {{"h", std::string_view("v")}};
  RecordBatchBuilder builder;
  builder.Append(0, std::nullopt, std::nullopt, headers);
  std::string batch = builder.Finish();
  // length, attributes, tsDelta, offsetDelta, key(-1), value(-1), headerCount, headerKeyLength.
  const size_t header_key_length = kBatchHeaderSize + 7;
  REQUIRE(batch[header_key_length] == '\x02');
  batch[header_key_length] = '\x01';  // -1: null
  batch.erase(header_key_length + 1, 1);  // Drop the key byte and keep the record length right.
  batch[kBatchHeaderSize] = static_cast<char>(batch[kBatchHeaderSize] - 2);
  wire::Writer(&batch).PatchInt32(kBatchLengthOffset, static_cast<int32_t>(batch.size() - 12));
  Reseal(&batch);
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: unsupported codecs are UNSUPPORTED_COMPRESSION_TYPE") {
  for (int16_t codec : {1, 2, 3, 5, 7}) {
    std::string batch = ThreeRecordBatch();
    batch[kAttributesOffset + 1] = static_cast<char>(codec);
    Reseal(&batch);
    CHECK(ValidateCode(batch) == ErrorCode::kUnsupportedCompressionType);
  }
}

TEST_CASE("record batch: transactional and control batches are INVALID_RECORD") {
  for (char bits : {'\x10', '\x20'}) {
    std::string batch = ThreeRecordBatch();
    batch[kAttributesOffset + 1] = bits;
    Reseal(&batch);
    CHECK(ValidateCode(batch) == ErrorCode::kInvalidRecord);
  }
}

TEST_CASE("record batch: a zstd section that does not decompress is CORRUPT_MESSAGE") {
  std::string batch = ThreeRecordBatch(Compression::kZstd);
  batch.back() ^= 0x55;
  Reseal(&batch);
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);

  std::string garbage = ThreeRecordBatch();  // Plain records labelled as zstd.
  garbage[kAttributesOffset + 1] = static_cast<char>(Compression::kZstd);
  Reseal(&garbage);
  CHECK(ValidateCode(garbage) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: a record timestamp beyond int64 is CORRUPT_MESSAGE") {
  RecordBatchBuilder builder;
  builder.Append(INT64_MAX, std::string_view("k"), std::string_view("v"));
  std::string batch = builder.Finish();
  REQUIRE(batch[kBatchHeaderSize + 2] == '\x00');  // timestampDelta
  batch[kBatchHeaderSize + 2] = '\x02';            // 1: baseTimestamp + 1 overflows.
  Reseal(&batch);
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
  std::string scratch;
  std::vector<RecordView> records;
  CHECK(CodeOf(DecodeRecords(batch, &scratch, &records)) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: a producer's base offset near INT64_MAX does not overflow") {
  // The broker rewrites baseOffset, so whatever a producer put there must not matter.
  RecordBatchBuilder builder;
  builder.Append(0, std::string_view("a"), std::string_view("1"));
  builder.Append(0, std::string_view("b"), std::string_view("2"));
  std::string batch = builder.Finish();
  EncodeBaseOffset(INT64_MAX, batch.data());
  CHECK(ValidateBatch(batch).ok());
  std::string scratch;
  std::vector<RecordView> records;
  CHECK(DecodeRecords(batch, &scratch, &records).ok());
  CHECK(records.size() == 2);
}

}  // namespace
}  // namespace brook
