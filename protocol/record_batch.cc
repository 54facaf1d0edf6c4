#include "protocol/record_batch.h"

#include <algorithm>
#include <limits>

#include "fmt/format.h"
#include "protocol/crc32c.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook {
namespace {

size_t VarLongSize(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  size_t n = 1;
  while (z >= 0x80) {
    z >>= 7;
    ++n;
  }
  return n;
}

size_t FieldSize(std::optional<std::string_view> field) {
  return field ? VarLongSize(static_cast<int64_t>(field->size())) + field->size()
               : VarLongSize(-1);
}

void PutField(wire::Writer& w, std::optional<std::string_view> field) {
  if (!field) {
    w.VarInt(-1);
    return;
  }
  w.VarInt(static_cast<int32_t>(field->size()));
  w.Raw(*field);
}

constexpr size_t kProducerIdOffset = 43;  // Then producerEpoch (51) and baseSequence (53).

absl::Status Corrupt(std::string_view what) {
  return MakeError(ErrorCode::kCorruptMessage, fmt::format("corrupt record batch: {}", what));
}

// REQUIRES: `batch` is the whole batch `header` was parsed from.
bool CrcMatches(std::string_view batch, const BatchHeader& header) {
  return Crc32c(batch.substr(kAttributesOffset)) == header.crc;
}

// Calls fn(RecordView&) for each record of a records section, with one RecordView that fn
// may move from; fails on any malformation.
template <typename Fn>
absl::Status ForEachRecord(std::string_view records, const BatchHeader& header, Fn&& fn) {
  wire::Reader r(records);
  RecordView record;
  for (int32_t i = 0; i < header.record_count; ++i) {
    int32_t length = r.VarInt();
    if (!r.ok() || length < 0 || static_cast<size_t>(length) > r.remaining()) {
      return Corrupt(fmt::format("record {} has an invalid length", i));
    }
    wire::Reader body(r.Raw(static_cast<size_t>(length)));
    record.headers.clear();
    body.Int8();  // Record attributes: unused in v2.
    const int64_t timestamp_delta = body.VarLong();
    if (__builtin_add_overflow(header.base_timestamp, timestamp_delta, &record.timestamp)) {
      return Corrupt(fmt::format("record {} has a timestamp beyond int64", i));
    }
    int32_t offset_delta = body.VarInt();
    // Wraps rather than overflows: a producer's baseOffset is arbitrary until the broker
    // rewrites it.
    record.offset = static_cast<int64_t>(static_cast<uint64_t>(header.base_offset) +
                                         static_cast<uint64_t>(int64_t{offset_delta}));
    record.key = body.VarBytes();
    record.value = body.VarBytes();
    int32_t header_count = body.VarInt();
    if (!body.ok() || header_count < 0 || static_cast<size_t>(header_count) > body.remaining()) {
      return Corrupt(fmt::format("record {} is malformed", i));
    }
    record.headers.reserve(static_cast<size_t>(header_count));
    for (int32_t h = 0; h < header_count; ++h) {
      std::optional<std::string_view> key = body.VarBytes();
      std::optional<std::string_view> value = body.VarBytes();
      if (!key) return Corrupt(fmt::format("record {} has a header with a null key", i));
      record.headers.push_back(HeaderView{*key, value});
    }
    if (!body.ok() || body.remaining() != 0) {
      return Corrupt(fmt::format("record {} is malformed", i));
    }
    if (offset_delta != i) {
      return Corrupt(fmt::format("record {} has offset delta {}", i, offset_delta));
    }
    fn(record);
  }
  if (r.remaining() != 0) return Corrupt("trailing bytes after the last record");
  return absl::OkStatus();
}

// Returns the (decompressed) records section of a batch.
absl::StatusOr<std::string_view> RecordsSection(std::string_view batch, const BatchHeader& header,
                                                size_t max_records_bytes, std::string* scratch) {
  std::string_view section = batch.substr(kBatchHeaderSize);
  if (header.compression() == Compression::kNone) return section;
  if (absl::Status s = Decompress(header.compression(), section, max_records_bytes, scratch);
      !s.ok()) {
    return s;
  }
  return std::string_view(*scratch);
}

}  // namespace

RecordBatchBuilder::RecordBatchBuilder(Compression compression) : compression_(compression) {}

void RecordBatchBuilder::Append(int64_t timestamp_ms, std::optional<std::string_view> key,
                                std::optional<std::string_view> value,
                                std::span<const HeaderView> headers) {
  if (count_ == 0) {
    base_timestamp_ = timestamp_ms;
    max_timestamp_ = timestamp_ms;
  }
  max_timestamp_ = std::max(max_timestamp_, timestamp_ms);
  const int64_t ts_delta = timestamp_ms - base_timestamp_;
  size_t body = 1 + VarLongSize(ts_delta) + VarLongSize(count_) + FieldSize(key) +
                FieldSize(value) + VarLongSize(static_cast<int64_t>(headers.size()));
  for (const HeaderView& h : headers) body += FieldSize(h.key) + FieldSize(h.value);

  wire::Writer w(&records_);
  w.VarInt(static_cast<int32_t>(body));
  w.Int8(0);
  w.VarLong(ts_delta);
  w.VarInt(count_);
  PutField(w, key);
  PutField(w, value);
  w.VarInt(static_cast<int32_t>(headers.size()));
  for (const HeaderView& h : headers) {
    PutField(w, h.key);
    PutField(w, h.value);
  }
  ++count_;
}

int32_t IncrementSequence(int32_t sequence, int32_t increment) {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

std::string RecordBatchBuilder::Finish(const ProducerStamp& producer) {
  Compression compression = compression_;
  absl::StatusOr<std::string> compressed;
  std::string_view section = records_;
  if (compression != Compression::kNone) {
    compressed = Compress(compression, records_);
    if (compressed.ok()) {
      section = *compressed;
    } else {
      compression = Compression::kNone;  // See the class comment.
    }
  }
  std::string batch;
  batch.reserve(kBatchHeaderSize + section.size());
  wire::Writer w(&batch);
  w.Int64(0);  // baseOffset: assigned by the broker.
  w.Int32(static_cast<int32_t>(kBatchHeaderSize - kBatchLengthOffset - 4 + section.size()));
  w.Int32(-1);  // partitionLeaderEpoch
  w.Int8(kMagicV2);
  w.UInt32(0);  // crc placeholder
  w.Int16(static_cast<int16_t>(compression));
  w.Int32(count_ - 1);
  w.Int64(base_timestamp_);
  w.Int64(max_timestamp_);
  w.Int64(producer.producer_id.value);
  w.Int16(producer.epoch.value);
  w.Int32(producer.base_sequence);
  w.Int32(count_);
  w.Raw(section);
  uint32_t crc = Crc32c(std::string_view(batch).substr(kAttributesOffset));
  w.PatchInt32(kCrcOffset, static_cast<int32_t>(crc));

  records_.clear();
  count_ = 0;
  return batch;
}

absl::StatusOr<BatchHeader> ParseBatchHeader(std::string_view batch) {
  if (batch.size() < kBatchHeaderSize) return Corrupt("shorter than the 61-byte header");
  wire::Reader r(batch);
  BatchHeader h;
  h.base_offset = r.Int64();
  h.batch_length = r.Int32();
  h.partition_leader_epoch = r.Int32();
  h.magic = r.Int8();
  h.crc = r.UInt32();
  h.attributes = r.Int16();
  h.last_offset_delta = r.Int32();
  h.base_timestamp = r.Int64();
  h.max_timestamp = r.Int64();
  h.producer_id = r.Int64();
  h.producer_epoch = r.Int16();
  h.base_sequence = r.Int32();
  h.record_count = r.Int32();
  if (h.magic != kMagicV2) {
    return Corrupt(fmt::format("magic is {}, only RecordBatch v2 (magic 2) is served", h.magic));
  }
  if (h.batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLengthOffset - 4)) {
    return Corrupt("batchLength is smaller than the header");
  }
  return h;
}

absl::StatusOr<std::vector<std::string_view>> SplitBatches(std::string_view record_set) {
  std::vector<std::string_view> batches;
  while (!record_set.empty()) {
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(record_set);
    if (!header.ok()) return header.status();
    if (header->total_size() > record_set.size()) return Corrupt("truncated batch");
    batches.push_back(record_set.substr(0, header->total_size()));
    record_set.remove_prefix(header->total_size());
  }
  return batches;
}

absl::StatusOr<BatchSummary> ValidateBatch(std::string_view batch, size_t max_records_bytes) {
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
  if (!header.ok()) return header.status();
  if (header->total_size() != batch.size()) return Corrupt("batchLength does not match its size");
  if (!CrcMatches(batch, *header)) return Corrupt("CRC-32C mismatch");
  if (header->is_transactional() || header->is_control()) {
    return MakeError(ErrorCode::kInvalidRecord, "transactional and control batches are not served");
  }
  if (header->record_count <= 0 || header->last_offset_delta != header->record_count - 1) {
    return Corrupt("recordCount and lastOffsetDelta disagree");
  }
  std::string scratch;
  absl::StatusOr<std::string_view> records =
      RecordsSection(batch, *header, max_records_bytes, &scratch);
  if (!records.ok()) return records.status();
  BatchSummary summary{*header, std::numeric_limits<int64_t>::min(), false};
  absl::Status status = ForEachRecord(*records, *header, [&](const RecordView& record) {
    summary.max_timestamp = std::max(summary.max_timestamp, record.timestamp);
    summary.has_null_key |= !record.key.has_value();
  });
  if (!status.ok()) return status;
  return summary;
}

namespace {

// A batch's header and records section once its size and CRC-32C are checked.
struct CheckedBatch {
  BatchHeader header;
  std::string_view records;
};
absl::StatusOr<CheckedBatch> CheckBatch(std::string_view batch, std::string* scratch,
                                        size_t max_records_bytes) {
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
  if (!header.ok()) return header.status();
  if (header->total_size() > batch.size()) return Corrupt("truncated batch");
  batch = batch.substr(0, header->total_size());
  if (!CrcMatches(batch, *header)) {
    return Corrupt(fmt::format("the batch at offset {} fails its CRC-32C check",
                               header->base_offset));
  }
  absl::StatusOr<std::string_view> records =
      RecordsSection(batch, *header, max_records_bytes, scratch);
  if (!records.ok()) return records.status();
  return CheckedBatch{*header, *records};
}

}  // namespace

absl::Status DecodeRecords(std::string_view batch, std::string* scratch,
                           std::vector<RecordView>* out, size_t max_records_bytes) {
  absl::StatusOr<CheckedBatch> checked = CheckBatch(batch, scratch, max_records_bytes);
  if (!checked.ok()) return checked.status();
  out->reserve(out->size() +
               std::min(static_cast<size_t>(std::max(checked->header.record_count, 0)),
                        checked->records.size()));
  return ForEachRecord(checked->records, checked->header,
                       [&](RecordView& record) { out->push_back(std::move(record)); });
}

absl::Status VisitRecords(std::string_view batch, std::string* scratch,
                          absl::FunctionRef<void(const RecordView&)> fn,
                          size_t max_records_bytes) {
  absl::StatusOr<CheckedBatch> checked = CheckBatch(batch, scratch, max_records_bytes);
  if (!checked.ok()) return checked.status();
  return ForEachRecord(checked->records, checked->header,
                       [&](const RecordView& record) { fn(record); });
}

void StampProducer(std::string& batch, const ProducerStamp& producer) {
  std::string fields;
  wire::Writer w(&fields);
  w.Int64(producer.producer_id.value);
  w.Int16(producer.epoch.value);
  w.Int32(producer.base_sequence);
  batch.replace(kProducerIdOffset, fields.size(), fields);
  const uint32_t crc = Crc32c(std::string_view(batch).substr(kAttributesOffset));
  wire::Writer(&batch).PatchInt32(kCrcOffset, static_cast<int32_t>(crc));
}

void EncodeBaseOffset(int64_t base_offset, char batch_prefix[8]) {
  uint64_t v = static_cast<uint64_t>(base_offset);
  for (int i = 7; i >= 0; --i) {
    batch_prefix[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}

}  // namespace brook
