#include "storage/partition_traffic.h"

#include "protocol/record_batch.h"

namespace brook::storage {

void PartitionTraffic::CountOut(std::string_view record_set) {
  int64_t records = 0;
  const int64_t bytes = static_cast<int64_t>(record_set.size());
  while (!record_set.empty()) {
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(record_set);
    if (!header.ok() || header->total_size() > record_set.size()) break;  // Stored: whole.
    records += header->record_count;
    record_set.remove_prefix(header->total_size());
  }
  records_out.fetch_add(records, std::memory_order_relaxed);
  bytes_out.fetch_add(bytes, std::memory_order_relaxed);
}

}  // namespace brook::storage
