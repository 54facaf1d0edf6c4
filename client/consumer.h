// client/consumer.h: brook::Consumer, which reads records from partitions it is assigned, either
// by hand (Assign) or by its consumer group (Subscribe).
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
// As a group member: set ConsumerOptions.group_id, call Subscribe({"orders"}) instead of
// Assign, and Poll as above; the group (docs/protocol.md §6.8) decides which partitions this
// consumer reads, and positions start from the group's committed offsets.
//
// Positions: the consumer keeps a position per assigned partition (the offset of the next
// record to return). A partition without one starts at the group's committed offset (when
// group_id is set and the group has a commit for it), else per auto_offset_reset (earliest /
// latest); a position the broker reports OFFSET_OUT_OF_RANGE is reset the same way. With kNone
// Poll fails instead, until Seek sets a position.
//
// Operation: Poll sends one Fetch covering every assigned partition from their positions
// (a long poll: the broker answers as soon as fetch_min_bytes are there, or after the wait),
// returns what arrives, and advances the positions past it. The next Fetch is already on its
// way then: the connection's I/O thread sends it as soon as an answer arrives, from where
// that answer ends, so it travels while the application processes the records ("one fetch
// ahead") and Poll does not wait to write it. Seek, Pause and Assign make Poll drop a fetch
// in flight (or read ahead) so the next Poll reads from the new positions.
//
// Groups: Poll also drives the membership. It joins on the first Poll after Subscribe, and
// rejoins when the broker says the group rebalances (a heartbeat, fetch or commit answers
// REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID). A Poll that rejoins waits
// for the rebalance to complete, so it may take up to rebalance_timeout longer than its
// timeout. Fetches carry the member's generation, so the broker wakes them when a rebalance
// starts. A background thread sends heartbeats every heartbeat_interval, so processing a
// batch slowly does not end the session; but a consumer that does not call Poll for
// rebalance_timeout leaves the group (Kafka's max.poll.interval.ms) and its next Poll rejoins,
// its partitions lost. With the eager assignors (range, roundrobin) a member gives up every
// partition before it rejoins; with cooperative-sticky (the default) it keeps reading its
// partitions and gives up only those missing from its new assignment, then rejoins at once so
// they can move. Records of a partition are never returned after it was revoked.
// Rebalance callbacks run on the application thread, inside Poll or Close: on_revoked before
// partitions are given up (Commit works there), on_assigned after partitions were added,
// on_lost when the member was expelled and its partitions may already be another's.
//
// Commits: with enable_auto_commit, Poll commits the positions of the records returned by
// earlier Polls every auto_commit_interval (at-least-once), and so do a revoke and Close.
// Commit / CommitAsync commit explicitly. Commits of a member that is no longer in the group
// fail with UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION (and its next Poll rejoins).
//
// Thread-safety: not thread-safe; use a Consumer from one thread at a time (like Kafka's).
// Lifecycle: Create connects (and fails if it cannot); Close (also run by the destructor)
// leaves the group (committing first with auto-commit, and running on_revoked), drops the
// fetch in flight and closes the connection; later calls fail with INVALID_REQUEST "the
// consumer is closed". Records already returned stay valid.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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
  int32_t max_partition_fetch_bytes = 1 << 20;    // Per partition in a response (soft too).
                                                  // Kafka's default; bench consume read 25%
                                                  // more records/s than with 8 MiB.
  std::chrono::milliseconds request_timeout{30000};  // Other requests; and a fetch's wait
                                                     // beyond its max_wait. Connect uses
                                                     // min(this, 10 s).
  // ---- Consumer groups (used with a non-empty group_id) ----
  std::string group_id{};// Empty: no group (Assign only; no commits).
  std::string assignor = "cooperative-sticky";  // Or "range", "roundrobin".
  std::chrono::milliseconds session_timeout{10000};    // The broker accepts 100 ms..300 s.
  std::chrono::milliseconds heartbeat_interval{3000};  // Less than session_timeout.
  std::chrono::milliseconds rebalance_timeout{30000};  // Also the longest time between Polls
                                                       // before the member leaves (Kafka's
                                                       // max.poll.interval.ms).
  bool enable_auto_commit = true;
  std::chrono::milliseconds auto_commit_interval{5000};
};

// Why the application gives up on a record (Consumer::DeadLetter).
struct RecordFailure {
  std::string reason;            // Free text: an error message (at most 16 KiB).
  int32_t attempts = 1;          // Times the record was tried.
  int64_t first_failure_ms = 0;  // When the first attempt failed (ms since the epoch)...
  int64_t last_failure_ms = 0;   // ...and the last.
};

// Where a dead-lettered record's copy is.
struct DeadLettered {
  TopicPartition dlq;
  int64_t offset = 0;
  bool duplicate = false;  // It had been dead-lettered before; this call added nothing.
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

  // What a group member is told about its partitions; each gets a sorted list. Run on the
  // application thread inside Poll or Close (see the top comment). Empty functions are skipped.
  struct RebalanceCallbacks {
    std::function<void(const std::vector<TopicPartition>&)> on_assigned;  // Added, with no
                                                                          // position yet.
    std::function<void(const std::vector<TopicPartition>&)> on_revoked;  // About to be given up.
    std::function<void(const std::vector<TopicPartition>&)> on_lost;     // Already gone.
  };

