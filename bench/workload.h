// bench/workload.h: the named workloads of `brook bench` and what a run of one reports.
//
// A workload runs against a broker address and a topic it owns for the run (`compaction`
// creates and deletes its own topics). Each returns the measured interval only (setup such as
// filling a topic for `consume` is not timed).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/server_cpu.h"

namespace brook {
class Admin;
}  // namespace brook

namespace brook::bench {

struct WorkloadOptions {
  int64_t records = 2'000'000;   // Records per run.
  int value_size = 100;          // Bytes per value (random, incompressible).
  int64_t key_count = 0;         // Distinct keys; 0 = no keys (sticky partitioning).
  int partitions = 6;            // Partitions of the benchmark topic.
  int producers = 1;             // Concurrent producers (one thread and connection each).
  int acks = 1;                  // 0, 1 or -1 (all).
  // brook's producer: unset = idempotent with acks -1 only (ProducerOptions::idempotence).
  std::optional<bool> idempotence = std::nullopt;
  int batch_bytes = 256 << 10;   // Producer batch size.
  int linger_ms = 5;             // Producer linger.
  std::string compression = "none";  // A codec name: none | gzip | snappy | lz4 | zstd
  int consumers = 3;                 // Members of the group (group-consume, rebalance).
  std::string commit = "async";      // group-consume: commit after every poll, async | sync.
  std::string assignor = "cooperative-sticky";  // The group's assignor.
  // The broker's CPU clock, read when the workload's clock starts and stops (RunResult::
  // server_cpu_seconds); null: not measured (an embedded broker, or one whose pid is unknown).
  // When set, a workload waits until the broker is idle before it starts the clients of its
  // timed part (WaitUntilServerIdle).
  const ServerCpu* server_cpu = nullptr;
};

// `options` without the broker's CPU clock: for the untimed parts of a workload (filling a
// topic) and for a workload run inside another's timed part (the producers of `mixed`), which
// must not wait for an idle broker.
inline WorkloadOptions Unmeasured(const WorkloadOptions& options) {
  WorkloadOptions unmeasured = options;
  unmeasured.server_cpu = nullptr;
  return unmeasured;
}

struct RunResult {
  int64_t records = 0;
  int64_t bytes = 0;       // Value bytes moved.
  double seconds = 0;
  int64_t errors = 0;      // Records that failed (must be 0 for a valid run).
  double server_cpu_seconds = -1;  // The broker's CPU time in the timed interval; -1: unknown.
  double records_per_second() const { return seconds > 0 ? records / seconds : 0; }
  double megabytes_per_second() const { return seconds > 0 ? bytes / seconds / 1e6 : 0; }
  // Microseconds of broker CPU per record; -1 when unknown.
  double server_cpu_us_per_record() const {
    return server_cpu_seconds >= 0 && records > 0 ? server_cpu_seconds * 1e6 / records : -1;
  }
};

// The clock of a run's timed interval: wall time, and the broker's CPU time when
// `server_cpu` is set. Started at construction. Thread-safety: const methods from any thread.
class RunClock {
 public:
  explicit RunClock(const ServerCpu* server_cpu)
      : start_(std::chrono::steady_clock::now()), cpu_(server_cpu) {}
  // The result of a run that ends now.
  RunResult Stop(int64_t records, int64_t bytes, int64_t errors) const {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    return RunResult{records, bytes, elapsed.count(), errors, cpu_.Seconds()};
  }

 private:
  std::chrono::steady_clock::time_point start_;
  CpuInterval cpu_;
};

// Produces options.records records to `topic` and waits until all are acknowledged.
// Errors: a producer could not be created (e.g. the broker is unreachable).
absl::StatusOr<RunResult> RunProduce(const std::string& bootstrap, const std::string& topic,
                                     const WorkloadOptions& options);

// Fills `topic` (untimed), then reads every record back from the beginning with one consumer
// assigned all partitions. Errors: as RunProduce, or a consumer error.
absl::StatusOr<RunResult> RunConsume(const std::string& bootstrap, const std::string& topic,
                                     const WorkloadOptions& options);

// Produces (as RunProduce) and, at the same time, reads every record back with one consumer
// assigned all partitions; the clock runs from the first send until the consumer has every
// record. Errors: as RunConsume (a producer error; the consumer stalls for 10 s).
absl::StatusOr<RunResult> RunMixed(const std::string& bootstrap, const std::string& topic,
                                   const WorkloadOptions& options);

// Fills `topic` (untimed), then options.consumers members of a new group read every record,
// committing after each poll. Errors: as RunConsume; a member's error; a stalled group.
absl::StatusOr<RunResult> RunGroupConsume(const std::string& bootstrap, const std::string& topic,
                                          const WorkloadOptions& options);

// options.consumers - 1 members stay in a group on `topic`; `rebalances` times another member
// joins and leaves with Close(). Returns, per rebalance, the milliseconds from the start of
// Close() until the staying members own every partition again. Errors: a member's error, or a
// hand-over that does not happen within a minute.
// One or more compactions (CompactTopic), summed over partitions (and passes).
struct CompactionResult {
  int64_t bytes_read = 0;  // Bytes of log examined.
  int64_t bytes_written = 0;
  int64_t records_removed = 0;
  int64_t tombstones_removed = 0;
  double seconds = 0;  // Wall time of the CompactTopic call(s).
  double megabytes_per_second() const { return seconds > 0 ? bytes_read / seconds / 1e6 : 0; }
};

// The compactions that ran while a produce run was measured.
struct ConcurrentCompaction {
  int passes = 0;            // Compaction passes that overlapped the produce run.
  int refills = 0;           // Refills of the compacted topic that overlapped it (extra load).
  CompactionResult work;     // Those passes, whole.
  double busy_fraction = 0;  // Fraction of the produce run during which a pass was running.
};

struct CompactionRun {
  CompactionResult compaction;  // The timed compaction of a freshly filled topic.
  RunResult produce_alone;      // The produce workload with nothing else running...
  RunResult produce_during;     // ...and while the compacted topic is compacted again and again.
  ConcurrentCompaction concurrent;
  double produce_ratio() const {
    const double alone = produce_alone.records_per_second();
    return alone > 0 ? produce_during.records_per_second() / alone : 0;
  }
};

// Creates `topic_prefix`-compacted (cleanup.policy=compact, options.partitions), fills it with
// options.records records over options.key_count keys (untimed) and times CompactTopic on it;
// then measures the produce workload (no keys) on `topic_prefix`-alone, and again on
// `topic_prefix`-during while another thread refills and compacts the compacted topic in a
// loop. Deletes its topics. Errors: INVALID_ARGUMENT when key_count < 1; the errors of
// creating topics, producing, AlterTopicConfigs and CompactTopic, naming the topic.
absl::StatusOr<CompactionRun> RunCompaction(Admin& admin, const std::string& bootstrap,
                                            const std::string& topic_prefix,
                                            const WorkloadOptions& options);

absl::StatusOr<std::vector<double>> RunRebalance(const std::string& bootstrap,
                                                 const std::string& topic,
                                                 const WorkloadOptions& options, int rebalances);

}  // namespace brook::bench
