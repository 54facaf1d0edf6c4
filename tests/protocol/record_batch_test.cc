// Tests of protocol/record_batch.h and protocol/crc32c.h: RecordBatch v2 build, split,
// validate and decode, with every codec, including batches written by real Kafka clients
// (client_batches.inc).
#include "protocol/record_batch.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/crc32c.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook {
namespace {

using namespace std::string_view_literals;

#include "tests/protocol/client_batches.inc"

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

// Checks that ValidateBatch and DecodeRecords both refuse `batch` with CORRUPT_MESSAGE.
void CheckCorrupt(std::string_view batch) {
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);
  std::string scratch;
  std::vector<RecordView> records;
  CHECK(CodeOf(DecodeRecords(batch, &scratch, &records)) == ErrorCode::kCorruptMessage);
  CHECK(CodeOf(VisitRecords(batch, &scratch, [](const RecordView&) {})) ==
        ErrorCode::kCorruptMessage);
}

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

TEST_CASE("record batch: VisitRecords sees what DecodeRecords keeps, with every codec") {
  for (Compression codec : kAllCompressions) {
    CAPTURE(static_cast<int>(codec));
    const std::string batch = ThreeRecordBatch(codec);
    std::string scratch;
    std::vector<RecordView> visited;
    REQUIRE(VisitRecords(batch, &scratch, [&](const RecordView& r) { visited.push_back(r); }).ok());
    CheckThreeRecords(visited, 0);
  }
  std::string corrupt = ThreeRecordBatch();
  corrupt.back() ^= 0x40;
  std::string scratch;
  int calls = 0;
  CHECK(CodeOf(VisitRecords(corrupt, &scratch, [&](const RecordView&) { ++calls; })) ==
        ErrorCode::kCorruptMessage);
  CHECK(calls == 0);  // The CRC is checked before any record is visited.
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
  CHECK(header->producer_id == -1);
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

TEST_CASE("record batch: every codec round trips keys, tombstones and headers") {
  for (Compression compression : kAllCompressions) {
    CAPTURE(CompressionName(compression));
    const std::string batch = ThreeRecordBatch(compression);
    absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
    REQUIRE(summary.ok());
    CHECK(summary->header.compression() == compression);
    CHECK(summary->max_timestamp == 1005);
    CHECK(summary->has_null_key);
    std::string scratch;
    CheckThreeRecords(Decode(batch, &scratch), 0);
  }
}

TEST_CASE("record batch: every codec shrinks repetitive values, over many blocks") {
  const std::string value(1000, 'z');
  RecordBatchBuilder plain;
  for (int i = 0; i < 200; ++i) plain.Append(i, std::nullopt, std::string_view(value));
  const std::string uncompressed = plain.Finish();
  for (Compression compression : kAllCompressions) {
    if (compression == Compression::kNone) continue;
    CAPTURE(CompressionName(compression));
    RecordBatchBuilder builder(compression);
    for (int i = 0; i < 200; ++i) builder.Append(i, std::nullopt, std::string_view(value));
    const std::string compressed = builder.Finish();
    CHECK(compressed.size() < uncompressed.size() / 10);
    REQUIRE(ValidateBatch(compressed).ok());
    std::string scratch;
    std::vector<RecordView> records = Decode(compressed, &scratch);
    REQUIRE(records.size() == 200);
    CHECK(records[199].offset == 199);
    CHECK(records[199].value == std::optional<std::string_view>(value));
  }
}

TEST_CASE("record batch: a builder given a value that is no codec writes the batch plain") {
  RecordBatchBuilder builder(static_cast<Compression>(6));
  builder.Append(1, std::string_view("k"), std::string_view("v"));
  const std::string batch = builder.Finish();
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  REQUIRE(summary.ok());
  CHECK(summary->header.compression() == Compression::kNone);
}

// RECORDS of tests/protocol/make_client_batches.py, which wrote client_batches.inc.
void CheckClientRecords(std::string_view batch) {
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  REQUIRE_MESSAGE(summary.ok(), summary.status().ToString());
  CHECK(summary->max_timestamp == 1700000000009);
  CHECK(summary->has_null_key);
  std::string scratch;
  const std::vector<RecordView> records = Decode(batch, &scratch);
  std::string filler;
  for (int i = 0; i < 10; ++i) filler += "brook and kafka agree on every byte ";
  REQUIRE(records.size() == 4);
  for (int64_t i = 0; i < 4; ++i) CHECK(records[i].offset == i);
  CHECK(records[0].timestamp == 1700000000000);
  CHECK(records[0].key == std::optional<std::string_view>("key-0"));
  CHECK(records[0].value == std::optional<std::string_view>("value-0 " + filler));
  REQUIRE(records[0].headers.size() == 1);
  CHECK(records[0].headers[0].key == "h1");
  CHECK(records[0].headers[0].value == std::optional<std::string_view>("v1"));
  CHECK(records[1].timestamp == 1700000000005);
  CHECK(records[1].key == std::nullopt);
  CHECK(records[1].value == std::optional<std::string_view>("value-1 " + filler));
  REQUIRE(records[1].headers.size() == 2);
  CHECK(records[1].headers[1].key == "h2");
  CHECK(records[1].headers[1].value == std::nullopt);
  CHECK(records[2].timestamp == 1700000000003);
  CHECK(records[2].key == std::optional<std::string_view>("key-2"));
  CHECK(records[2].value == std::nullopt);  // A tombstone.
  CHECK(records[2].headers.empty());
  CHECK(records[3].timestamp == 1700000000009);
  CHECK(records[3].value == std::optional<std::string_view>("value-3 " + filler));
}

TEST_CASE("record batch: batches written by kafka-python decode, with every codec") {
  for (std::string_view batch : {k_kafka_python_gzip, k_kafka_python_snappy_xerial,
                                 k_kafka_python_lz4, k_kafka_python_zstd}) {
    CAPTURE(static_cast<int>(ParseBatchHeader(batch)->compression()));
    CheckClientRecords(batch);
  }
}

TEST_CASE("record batch: batches written by librdkafka decode, with every codec") {
  // librdkafka writes raw snappy blocks (no xerial framing) and LZ4 frames without a size.
  CHECK(k_librdkafka_snappy_raw.substr(kBatchHeaderSize, 8) != "\x82SNAPPY\0"sv);
  for (std::string_view batch : {k_librdkafka_gzip, k_librdkafka_snappy_raw, k_librdkafka_lz4,
                                 k_librdkafka_zstd}) {
    CAPTURE(static_cast<int>(ParseBatchHeader(batch)->compression()));
    CheckClientRecords(batch);
  }
}

TEST_CASE("record batch: other framings clients write decode") {
  CheckClientRecords(k_gzip_two_members);
  CheckClientRecords(k_lz4_linked_checksummed);
  CheckClientRecords(k_zstd_without_content_size);

  // Nine linked LZ4 blocks of at most 64 KiB, each with its checksum, and a content checksum.
  std::string scratch;
  std::vector<RecordView> records = Decode(k_lz4_linked_big, &scratch);
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == std::optional<std::string_view>("big"));
  REQUIRE(records[0].value.has_value());
  CHECK(records[0].value->size() == 1500 * 360);
  CHECK(records[0].value->ends_with("on every byte "));

  // A flipped byte in an LZ4 block fails the block checksum even with the batch CRC resealed.
  std::string damaged(k_lz4_linked_checksummed);
  damaged[damaged.size() - 20] ^= 0x01;
  Reseal(&damaged);
  CHECK(ValidateCode(damaged) == ErrorCode::kCorruptMessage);
}

