// broker/log_cleaner.h: the broker's background log cleaner: retention and compaction on their
// own thread, plus the queue of CompactTopic and DeleteRecords requests.
//
//   LogCleaner cleaner(store, {.interval = 5s, .bytes_per_second = 64 << 20});
//   cleaner.Start();
//   cleaner.Submit({"changelog", {PartitionId(0)}}, [](std::vector<PartitionCompaction> r) {});
//   cleaner.SubmitDeletions({{"orders", PartitionId(0), Offset(100)}}, [](DeletionResults r) {});
//   cleaner.SubmitPass([] {});  // a pass now, e.g. after the clock advanced
//   cleaner.Stop();  // before the store closes
//
// Operation: one thread. Every `interval` it runs a pass: LogStore::EnforceRetention(now),
// LogStore::ExpireProducers(now) (idempotent producers idle past producer.id.expiration.ms),
// then LogStore::Compact for every partition of a compacted topic whose NeedsCompaction is
// true. Jobs (Submit, SubmitDeletions, SubmitPass) come first, in the order they were queued:
// the thread runs queued jobs before starting a pass and between the partitions of a pass.
// Every compaction is throttled to bytes_per_second (read + written) and stops early when
// Stop() is called. Each pass or job that removed something is logged at info. Retention, record
// deletion and compaction do blocking RocksDB I/O (and a partition's wait for the others);
// this thread is the only caller, so the network threads never wait for them.
// Concurrency: Submit and Stop are thread-safe. A job's `done` runs exactly once, on the
// cleaner thread (or on the caller of Submit/Stop when the cleaner has stopped); it must not
// block and must not call back into the cleaner.
// Lifecycle: Start once; Stop (also run by the destructor) cancels a running compaction
// (what it wrote stays valid: compaction writes in atomic chunks), answers every pending job
// with BROKER_SHUTTING_DOWN, and joins the thread. The store must outlive the cleaner.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "protocol/types.h"
#include "storage/log_store.h"

namespace brook {

struct LogCleanerOptions {
  std::chrono::milliseconds interval{5000};  // Between background passes (>= 1 ms).
  int64_t bytes_per_second = 0;               // Compaction I/O bound; 0 = unlimited.
};

// One partition's outcome of a compaction job.
struct PartitionCompaction {
  PartitionId partition;
  // The stats, or UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (the topic no longer compacts),
  // STORAGE_ERROR, CORRUPT_MESSAGE, or BROKER_SHUTTING_DOWN (stopped by Stop(); a partition
  // cut short keeps what was written).
  absl::StatusOr<storage::CompactionStats> result;
};

struct CompactionJob {
  std::string topic;
  std::vector<PartitionId> partitions;  // Compacted in this order.
};

// One partition of a DeleteRecords job: its records below `before` go
// (LogStore::DeleteRecords; storage::kHighWatermark: all of them).
struct RecordDeletion {
  std::string topic;
  PartitionId partition;
  Offset before;
};
// Per deletion, in the job's order: the old and new log start, or the store's error
// (UNKNOWN_TOPIC_OR_PARTITION, POLICY_VIOLATION, OFFSET_OUT_OF_RANGE, STORAGE_ERROR), or
// BROKER_SHUTTING_DOWN when the cleaner stopped first.
using DeletionResults = std::vector<absl::StatusOr<storage::RetentionResult>>;

// What the cleaner did since it started, for metrics. Relaxed atomics: read from any thread.
struct CleanerWork {
  std::atomic<int64_t> passes{0};                  // Background passes finished.
  std::atomic<int64_t> segments_deleted{0};        // By retention and DeleteRecords.
  std::atomic<int64_t> bytes_freed{0};             // Their bytes.
  std::atomic<int64_t> records_deleted{0};         // Offsets the log starts moved past.
  std::atomic<int64_t> compactions{0};             // Partition compactions run (either trigger).
  std::atomic<int64_t> compaction_bytes_read{0};
  std::atomic<int64_t> compaction_bytes_written{0};
  std::atomic<int64_t> compaction_records_removed{0};
  std::atomic<int64_t> compaction_ms{0};           // Time spent compacting.

  void CountDeletion(const storage::RetentionResult& result);
  void CountCompaction(const storage::CompactionStats& stats);
};

class LogCleaner {
 public:
  using Done = std::function<void(std::vector<PartitionCompaction>)>;
  using DeletionsDone = std::function<void(DeletionResults)>;

  LogCleaner(storage::LogStore& store, LogCleanerOptions options);
  ~LogCleaner();
  LogCleaner(const LogCleaner&) = delete;
  LogCleaner& operator=(const LogCleaner&) = delete;

  // Starts the thread. REQUIRES: called once.
  void Start();
  // Queues `job`; `done` gets one result per partition, in the job's order, once every
  // partition was compacted (or failed). After Stop, `done` runs at once with
  // BROKER_SHUTTING_DOWN for every partition.
  void Submit(CompactionJob job, Done done);
  // Queues record deletions, run in order; `done` gets their results once all ran. After
  // Stop, `done` runs at once with BROKER_SHUTTING_DOWN for every deletion.
  void SubmitDeletions(std::vector<RecordDeletion> deletions, DeletionsDone done);
  // Queues a pass (retention, producer expiry, compaction of the partitions that need it) to
  // run now, as after the broker's clock jumped forward; `done` runs once it finished (also
  // when it was cut short by Stop), or at once after Stop.
  void SubmitPass(std::function<void()> done);
  // See Lifecycle. Idempotent; blocks until the thread has exited.
  void Stop();

  const CleanerWork& work() const { return work_; }

 private:
  // A queued job: `run` on the cleaner thread, or `refuse` (answers BROKER_SHUTTING_DOWN)
  // when the cleaner stopped first. Exactly one of them runs.
  struct Pending {
    std::function<void()> run;
    std::function<void()> refuse;
  };

  void Queue(Pending pending);
  void Run();
  // Whether the thread must wake up: a job is queued or Stop was called.
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs queued jobs until the queue is empty or the cleaner stops.
  void RunJobs();
  void RunJob(const CompactionJob& job, const Done& done);
  void RunDeletions(const std::vector<RecordDeletion>& deletions, const DeletionsDone& done);
  void RunPass();
  void EnforceRetention(int64_t now_ms);
  void ExpireProducers(int64_t now_ms);
  void CompactIfNeeded(const std::string& topic, PartitionId partition);
  storage::CompactionLimits Limits() const;

  storage::LogStore& store_;
  const LogCleanerOptions options_;
  std::atomic<bool> cancel_{false};  // Set by Stop: running compactions return early.
  std::thread thread_;

  absl::Mutex mu_;
  std::deque<Pending> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  CleanerWork work_;
};

}  // namespace brook
