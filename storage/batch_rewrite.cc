#include "storage/batch_rewrite.h"

namespace brook::storage {

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
    ProducerStamp producer;
    if (header->producer_id >= 0) {
      const auto delta = static_cast<int32_t>(run_base - header->base_offset);
      producer = {ProducerId(header->producer_id), ProducerEpoch(header->producer_epoch),
                  IncrementSequence(header->base_sequence, delta)};
    }
    out.push_back(builder.Finish(producer));
    EncodeBaseOffset(run_base, out.back().data());
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