TEST_CASE("record batch: a compressed section cut short is CORRUPT_MESSAGE") {
  for (Compression compression : kAllCompressions) {
    if (compression == Compression::kNone) continue;
    CAPTURE(CompressionName(compression));
    const std::string batch = ThreeRecordBatch(compression);
    for (size_t n = kBatchHeaderSize; n < batch.size(); ++n) {
      CAPTURE(n);
      std::string cut = batch.substr(0, n);
      wire::Writer(&cut).PatchInt32(kBatchLengthOffset, static_cast<int32_t>(n - 12));
      Reseal(&cut);
      CheckCorrupt(cut);
    }
  }
}

TEST_CASE("record batch: records that decompress past the bound are CORRUPT_MESSAGE") {
  for (Compression compression : kAllCompressions) {
    if (compression == Compression::kNone) continue;  // The bound is on decompression.
    CAPTURE(CompressionName(compression));
    RecordBatchBuilder builder(compression);
    builder.Append(0, std::nullopt, std::string_view(std::string(100000, 'b')));
    const std::string batch = builder.Finish();
    CHECK(ValidateBatch(batch, 200000).ok());
    CHECK(CodeOf(ValidateBatch(batch, 50000).status()) == ErrorCode::kCorruptMessage);
    std::string scratch;
    std::vector<RecordView> records;
    CHECK(CodeOf(DecodeRecords(batch, &scratch, &records, 50000)) ==
          ErrorCode::kCorruptMessage);
    CHECK(DecodeRecords(batch, &scratch, &records, 200000).ok());
  }
}

