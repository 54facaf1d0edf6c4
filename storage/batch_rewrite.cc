#include "storage/batch_rewrite.h"

#include "protocol/crc32c.h"
#include "storage/producer_state.h"

namespace brook::storage {
namespace {

constexpr size_t kProducerIdOffset = 43;  // Then producerEpoch (51) and baseSequence (53).

void PutBigEndian(std::string& out, size_t at, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) {
    out[at + static_cast<size_t>(i)] = static_cast<char>(value & 0xff);
  }
}

}  // namespace

void StampProducer(std::string& batch, ProducerId id, ProducerEpoch epoch, int32_t base_sequence) {
  PutBigEndian(batch, kProducerIdOffset, static_cast<uint64_t>(id.value), 8);
  PutBigEndian(batch, kProducerIdOffset + 8, static_cast<uint16_t>(epoch.value), 2);
  PutBigEndian(batch, kProducerIdOffset + 10, static_cast<uint32_t>(base_sequence), 4);
  PutBigEndian(batch, kCrcOffset, Crc32c(std::string_view(batch).substr(kAttributesOffset)), 4);
}

absl::StatusOr<std::vector<std::string>> KeepRecords(std::string_view batch,
                                                     std::span<const RecordView> records,
                                                     const std::vector<bool>& keep) {
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
  if (!header.ok()) return header.status();
  std::vector<std::string> out;
  RecordBatchBuilder builder(header->compression());
  int64_t run_base = 0;
  auto finish_run = [&] {
    if (builder.record_count() == 0) return;
    out.push_back(builder.Finish());
    EncodeBaseOffset(run_base, out.back().data());
    if (header->producer_id >= 0) {
      const auto delta = static_cast<int32_t>(run_base - header->base_offset);
      StampProducer(out.back(), ProducerId(header->producer_id),
                    ProducerEpoch(header->producer_epoch),
                    IncrementSequence(header->base_sequence, delta));
    }
  };
  for (size_t i = 0; i < records.size(); ++i) {
    if (!keep[i]) {
      finish_run();
      continue;
    }
    const RecordView& r = records[i];
    if (builder.record_count() == 0) run_base = r.offset;
    builder.Append(r.timestamp, r.key, r.value, r.headers);
  }
  finish_run();
  return out;
}

}  // namespace brook::storage
