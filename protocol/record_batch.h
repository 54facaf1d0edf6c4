// protocol/record_batch.h: Apache Kafka's RecordBatch v2 ("magic 2"), brook's storage and
// wire format for records.
//
// Layout (all integers big-endian; see docs/storage.md for the grammar):
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (=2) |
//   crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32 |
//   baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16 |
//   baseSequence int32 | recordCount int32 | records...
// baseOffset and partitionLeaderEpoch are outside the CRC, so the broker assigns offsets by
// rewriting baseOffset without recomputing it.
//
// RecordBatchBuilder encodes records into a batch; the free functions split a record set
// into batches, validate a batch (CRC and every record), decode its records, and set an
// idempotent producer's fields (id, epoch, base sequence) of a finished batch. The records
// section may be compressed with any of Kafka's codecs (protocol/compression.h). All are pure
// functions over caller-owned bytes; views returned point into those bytes (or into a
// caller-owned scratch string for compressed batches). Nothing here is thread-safe to share
// mutably; distinct objects may be used from distinct threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "protocol/compression.h"
#include "protocol/types.h"

namespace brook {

inline constexpr size_t kBatchHeaderSize = 61;
// Offset of the fields inside a batch.
inline constexpr size_t kBatchLengthOffset = 8;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;  // The CRC covers [kAttributesOffset, end).
inline constexpr int8_t kMagicV2 = 2;
// The most bytes a compressed batch's records section may decompress to, unless the caller
// passes another bound: 64 MiB, four times the broker's default max_frame_bytes (16 MiB), so
// a batch that compressed well still fits while a decompression bomb stops early.
inline constexpr size_t kMaxRecordsSectionBytes = 64 << 20;

struct HeaderView {
  std::string_view key;
  std::optional<std::string_view> value;
};

struct RecordView {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // nullopt = a tombstone.
  std::vector<HeaderView> headers;
};

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // Bytes after the batchLength field.
  int32_t partition_leader_epoch = 0;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  Compression compression() const { return static_cast<Compression>(attributes & 0x7); }
  bool is_transactional() const { return (attributes & 0x10) != 0; }
  bool is_control() const { return (attributes & 0x20) != 0; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  size_t total_size() const { return kBatchLengthOffset + 4 + static_cast<size_t>(batch_length); }
};

// An idempotent producer's fields of a batch: its id, its epoch and the sequence of the
// batch's first record (the others follow it, IncrementSequence). All -1: no producer.
struct ProducerStamp {
  ProducerId producer_id{-1};
  ProducerEpoch epoch{-1};
  int32_t base_sequence = -1;
  bool has_producer() const { return producer_id.value >= 0; }
  friend bool operator==(const ProducerStamp&, const ProducerStamp&) = default;
};

// The sequence `increment` records after `sequence`: a producer's sequences wrap to 0 after
// INT32_MAX. REQUIRES: both >= 0.
int32_t IncrementSequence(int32_t sequence, int32_t increment);

// Encodes records into one batch. Records keep the order of Append(); the batch's base offset
// is 0 until the broker assigns the real one. Finish() compresses the records section with
// the builder's codec; should that fail (a value that is no codec, out of memory) the batch
// is written uncompressed, which every reader accepts.
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(Compression compression = Compression::kNone);

  void Append(int64_t timestamp_ms, std::optional<std::string_view> key,
              std::optional<std::string_view> value, std::span<const HeaderView> headers = {});
  int32_t record_count() const { return count_; }
  // Encoded size so far (header plus uncompressed records).
  size_t size_bytes() const { return kBatchHeaderSize + records_.size(); }
  // Returns the finished batch, carrying `producer`, and resets the builder.
  // REQUIRES: record_count() > 0.
  std::string Finish(const ProducerStamp& producer = ProducerStamp());

 private:
  Compression compression_;
  std::string records_;
  int32_t count_ = 0;
  int64_t base_timestamp_ = 0;
  int64_t max_timestamp_ = 0;
};

// Reads the fixed header of a batch. Fails with CORRUPT_MESSAGE when fewer than
// kBatchHeaderSize bytes are given or the magic is not 2.
absl::StatusOr<BatchHeader> ParseBatchHeader(std::string_view batch);

// Splits a record set (batches back to back) into complete batches. Fails with
// CORRUPT_MESSAGE if a batch is truncated or its length field is impossible. An empty record
// set yields no batches.
absl::StatusOr<std::vector<std::string_view>> SplitBatches(std::string_view record_set);

struct BatchSummary {
  BatchHeader header;
  int64_t max_timestamp = 0;  // The largest record timestamp, computed from the records.
  bool has_null_key = false;  // Some record has no key (refused by compacted topics).
};

// Checks one batch fully: magic, length, CRC-32C, attributes brook serves, and that every
// record decodes (after decompression, to at most `max_records_bytes`), with offset deltas
// 0..count-1 and lastOffsetDelta == count-1.
// Errors: CORRUPT_MESSAGE (CRC, structure, compressed data that does not decompress or
// decompresses past the bound), UNSUPPORTED_COMPRESSION_TYPE (codec 5-7), INVALID_RECORD
// (a transactional or control batch).
absl::StatusOr<BatchSummary> ValidateBatch(std::string_view batch,
                                           size_t max_records_bytes = kMaxRecordsSectionBytes);

// Appends the records of a batch to *out, once its CRC-32C matches (stored batches are read
// without RocksDB's own checksums: storage/partition_log.h). For a compressed batch the
// records are decompressed (to at most `max_records_bytes`) into *scratch, which must outlive
// the views. Errors: CORRUPT_MESSAGE (including a CRC mismatch), UNSUPPORTED_COMPRESSION_TYPE,
// as for ValidateBatch.
absl::Status DecodeRecords(std::string_view batch, std::string* scratch,
                           std::vector<RecordView>* out,
                           size_t max_records_bytes = kMaxRecordsSectionBytes);
// As DecodeRecords, but calls fn with each record in turn instead of keeping them: one view
// is reused, so no record costs an allocation (its views, but not the RecordView itself, may
// be kept while the batch and *scratch live). Errors: as DecodeRecords'; fn may have been
// called for the records before a malformed one.
absl::Status VisitRecords(std::string_view batch, std::string* scratch,
                          absl::FunctionRef<void(const RecordView&)> fn,
                          size_t max_records_bytes = kMaxRecordsSectionBytes);

// Sets a finished batch's producer id, epoch and base sequence, and its CRC.
// REQUIRES: `batch` is a whole batch (at least kBatchHeaderSize bytes).
void StampProducer(std::string& batch, const ProducerStamp& producer);

// Writes `base_offset` into the first 8 bytes of `batch_prefix`.
void EncodeBaseOffset(int64_t base_offset, char batch_prefix[8]);

}  // namespace brook
