#include "broker/log_cleaner.h"

#include "absl/time/time.h"
#include "broker/log.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

using Clock = std::chrono::steady_clock;

absl::Status ShuttingDown() {
  return MakeError(ErrorCode::kBrokerShuttingDown,
                   "compaction stopped: the broker is shutting down (what was written stays "
                   "valid)");
}

absl::Status DeletionShutDown() {
  return MakeError(ErrorCode::kBrokerShuttingDown,
                   "records not deleted: the broker is shutting down");
}

std::vector<PartitionCompaction> AllShuttingDown(const CompactionJob& job) {
  std::vector<PartitionCompaction> results;
  for (PartitionId partition : job.partitions) results.push_back({partition, ShuttingDown()});
  return results;
}

// Logs a compaction at info when it removed or rewrote something, else at debug.
void LogCompaction(std::string_view why, const std::string& topic, PartitionId partition,
                   const storage::CompactionStats& stats) {
  const bool changed = stats.records_removed > 0 || stats.batches_rewritten > 0 ||
                       stats.batches_deleted > 0;
  Log(changed ? LogLevel::kInfo : LogLevel::kDebug, "compacted partition", "topic", topic,
      "partition", partition.value, "trigger", why, "records_removed", stats.records_removed,
      "tombstones_removed", stats.tombstones_removed, "bytes_read", stats.bytes_read,
      "bytes_written", stats.bytes_written, "cleaned_up_to", stats.cleaned_up_to.value,
      "finished", stats.finished, "duration_ms", stats.duration.count());
}

}  // namespace

LogCleaner::LogCleaner(storage::LogStore& store, LogCleanerOptions options)
    : store_(store), options_(options) {}

LogCleaner::~LogCleaner() { Stop(); }

void LogCleaner::Start() { thread_ = std::thread([this] { Run(); }); }

void LogCleaner::Submit(CompactionJob job, Done done) {
  Queue({[this, job, done] { RunJob(job, done); }, [job, done] { done(AllShuttingDown(job)); }});
}

void LogCleaner::SubmitDeletions(std::vector<RecordDeletion> deletions, DeletionsDone done) {
  Queue({[this, deletions, done] { RunDeletions(deletions, done); },
         [n = deletions.size(), done] { done(DeletionResults(n, DeletionShutDown())); }});
}

void LogCleaner::SubmitPass(std::function<void()> done) {
  Queue({[this, done] {
           RunPass();
           done();
         },
         done});
}

void LogCleaner::Queue(Pending pending) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      jobs_.push_back(std::move(pending));
      return;
    }
  }
  pending.refuse();
}

void LogCleaner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cancel_.store(true);
  if (thread_.joinable()) thread_.join();
  std::deque<Pending> pending;
  {
    absl::MutexLock lock(&mu_);
    pending.swap(jobs_);
  }
  for (Pending& p : pending) p.refuse();
}

void LogCleaner::Run() {
  auto next_pass = Clock::now() + options_.interval;
  for (;;) {
    RunJobs();
    {
      absl::MutexLock lock(&mu_);
      const auto wait = std::max(next_pass - Clock::now(), Clock::duration::zero());
      mu_.AwaitWithTimeout(absl::Condition(this, &LogCleaner::HasWork), absl::FromChrono(wait));
      if (stopping_) return;
      if (!jobs_.empty()) continue;
    }
    if (Clock::now() >= next_pass) {
      RunPass();
      next_pass = Clock::now() + options_.interval;
    }
  }
}

bool LogCleaner::HasWork() const { return stopping_ || !jobs_.empty(); }

void LogCleaner::RunJobs() {
  for (;;) {
    Pending next;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ || jobs_.empty()) return;
      next = std::move(jobs_.front());
      jobs_.pop_front();
    }
    next.run();
  }
}

void LogCleaner::RunJob(const CompactionJob& job, const Done& done) {
  std::vector<PartitionCompaction> results;
  for (PartitionId partition : job.partitions) {
    if (cancel_.load()) {
      results.push_back({partition, ShuttingDown()});
      continue;
    }
    absl::StatusOr<storage::CompactionStats> stats =
        store_.Compact(job.topic, partition, store_.NowMs(), Limits());
    if (stats.ok()) {
      LogCompaction("request", job.topic, partition, *stats);
      work_.CountCompaction(*stats);
      if (!stats->finished && cancel_.load()) stats = ShuttingDown();
    }
    results.push_back({partition, std::move(stats)});
  }
  done(std::move(results));
}

void LogCleaner::RunDeletions(const std::vector<RecordDeletion>& deletions,
                              const DeletionsDone& done) {
  DeletionResults results;
  for (const RecordDeletion& d : deletions) {
    if (cancel_.load()) {
      results.emplace_back(DeletionShutDown());
      continue;
    }
    absl::StatusOr<storage::RetentionResult> deleted =
        store_.DeleteRecords(d.topic, d.partition, d.before);
    if (deleted.ok() && deleted->new_log_start != deleted->old_log_start) {
      work_.CountDeletion(*deleted);
      Log(LogLevel::kInfo, "deleted records", "topic", d.topic, "partition", d.partition.value,
          "old_log_start", deleted->old_log_start.value, "log_start",
          deleted->new_log_start.value, "segments", deleted->segments_deleted, "bytes_freed",
          deleted->bytes_freed);
    }
    results.push_back(std::move(deleted));
  }
  done(std::move(results));
}

void LogCleaner::RunPass() {
  EnforceRetention(store_.NowMs());
  ExpireProducers(store_.NowMs());
  for (const storage::TopicInfo& topic : store_.ListTopics()) {
    if (!topic.config.compacts()) continue;
    for (const storage::PartitionInfo& partition : topic.partitions) {
      RunJobs();
      if (cancel_.load()) return;
      CompactIfNeeded(topic.name, partition.partition);
    }
  }
  work_.passes.fetch_add(1, std::memory_order_relaxed);
}

void LogCleaner::EnforceRetention(int64_t now_ms) {
  absl::StatusOr<std::vector<storage::TopicRetention>> removed = store_.EnforceRetention(now_ms);
  if (!removed.ok()) {
    Log(LogLevel::kWarn, "retention failed", "error", MessageOf(removed.status()));
    return;
  }
  for (const storage::TopicRetention& r : *removed) {
    work_.CountDeletion(r.result);
    Log(LogLevel::kInfo, "retention deleted segments", "topic", r.topic, "partition",
        r.result.partition.value, "segments", r.result.segments_deleted, "bytes_freed",
        r.result.bytes_freed, "old_log_start", r.result.old_log_start.value, "log_start",
        r.result.new_log_start.value);
  }
}

void LogCleaner::ExpireProducers(int64_t now_ms) {
  absl::StatusOr<int64_t> expired = store_.ExpireProducers(now_ms);
  if (!expired.ok()) {
    Log(LogLevel::kWarn, "expiring idle producers failed", "error", MessageOf(expired.status()));
  } else if (*expired > 0) {
    Log(LogLevel::kInfo, "forgot idle producers", "partition_states", *expired);
  }
}

void LogCleaner::CompactIfNeeded(const std::string& topic, PartitionId partition) {
  absl::StatusOr<bool> needed = store_.NeedsCompaction(topic, partition, store_.NowMs());
  absl::Status failure = needed.status();
  if (needed.ok()) {
    if (!*needed) return;
    absl::StatusOr<storage::CompactionStats> stats =
        store_.Compact(topic, partition, store_.NowMs(), Limits());
    if (stats.ok()) {
      LogCompaction("background", topic, partition, *stats);
      work_.CountCompaction(*stats);
      return;
    }
    failure = stats.status();
  }
  // A topic deleted or switched to delete since the listing is not a failure.
  const ErrorCode code = CodeOf(failure);
  if (code == ErrorCode::kUnknownTopicOrPartition || code == ErrorCode::kInvalidRequest) return;
  Log(LogLevel::kWarn, "compaction failed", "topic", topic, "partition", partition.value,
      "error", MessageOf(failure));
}

storage::CompactionLimits LogCleaner::Limits() const {
  storage::CompactionLimits limits;
  limits.bytes_per_second = options_.bytes_per_second;
  limits.cancel = &cancel_;
  return limits;
}

void CleanerWork::CountDeletion(const storage::RetentionResult& result) {
  segments_deleted.fetch_add(result.segments_deleted, std::memory_order_relaxed);
  bytes_freed.fetch_add(result.bytes_freed, std::memory_order_relaxed);
  records_deleted.fetch_add(result.new_log_start.value - result.old_log_start.value,
                            std::memory_order_relaxed);
}

void CleanerWork::CountCompaction(const storage::CompactionStats& stats) {
  compactions.fetch_add(1, std::memory_order_relaxed);
  compaction_bytes_read.fetch_add(stats.bytes_read, std::memory_order_relaxed);
  compaction_bytes_written.fetch_add(stats.bytes_written, std::memory_order_relaxed);
  compaction_records_removed.fetch_add(stats.records_removed, std::memory_order_relaxed);
  compaction_ms.fetch_add(stats.duration.count(), std::memory_order_relaxed);
}

}  // namespace brook
