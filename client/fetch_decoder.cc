#include "client/fetch_decoder.h"

#include <string>

#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook::client {

void ConsumerRecordsBuilder::Own(std::shared_ptr<const void> owner) {
  out_->owners_.push_back(std::move(owner));
}

void ConsumerRecordsBuilder::Reserve(size_t n) {
  out_->records_.reserve(out_->records_.size() + n);
}

absl::Status ConsumerRecordsBuilder::AppendPartition(std::string_view topic, int32_t partition,
                                                     std::string_view record_set,
                                                     int64_t* position) {
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(record_set);
  if (!batches.ok()) return batches.status();
  const size_t records_before = out_->records_.size();
  const size_t owners_before = out_->owners_.size();
  auto fail = [&](absl::Status status) {
    out_->records_.resize(records_before);
    out_->owners_.resize(owners_before);
    return status;
  };
  int64_t next = *position;
  for (std::string_view batch : *batches) {
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
    if (!header.ok()) return fail(header.status());
    if (header->last_offset() < next) continue;  // Wholly before the position.
    const int64_t after = header->last_offset() + 1;
    if (header->is_control() || header->is_transactional()) {
      next = after;
      continue;
    }
    std::string* scratch = nullptr;
    if (header->compression() != Compression::kNone) {
      auto owned = std::make_shared<std::string>();
      scratch = owned.get();
      out_->owners_.push_back(std::move(owned));
    }
    views_.clear();
    std::string unused;
    absl::Status status = DecodeRecords(batch, scratch != nullptr ? scratch : &unused, &views_);
    if (!status.ok()) {  // Corrupt (a CRC-32C mismatch, say): name the partition.
      return fail(MakeError(CodeOf(status), fmt::format("{}-{}: {}", topic, partition,
                                                        MessageOf(status))));
    }
    for (RecordView& view : views_) {
      if (view.offset < next) continue;
      out_->records_.push_back(ConsumerRecord{topic, partition, view.offset, view.timestamp,
                                              view.key, view.value, std::move(view.headers)});
    }
    next = after;
  }
  *position = next;
  return absl::OkStatus();
}

}  // namespace brook::client
