// client/consumer.h: brook::Consumer, which reads records from assigned partitions.
//
//   auto consumer = brook::Consumer::Create({.bootstrap = "127.0.0.1:9292",
//                                            .auto_offset_reset = brook::OffsetReset::kEarliest});
//   (*consumer)->Assign({{"orders", brook::PartitionId(0)}});
//   for (;;) {
//     absl::StatusOr<brook::ConsumerRecords> records = (*consumer)->Poll(std::chrono::seconds(1));
//     if (!records.ok()) { /* e.g. the topic was deleted */ }
//     for (const brook::ConsumerRecord& r : *records) { ... r.value ... }
//   }
//
// Assignment is manual: the application names the partitions (Assign). The consumer keeps a
// position per assigned partition (the offset of the next record to return). A partition
// without a position, or whose position the broker reports OFFSET_OUT_OF_RANGE, is reset by
// auto_offset_reset (earliest / latest) or, with kNone, makes Poll fail until Seek sets one.
// Consumer groups (Subscribe(group), with the group's committed positions) will come later;
// they decide the assignment and the starting positions and leave Poll unchanged.
//
// Operation: Poll sends one Fetch covering every assigned partition from their positions
// (a long poll: the broker answers as soon as fetch_min_bytes are there, or after the wait),
// returns what arrives, advances the positions past it, and at once sends the next Fetch so
// that it travels while the application processes the records ("one fetch ahead"). Seek and
// Assign drop a fetch in flight so the next Poll reads from the new positions.
//
// Thread-safety: not thread-safe; use a Consumer from one thread at a time (like Kafka's).
// Lifecycle: Create connects (and fails if it cannot); Close (also run by the destructor)
// drops the fetch in flight and closes the connection; later calls fail with
// INVALID_REQUEST "the consumer is closed". Records already returned stay valid.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/consumer_record.h"
#include "protocol/types.h"

namespace brook {

enum class OffsetReset {
  kEarliest,  // The first offset still in the partition.
  kLatest,    // The log end: only records produced from now on.
  kNone,      // No reset: Poll fails with OFFSET_OUT_OF_RANGE until Seek.
};

struct ConsumerOptions {
  std::string bootstrap = "127.0.0.1:9292";  // The broker, host:port.
  std::string client_id = "brook-consumer";  // Shown in the broker's logs.
  OffsetReset auto_offset_reset = OffsetReset::kLatest;
  int32_t fetch_min_bytes = 1;                    // The broker answers once this much is there...
  std::chrono::milliseconds fetch_max_wait{500};  // ...or after this (for the fetch sent ahead).
  int32_t fetch_max_bytes = 50 << 20;             // Per Fetch response (soft: >= 1 batch).
  int32_t max_partition_fetch_bytes = 8 << 20;    // Per partition in a response (soft too).
  std::chrono::milliseconds request_timeout{30000};  // Other requests; and a fetch's wait
                                                     // beyond its max_wait. Connect uses
                                                     // min(this, 10 s).
};

class Consumer {
 public:
  // Validates the options and connects. Errors: INVALID_REQUEST for bad options (naming the
  // field); the errors of connecting (NETWORK_EXCEPTION "cannot connect to ...",
  // UNSUPPORTED_VERSION).
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(ConsumerOptions options);

  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Replaces the assignment. Partitions that stay assigned keep their positions; new ones
  // have none until Poll, Position or a Seek gives them one. An empty list unassigns all.
  // Errors (nothing changes then): UNKNOWN_TOPIC_OR_PARTITION "topic 'x' does not exist" or
  // "topic 'x' has N partition(s); partition P does not exist"; request errors
  // (NETWORK_EXCEPTION, REQUEST_TIMED_OUT).
  absl::Status Assign(std::vector<TopicPartition> partitions);
  // The assigned partitions, sorted.
  std::vector<TopicPartition> Assignment() const;

  // Sets the position of an assigned partition; an offset outside the log is reported by the
  // next Poll (and reset by auto_offset_reset). Errors: INVALID_REQUEST when `partition` is
  // not assigned or `offset` is negative.
  absl::Status Seek(const TopicPartition& partition, int64_t offset);
  // Moves to the first offset still in each partition / to each log end (ListOffsets). An
  // empty list means every assigned partition. Errors: INVALID_REQUEST for an unassigned
  // partition; the broker's per-partition error; request errors. On error no position moves.
  absl::Status SeekToBeginning(const std::vector<TopicPartition>& partitions);
  absl::Status SeekToEnd(const std::vector<TopicPartition>& partitions);
  // Moves to the first record with timestamp >= `timestamp_ms` (the log end when there is
  // none). Errors: as SeekToBeginning.
  absl::Status SeekToTimestamp(const TopicPartition& partition, int64_t timestamp_ms);
  // The offset of the next record Poll returns for `partition`, resolving a missing position
  // with auto_offset_reset first. Errors: INVALID_REQUEST (not assigned); OFFSET_OUT_OF_RANGE
  // (no position and auto_offset_reset is kNone); request errors.
  absl::StatusOr<int64_t> Position(const TopicPartition& partition);

  // Returns the records fetched within `timeout` (possibly none), in offset order per
  // partition, and advances the positions past them. Errors (positions do not move then):
  // INVALID_REQUEST (nothing assigned, or closed); OFFSET_OUT_OF_RANGE (a position is outside
  // the log and auto_offset_reset is kNone, or no position and kNone); UNKNOWN_TOPIC_OR_PARTITION
  // (e.g. the topic was deleted); CORRUPT_MESSAGE (a batch fails its CRC);
  // NETWORK_EXCEPTION when the broker cannot be reached again within the timeout; other
  // broker errors.
  absl::StatusOr<ConsumerRecords> Poll(std::chrono::milliseconds timeout);

  // Drops the fetch in flight and closes the connection. Idempotent.
  void Close();

  const ConsumerOptions& options() const;

 private:
  class Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook
