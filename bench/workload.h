// bench/workload.h: the named workloads of `brook bench` and what a run of one reports.
//
// A workload runs against a broker address and a topic it owns for the run. Each returns the
// measured interval only (setup such as filling a topic for `consume` is not timed).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace brook::bench {

struct WorkloadOptions {
  int64_t records = 2'000'000;   // Records per run.
  int value_size = 100;          // Bytes per value (random, incompressible).
  int64_t key_count = 0;         // Distinct keys; 0 = no keys (sticky partitioning).
  int partitions = 6;            // Partitions of the benchmark topic.
  int producers = 1;             // Concurrent producers (one thread and connection each).
  int acks = 1;                  // 0, 1 or -1 (all).
  int batch_bytes = 256 << 10;   // Producer batch size.
  int linger_ms = 5;             // Producer linger.
  std::string compression = "none";  // none | zstd
  int consumers = 3;                 // Members of the group (group-consume, rebalance).
  std::string commit = "async";      // group-consume: commit after every poll, async | sync.
  std::string assignor = "cooperative-sticky";  // The group's assignor.
};

struct RunResult {
  int64_t records = 0;
  int64_t bytes = 0;       // Value bytes moved.
  double seconds = 0;
  int64_t errors = 0;      // Records that failed (must be 0 for a valid run).
  double records_per_second() const { return seconds > 0 ? records / seconds : 0; }
  double megabytes_per_second() const { return seconds > 0 ? bytes / seconds / 1e6 : 0; }
};

// Produces options.records records to `topic` and waits until all are acknowledged.
// Errors: a producer could not be created (e.g. the broker is unreachable).
absl::StatusOr<RunResult> RunProduce(const std::string& bootstrap, const std::string& topic,
                                     const WorkloadOptions& options);

// Fills `topic` (untimed), then reads every record back from the beginning with one consumer
// assigned all partitions. Errors: as RunProduce, or a consumer error.
absl::StatusOr<RunResult> RunConsume(const std::string& bootstrap, const std::string& topic,
                                     const WorkloadOptions& options);

// Fills `topic` (untimed), then options.consumers members of a new group read every record,
// committing after each poll. Errors: as RunConsume; a member's error; a stalled group.
absl::StatusOr<RunResult> RunGroupConsume(const std::string& bootstrap, const std::string& topic,
                                          const WorkloadOptions& options);

// options.consumers - 1 members stay in a group on `topic`; `rebalances` times another member
// joins and leaves with Close(). Returns, per rebalance, the milliseconds from the start of
// Close() until the staying members own every partition again. Errors: a member's error, or a
// hand-over that does not happen within a minute.
absl::StatusOr<std::vector<double>> RunRebalance(const std::string& bootstrap,
                                                 const std::string& topic,
                                                 const WorkloadOptions& options, int rebalances);

}  // namespace brook::bench