TEST_CASE("record batch: by default records decompress to at most kMaxRecordsSectionBytes") {
  RecordBatchBuilder builder(Compression::kZstd);
  const std::string value(kMaxRecordsSectionBytes, '\0');
  builder.Append(0, std::nullopt, std::string_view(value));
  const std::string batch = builder.Finish();
  CHECK(batch.size() < (64 << 10));
  CHECK(CodeOf(ValidateBatch(batch).status()) == ErrorCode::kCorruptMessage);
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

TEST_CASE("record batch: a producer's fields, set by Finish or stamped later, keep a valid CRC") {
  RecordBatchBuilder builder(Compression::kLz4);
  builder.Append(1, std::nullopt, std::string_view("a"));
  builder.Append(2, std::nullopt, std::string_view("b"));
  const ProducerStamp stamp{ProducerId(0x0102030405), ProducerEpoch(7), INT32_MAX - 1};
  std::string batch = builder.Finish(stamp);
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  REQUIRE(summary.ok());
  CHECK(summary->header.producer_id == 0x0102030405);
  CHECK(summary->header.producer_epoch == 7);
  CHECK(summary->header.base_sequence == INT32_MAX - 1);

  StampProducer(batch, {ProducerId(9), ProducerEpoch(0), 40});
  summary = ValidateBatch(batch);
  REQUIRE(summary.ok());
  CHECK(summary->header.producer_id == 9);
  CHECK(summary->header.producer_epoch == 0);
  CHECK(summary->header.base_sequence == 40);
  std::string scratch;
  CHECK(Decode(batch, &scratch).size() == 2);
}

TEST_CASE("record batch: sequences wrap to 0 after INT32_MAX") {
  CHECK(IncrementSequence(0, 4) == 4);
  CHECK(IncrementSequence(INT32_MAX - 1, 1) == INT32_MAX);
  CHECK(IncrementSequence(INT32_MAX, 1) == 0);
  CHECK(IncrementSequence(INT32_MAX - 1, 3) == 1);
}

TEST_CASE("record batch: a corrupt CRC is CORRUPT_MESSAGE") {
  std::string batch = ThreeRecordBatch();
  batch[kCrcOffset] ^= 0x01;
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);

  std::string flipped = ThreeRecordBatch();
  flipped.back() ^= 0x40;  // A payload byte covered by the CRC.
  CHECK(ValidateCode(flipped) == ErrorCode::kCorruptMessage);
  // Decoding checks it too (stored batches are decoded without RocksDB's checksums).
  for (const std::string& corrupt : {batch, flipped}) {
    std::string scratch;
    std::vector<RecordView> records;
    CHECK(CodeOf(DecodeRecords(corrupt, &scratch, &records)) == ErrorCode::kCorruptMessage);
    CHECK(records.empty());
  }
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

TEST_CASE("record batch: codec values 5-7 are UNSUPPORTED_COMPRESSION_TYPE") {
  for (int16_t codec : {5, 6, 7}) {
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

TEST_CASE("record batch: a section that does not decompress is CORRUPT_MESSAGE") {
  std::string batch = ThreeRecordBatch(Compression::kZstd);
  batch.back() ^= 0x55;
  Reseal(&batch);
  CHECK(ValidateCode(batch) == ErrorCode::kCorruptMessage);

  for (Compression compression : kAllCompressions) {
    if (compression == Compression::kNone) continue;
    CAPTURE(CompressionName(compression));
    std::string garbage = ThreeRecordBatch();  // Plain records labelled as compressed.
    garbage[kAttributesOffset + 1] = static_cast<char>(compression);
    Reseal(&garbage);
    CHECK(ValidateCode(garbage) == ErrorCode::kCorruptMessage);
  }
}

TEST_CASE("record batch: a record timestamp beyond int64 is CORRUPT_MESSAGE") {
  RecordBatchBuilder builder;
  builder.Append(INT64_MAX, std::string_view("k"), std::string_view("v"));
  std::string batch = builder.Finish();
  REQUIRE(batch[kBatchHeaderSize + 2] == '\x00');  // timestampDelta
  batch[kBatchHeaderSize + 2] = '\x02';            // 1: baseTimestamp + 1 overflows.
  Reseal(&batch);
  CheckCorrupt(batch);
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
