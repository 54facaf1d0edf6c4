// bench/startup_workload.h: the `startup` workload: what a test harness pays to get a fresh
// broker of its own, from spawning `brook serve` to its exit.
//
// One cycle: fork and exec the brook binary `serve --listen 127.0.0.1:0 --kafka-listen
// 127.0.0.1:0 --http-listen 127.0.0.1:0 --exit-with-parent` (and --in-memory, or --data-dir in a fresh temp dir); read
// its ready line from the stdout pipe (spawn -> ready); create a topic, produce one record
// (acks=all) and consume it with brook's client; SIGTERM it and wait for its exit (the whole
// cycle). The temp dir is made before and removed after the clock runs. The broker's stderr
// is the bench's own, so its errors show.
// Thread-safety: a cycle forks; run cycles from one thread.
#pragma once

#include <filesystem>

#include "absl/status/statusor.h"

namespace brook::bench {

struct StartupCycle {
  double ready_ms = 0;  // Spawn until the ready line was read.
  double cycle_ms = 0;  // Spawn until the broker had exited, after one produce and consume.
  // CPU time (user + system, all threads) the broker process used in the cycle: unlike the
  // times above, barely affected by other processes competing for the machine.
  double broker_cpu_ms = 0;
};

// Runs one cycle of the brook binary at `brook`. Errors: INTERNAL when the temp dir, the pipe
// or the child cannot be made; UNAVAILABLE when the broker exits before its ready line or
// with a non-zero status; those of ParseReadyLine and of brook's client.
absl::StatusOr<StartupCycle> RunStartupCycle(const std::filesystem::path& brook, bool in_memory);

}  // namespace brook::bench
