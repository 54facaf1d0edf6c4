// The `compaction` workload, in three steps per run:
//   1. A compacted topic gets --records records over --keys keys (untimed), then one
//      Admin::CompactTopic is timed: the rate is bytes of log read over its duration.
//   2. The compacted topic is refilled with --records overwrites (untimed, compaction held
//      off), then the `produce` workload runs on a fresh topic (no keys), alone.
//   3. The same on another fresh topic while a thread compacts the compacted topic again and
//      again (the first pass compacts the refill of step 2): before each pass after the first
//      it refills the topic with --records
//      overwrites, so every pass has the same work. Reported: the passes that overlapped the
//      produce run, their rate, the fraction of the run a pass was active, and the refills
//      that fell inside it (their produce load competes with the measured producer too).
// While the compacted topic is being filled its min.compaction.lag.ms is raised so the
// broker's background cleaner leaves it alone; the override is removed right before the
// CompactTopic call it prepares.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/workload.h"
#include "client/admin.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;

// min.compaction.lag.ms while filling: the default max.compaction.lag.ms (it may not be
// exceeded), 7 days: no record produced by the run is that old.
constexpr const char* kHoldLagMs = "604800000";

absl::Status WithContext(const absl::Status& status, std::string_view what) {
  if (status.ok()) return status;
  return absl::Status(status.code(), fmt::format("{}: {}", what, MessageOf(status)));
}

// Produces --records keyed records to `topic` with compaction held off. Errors: the
// producer's, or records that failed.
absl::Status Fill(Admin& admin, const std::string& bootstrap, const std::string& topic,
                  const WorkloadOptions& options) {
  absl::Status held =
      admin.AlterTopicConfigs(topic, {{"min.compaction.lag.ms", kHoldLagMs}}, {});
  if (!held.ok()) return WithContext(held, fmt::format("holding compaction of {}", topic));
  absl::StatusOr<RunResult> filled = RunProduce(bootstrap, topic, options);
  if (!filled.ok()) return WithContext(filled.status(), fmt::format("filling {}", topic));
  if (filled->errors > 0) {
    return absl::InternalError(
        fmt::format("{} records failed while filling {}", filled->errors, topic));
  }
  return absl::OkStatus();
}

// Lets compaction run on `topic` and compacts it now; the stats summed over partitions and
// the wall time of the call.
absl::StatusOr<CompactionResult> Compact(Admin& admin, const std::string& topic) {
  absl::Status released = admin.AlterTopicConfigs(topic, {}, {"min.compaction.lag.ms"});
  if (!released.ok()) return WithContext(released, fmt::format("releasing {}", topic));
  const auto start = Clock::now();
  absl::StatusOr<std::vector<PartitionCompactionStats>> stats = admin.CompactTopic(topic);
  const std::chrono::duration<double> elapsed = Clock::now() - start;
  if (!stats.ok()) return WithContext(stats.status(), fmt::format("compacting {}", topic));
  CompactionResult out;
  for (const PartitionCompactionStats& p : *stats) {
    out.bytes_read += p.bytes_read;
    out.bytes_written += p.bytes_written;
    out.records_removed += p.records_removed;
    out.tombstones_removed += p.tombstones_removed;
  }
  out.seconds = elapsed.count();
  return out;
}

// One compaction pass of the background thread, with when it ran.
struct Pass {
  Clock::time_point start;
  Clock::time_point end;
  CompactionResult result;
};

// Compacts `topic` again and again on its own thread until Stop(), refilling it before every
// pass but the first (the caller fills it first).
class CompactionLoop {
 public:
  CompactionLoop(Admin& admin, std::string bootstrap, std::string topic, WorkloadOptions options)
      : admin_(admin),
        bootstrap_(std::move(bootstrap)),
        topic_(std::move(topic)),
        options_(std::move(options)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~CompactionLoop() { (void)Stop(); }

  // Waits until the first pass has been requested.
  void WaitStarted() {
    std::unique_lock lock(mu_);
    started_cv_.wait(lock, [this] { return started_ || !error_.ok(); });
  }
  // Stops after the current pass or refill, and returns the first error.
  absl::Status Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mu_);
    return error_;
  }

  // What ran during [from, to): valid after Stop().
  ConcurrentCompaction During(Clock::time_point from, Clock::time_point to) const {
    ConcurrentCompaction out;
    std::chrono::duration<double> busy{0};
    for (const Pass& pass : passes_) {
      if (pass.end <= from || pass.start >= to) continue;
      ++out.passes;
      out.work.bytes_read += pass.result.bytes_read;
      out.work.bytes_written += pass.result.bytes_written;
      out.work.records_removed += pass.result.records_removed;
      out.work.tombstones_removed += pass.result.tombstones_removed;
      out.work.seconds += pass.result.seconds;
      busy += std::min(pass.end, to) - std::max(pass.start, from);
    }
    for (const auto& [start, end] : refills_) {
      if (end > from && start < to) ++out.refills;
    }
    const std::chrono::duration<double> window = to - from;
    out.busy_fraction = window.count() > 0 ? busy.count() / window.count() : 0;
    return out;
  }

 private:
  void Run() {
    for (bool first = true; !stop_; first = false) {
      if (!first) {
        const auto start = Clock::now();
        if (!Record(Fill(admin_, bootstrap_, topic_, options_))) return;
        refills_.emplace_back(start, Clock::now());
        if (stop_) return;
      }
      {
        std::lock_guard lock(mu_);
        started_ = true;
      }
      started_cv_.notify_all();
      const auto start = Clock::now();
      absl::StatusOr<CompactionResult> result = Compact(admin_, topic_);
      if (!Record(result.status())) return;
      passes_.push_back({start, Clock::now(), *result});
    }
  }

  bool Record(const absl::Status& status) {
    if (status.ok()) return true;
    {
      std::lock_guard lock(mu_);
      error_ = status;
    }
    started_cv_.notify_all();
    return false;
  }

  Admin& admin_;
  const std::string bootstrap_;
  const std::string topic_;
  const WorkloadOptions options_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable started_cv_;
  bool started_ = false;    // Guarded by mu_.
  absl::Status error_;      // Guarded by mu_.
  std::vector<Pass> passes_;  // Written by the thread only; read after Stop().
  std::vector<std::pair<Clock::time_point, Clock::time_point>> refills_;  // Likewise.
  std::thread thread_;
};

// The run's three topics, deleted when it ends.
class Topics {
 public:
  Topics(Admin& admin, std::string prefix) : admin_(admin), prefix_(std::move(prefix)) {}
  ~Topics() {
    for (const std::string& name : created_) (void)admin_.DeleteTopic(name);
  }

  absl::StatusOr<std::string> Create(std::string_view suffix, int partitions,
                                     std::map<std::string, std::string> configs) {
    std::string name = fmt::format("{}-{}", prefix_, suffix);
    absl::Status created =
        admin_.CreateTopic({.name = name, .partitions = partitions, .configs = std::move(configs)});
    if (!created.ok()) return WithContext(created, fmt::format("creating topic {}", name));
    created_.push_back(name);
    return name;
  }

 private:
  Admin& admin_;
  const std::string prefix_;
  std::vector<std::string> created_;
};

}  // namespace

absl::StatusOr<CompactionRun> RunCompaction(Admin& admin, const std::string& bootstrap,
                                            const std::string& topic_prefix,
                                            const WorkloadOptions& options) {
  if (options.key_count < 1) {
    return absl::InvalidArgumentError("the compaction workload needs --keys >= 1");
  }
  Topics topics(admin, topic_prefix);
  absl::StatusOr<std::string> compacted = topics.Create(
      "compacted", options.partitions, {{"cleanup.policy", "compact"}});
  if (!compacted.ok()) return compacted.status();
  CompactionRun run;

  if (absl::Status s = Fill(admin, bootstrap, *compacted, options); !s.ok()) return s;
  absl::StatusOr<CompactionResult> timed = Compact(admin, *compacted);
  if (!timed.ok()) return timed.status();
  run.compaction = *timed;
  fmt::print(stderr, "compaction: {:.1f} MB read in {:.2f} s ({:.1f} MB/s), {} records removed\n",
             static_cast<double>(timed->bytes_read) / 1e6, timed->seconds,
             timed->megabytes_per_second(), timed->records_removed);

  // Refill before the run alone, not between the two runs: both then start from the same
  // store (the refill's flushes behind them), and the only difference is the compaction.
  if (absl::Status s = Fill(admin, bootstrap, *compacted, options); !s.ok()) return s;
  WorkloadOptions produce = options;
  produce.key_count = 0;
  absl::StatusOr<std::string> alone = topics.Create("alone", options.partitions, {});
  if (!alone.ok()) return alone.status();
  absl::StatusOr<RunResult> produced_alone = RunProduce(bootstrap, *alone, produce);
  if (!produced_alone.ok()) return produced_alone.status();
  run.produce_alone = *produced_alone;

  absl::StatusOr<std::string> during = topics.Create("during", options.partitions, {});
  if (!during.ok()) return during.status();
  CompactionLoop loop(admin, bootstrap, *compacted, options);
  loop.WaitStarted();
  const auto from = Clock::now();
  absl::StatusOr<RunResult> produced_during = RunProduce(bootstrap, *during, produce);
  const auto to = Clock::now();
  if (absl::Status s = loop.Stop(); !s.ok()) return s;
  if (!produced_during.ok()) return produced_during.status();
  run.produce_during = *produced_during;
  run.concurrent = loop.During(from, to);
  return run;
}

}  // namespace brook::bench
