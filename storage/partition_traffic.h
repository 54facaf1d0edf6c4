// storage/partition_traffic.h: what went into and out of one partition since it was opened
// (this process), for the broker's metrics.
//
// Each PartitionLog owns one (shared, so a reader can count what it sent after the read
// returned, even if the topic is deleted meanwhile). LogStore counts appends itself; readers
// that send records to clients (Fetch) count what they sent with CountOut, once per answer,
// so a long poll that reads twice counts once.
// Thread-safety: lock-free; relaxed atomics (counters, not synchronization).
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace brook::storage {

struct PartitionTraffic {
  std::atomic<int64_t> records_in{0};  // Records appended (duplicates of a retry not counted).
  std::atomic<int64_t> bytes_in{0};    // Their record sets' bytes as received.
  std::atomic<int64_t> records_out{0}; // Records in batches sent to readers.
  std::atomic<int64_t> bytes_out{0};   // Bytes of those batches.

  void CountIn(int64_t records, int64_t bytes) {
    records_in.fetch_add(records, std::memory_order_relaxed);
    bytes_in.fetch_add(bytes, std::memory_order_relaxed);
  }
  // Counts the whole batches of `record_set` (as Read returned them) as sent.
  void CountOut(std::string_view record_set);
};

}  // namespace brook::storage
