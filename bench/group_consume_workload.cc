// The `group-consume` workload: fill the topic (untimed), then --consumers members of one new
// consumer group read it all, committing after every poll (--commit async|sync). The clock runs
// from the first member's first assignment to the last record received by any member, so the
// group's join and any rebalance while members start are inside the measured interval.
#include <atomic>
#include <mutex>
#include <string>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "bench/workload.h"
#include "client/consumer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct GroupRun {
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> first_assigned_ns{0};  // Clock time since epoch; 0 = not yet.
  std::atomic<int64_t> last_record_ns{0};
  std::atomic<bool> failed{false};
  std::mutex error_mu;
  std::string error;

  void Fail(std::string message) {
    std::lock_guard lock(error_mu);
    if (error.empty()) error = std::move(message);
    failed = true;
  }
};

int64_t NowNs() { return Clock::now().time_since_epoch().count(); }

void RunMember(const std::string& bootstrap, const std::string& topic, const std::string& group,
               const WorkloadOptions& options, int index, GroupRun& run) {
  ConsumerOptions co;
  co.bootstrap = bootstrap;
  co.client_id = fmt::format("brook-bench-member-{}", index);
  co.group_id = group;
  co.auto_offset_reset = OffsetReset::kEarliest;
  co.enable_auto_commit = false;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Create(co);
  if (!consumer.ok()) return run.Fail(std::string(MessageOf(consumer.status())));
  Consumer::RebalanceCallbacks callbacks;
  callbacks.on_assigned = [&run](const std::vector<TopicPartition>& partitions) {
    int64_t unset = 0;
    if (!partitions.empty()) run.first_assigned_ns.compare_exchange_strong(unset, NowNs());
  };
  if (absl::Status s = (*consumer)->Subscribe({topic}, std::move(callbacks)); !s.ok()) {
    return run.Fail(std::string(MessageOf(s)));
  }
  const bool sync = options.commit == "sync";
  while (!run.failed && run.received.load() < options.records) {
    absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(std::chrono::milliseconds(200));
    if (!records.ok()) return run.Fail(std::string(MessageOf(records.status())));
    if (records->empty()) continue;
    int64_t bytes = 0;
    for (const ConsumerRecord& record : *records) {
      bytes += static_cast<int64_t>(record.value ? record.value->size() : 0);
    }
    run.bytes += bytes;
    run.received += static_cast<int64_t>(records->size());
    run.last_record_ns = NowNs();
    if (sync) {
      if (absl::Status s = (*consumer)->Commit(); !s.ok()) {
        return run.Fail(fmt::format("commit: {}", MessageOf(s)));
      }
    } else {
      (*consumer)->CommitAsync();
    }
  }
  (*consumer)->Close();
}

}  // namespace

absl::StatusOr<RunResult> RunGroupConsume(const std::string& bootstrap, const std::string& topic,
                                          const WorkloadOptions& options) {
  absl::StatusOr<RunResult> filled = RunProduce(bootstrap, topic, Unmeasured(options));
  if (!filled.ok()) return filled.status();
  if (filled->errors > 0) {
    return absl::InternalError(
        fmt::format("{} records failed while filling the topic", filled->errors));
  }
  const std::string group = fmt::format("{}-group", topic);
  WaitUntilServerIdle(options.server_cpu);
  GroupRun run;
  // The broker's CPU from the members' start until the main thread sees the last record.
  const CpuInterval cpu(options.server_cpu);
  std::vector<std::thread> members;
  for (int i = 0; i < options.consumers; ++i) {
    members.emplace_back([&, i] { RunMember(bootstrap, topic, group, options, i, run); });
  }
  const auto deadline = Clock::now() + std::chrono::minutes(5);
  while (!run.failed && run.received.load() < options.records && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double server_cpu_seconds = cpu.Seconds();
  if (run.received.load() < options.records) run.Fail("the group stalled");
  for (std::thread& member : members) member.join();
  if (!run.error.empty()) {
    return absl::InternalError(fmt::format("group consume after {} of {} records: {}",
                                           run.received.load(), options.records, run.error));
  }
  const double seconds =
      static_cast<double>(run.last_record_ns.load() - run.first_assigned_ns.load()) / 1e9;
  return RunResult{run.received.load(), run.bytes.load(), seconds,
                   run.received.load() - options.records, server_cpu_seconds};
}

}  // namespace brook::bench