  // Joins the group options().group_id (on the next Poll) subscribed to `topics`; topics that
  // do not exist yet get partitions once created. Calling it again changes the subscription
  // (and the callbacks) and rejoins. Errors: INVALID_REQUEST without group_id, with no topics,
  // or after Assign with partitions (manual assignment and subscription do not mix); closed.
  absl::Status Subscribe(std::vector<std::string> topics, RebalanceCallbacks callbacks = {});

  // Replaces the assignment. Partitions that stay assigned keep their positions; new ones
  // have none until Poll, Position or a Seek gives them one. An empty list unassigns all.
  // Errors (nothing changes then): UNKNOWN_TOPIC_OR_PARTITION "topic 'x' does not exist" or
  // "topic 'x' has N partition(s); partition P does not exist"; request errors
  // (NETWORK_EXCEPTION, REQUEST_TIMED_OUT); INVALID_REQUEST after Subscribe.
  absl::Status Assign(std::vector<TopicPartition> partitions);
  // The assigned partitions, sorted: the manual assignment, or the group's current one.
  std::vector<TopicPartition> Assignment() const;
  // The member id and generation the group gave this consumer ("" and -1 before it joined).
  std::string member_id() const;
  int32_t generation_id() const;

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

  // Stops fetching `partitions` until Resume: Poll returns none of their records (not even
  // ones fetched before the call) and their positions stay where they are. The flag belongs to
  // the assignment: a partition revoked and assigned again is not paused. Errors:
  // INVALID_REQUEST for an unassigned partition (nothing changes then), or closed.
  absl::Status Pause(const std::vector<TopicPartition>& partitions);
  // Fetches `partitions` again from their positions (the next Poll asks for them at once).
  // Errors: as Pause.
  absl::Status Resume(const std::vector<TopicPartition>& partitions);
  // The paused partitions, sorted.
  std::vector<TopicPartition> Paused() const;

  // Returns the records fetched within `timeout` (possibly none), in offset order per
  // partition, and advances the positions past them. A group member also (re)joins, runs the
  // rebalance callbacks and auto-commits here (see Groups). Errors (positions do not move then):
  // INVALID_REQUEST (neither assigned nor subscribed, or closed); the group's errors from
  // JoinGroup (INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, INCONSISTENT_GROUP_PROTOCOL, ...);
  // OFFSET_OUT_OF_RANGE (a position is outside
  // the log and auto_offset_reset is kNone, or no position and kNone); UNKNOWN_TOPIC_OR_PARTITION
  // (e.g. the topic was deleted); CORRUPT_MESSAGE (a batch fails its CRC);
  // NETWORK_EXCEPTION when the broker cannot be reached again within the timeout; other
  // broker errors.
  absl::StatusOr<ConsumerRecords> Poll(std::chrono::milliseconds timeout);

  // Commits the current position of every assigned partition that has one, and waits.
  // Errors: INVALID_REQUEST without group_id (or closed); UNKNOWN_MEMBER_ID /
  // ILLEGAL_GENERATION when this member is no longer in the group (the next Poll rejoins);
  // NON_EMPTY_GROUP when not subscribed and the group has members; a partition's error;
  // request errors. Also runs the callbacks of CommitAsync calls answered so far.
  absl::Status Commit();
  // Commits the given offsets (each the next record to process), as Commit().
  absl::Status Commit(const std::vector<std::pair<TopicPartition, int64_t>>& offsets);
  // As Commit() without waiting; `done` runs with the outcome inside a later Poll, Commit or
  // Close on this thread (Close waits up to request_timeout for the answers).
  void CommitAsync(std::function<void(absl::Status)> done = {});
  // The group's committed offset of `partition` (OffsetFetch); nullopt when there is none.
  // Errors: INVALID_REQUEST without group_id (or closed); INVALID_GROUP_ID; request errors.
  absl::StatusOr<std::optional<int64_t>> Committed(const TopicPartition& partition);

  // Gives up on `record` (returned by Poll): the broker copies it, with `failure` and this
  // member's identity in brook.dlq.* headers, to its topic's dead-letter topic, and commits
  // the group's offset past it, in one atomic write (docs/dead-letters.md). Positions do not
  // move. Idempotent: calling again for the same record (say after a timeout) adds no second
  // copy and returns the first one's location with `duplicate`. Errors: INVALID_REQUEST
  // without group_id, attempts < 1, a reason over 16 KiB, or closed; UNKNOWN_MEMBER_ID /
  // ILLEGAL_GENERATION / REBALANCE_IN_PROGRESS (fenced: the next Poll rejoins);
  // NON_EMPTY_GROUP (not subscribed, and the group has members); OFFSET_OUT_OF_RANGE (the
  // record is gone from the log); request errors (NETWORK_EXCEPTION, REQUEST_TIMED_OUT: safe to
  // call again).
  absl::StatusOr<DeadLettered> DeadLetter(const ConsumerRecord& record,
                                          const RecordFailure& failure);

  // Leaves the group (see Lifecycle), drops the fetch in flight and closes the connection.
  // Idempotent.
  void Close();

  const ConsumerOptions& options() const;

 private:
  class Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook
