#include "protocol/kafka/message_set.h"

#include <zlib.h>

#include <deque>
#include <vector>

#include "protocol/compression.h"
#include "protocol/error_codes.h"
#include "protocol/record_batch.h"
#include "protocol/wire.h"

namespace brook::kafka {
namespace {

constexpr int kCodecMask = 0x07;
// A compressed wrapper's inner MessageSet may not decompress beyond this (a bomb).
constexpr size_t kMaxInnerBytes = 64 << 20;

absl::Status Corrupt(std::string_view what) {
  return MakeError(ErrorCode::kCorruptMessage, std::string("MessageSet: ") + std::string(what));
}

uint32_t Crc32(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

struct LegacyRecord {
  int64_t timestamp = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
};

// Reads the messages of `set` into *records (the records of compressed wrappers
// decompressed; a wrapper nested in a wrapper is malformed), and the codec of the (last)
// compressed wrapper into *codec. `scratch` keeps decompressed bytes the records point into.
absl::Status ReadMessages(std::string_view set, int64_t now_ms, bool inner, Compression* codec,
                          std::deque<std::string>* scratch, std::vector<LegacyRecord>* records) {
  wire::Reader r(set);
  while (r.remaining() > 0) {
    r.Int64();  // The offset: the broker assigns its own.
    const int32_t size = r.Int32();
    if (!r.ok() || size < 0 || static_cast<size_t>(size) > r.remaining()) {
      return Corrupt("truncated message");
    }
    wire::Reader m(r.Raw(static_cast<size_t>(size)));
    const uint32_t crc = m.UInt32();
    if (!m.ok() || Crc32(m.rest()) != crc) return Corrupt("CRC mismatch");
    const int8_t magic = m.Int8();
    const int8_t attributes = m.Int8();
    if (magic != 0 && magic != 1) return Corrupt("magic is not 0 or 1");
    LegacyRecord record;
    record.timestamp = magic == 1 ? m.Int64() : now_ms;
    record.key = m.NullableBytes();
    record.value = m.NullableBytes();
    if (!m.ok() || m.remaining() != 0) return Corrupt("malformed message");
    if (record.timestamp < 0) record.timestamp = now_ms;
    const auto message_codec = static_cast<Compression>(attributes & kCodecMask);
    if (message_codec == Compression::kNone) {
      records->push_back(record);
      continue;
    }
    if (inner) return Corrupt("a compressed message inside a compressed message");
    if (!IsKnownCompression(message_codec)) {
      return MakeError(ErrorCode::kUnsupportedCompressionType, "unknown MessageSet codec");
    }
    std::string& inflated = scratch->emplace_back();
    absl::Status s = Decompress(message_codec, record.value.value_or(std::string_view()),
                                kMaxInnerBytes, &inflated);
    if (!s.ok()) return s;
    *codec = message_codec;
    s = ReadMessages(inflated, record.timestamp, /*inner=*/true, codec, scratch, records);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

void PutMessage(const RecordView& record, int8_t magic, std::string* out) {
  wire::Writer w(out);
  w.Int64(record.offset);
  const size_t size_at = out->size();
  w.Int32(0);  // message_size, patched below.
  const size_t crc_at = out->size();
  w.Int32(0);  // crc, patched below.
  w.Int8(magic);
  w.Int8(0);  // attributes: uncompressed, CreateTime.
  if (magic == 1) w.Int64(record.timestamp);
  if (record.key) {
    w.Bytes(*record.key);
  } else {
    w.Int32(-1);
  }
  if (record.value) {
    w.Bytes(*record.value);
  } else {
    w.Int32(-1);
  }
  w.PatchInt32(size_at, static_cast<int32_t>(out->size() - crc_at));
  w.PatchInt32(crc_at, static_cast<int32_t>(
                           Crc32(std::string_view(*out).substr(crc_at + 4))));
}

}  // namespace

absl::StatusOr<std::string> MessageSetToBatch(std::string_view message_set, int64_t now_ms) {
  Compression codec = Compression::kNone;
  std::deque<std::string> scratch;
  std::vector<LegacyRecord> records;
  if (absl::Status s = ReadMessages(message_set, now_ms, /*inner=*/false, &codec, &scratch,
                                    &records);
      !s.ok()) {
    return s;
  }
  if (records.empty()) return Corrupt("no message");
  RecordBatchBuilder builder(codec);
  for (const LegacyRecord& record : records) {
    builder.Append(record.timestamp, record.key, record.value);
  }
  return builder.Finish();
}

absl::Status BatchesToMessageSet(std::string_view batches, int8_t magic, std::string* out) {
  absl::StatusOr<std::vector<std::string_view>> split = SplitBatches(batches);
  if (!split.ok()) return split.status();
  std::string scratch;
  std::vector<RecordView> records;
  for (std::string_view batch : *split) {
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
    if (!header.ok()) return header.status();
    if (header->is_control()) continue;
    if (header->compression() == Compression::kZstd) {
      return MakeError(ErrorCode::kUnsupportedCompressionType,
                       "zstd-compressed batches are not down-converted (Fetch v10+ reads them)");
    }
    records.clear();
    if (absl::Status s = DecodeRecords(batch, &scratch, &records); !s.ok()) return s;
    for (const RecordView& record : records) PutMessage(record, magic, out);
  }
  return absl::OkStatus();
}

}  // namespace brook::kafka
