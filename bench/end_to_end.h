// bench/end_to_end.h: the end-to-end latency workload's shared parts: its options and result,
// the fixed-rate send schedule, and how a record carries its intended send time. Every target
// (brook, and the peers of `brook bench compare`) runs the same schedule and measures the same
// way, so their figures compare.
//
// Latency of a record = the time its consumer received it - the time it was MEANT to be sent
// (the schedule), not the time it was sent: a producer that falls behind makes every record
// after it late, and that lateness is counted (coordinated omission is avoided). Records sent
// during the warm-up are received but not counted. Producer and consumer run in this process,
// so one steady clock serves both.
//
// Thread-safety: RateSchedule and the stamp functions are safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bench/latency_histogram.h"
#include "bench/server_cpu.h"

namespace brook::bench {

using SteadyClock = std::chrono::steady_clock;

struct EndToEndOptions {
  double rate = 10000;         // Records per second offered.
  double seconds = 10;         // Measured time (after the warm-up).
  double warmup_seconds = 2;   // Sent, received, not counted.
  int value_size = 100;        // Bytes per value (at least 8: the stamp).
  int partitions = 6;          // Of the benchmark topic (brook).
  int acks = 1;                // brook's producer acks.
  // The broker's CPU clock, read over each run (EndToEndResult::server_cpu_seconds); null: not
  // measured. When set, a run waits until the broker is idle before it connects its clients.
  const ServerCpu* server_cpu = nullptr;
  int64_t total_records() const {
    return static_cast<int64_t>((seconds + warmup_seconds) * rate);
  }
  int64_t warmup_records() const { return static_cast<int64_t>(warmup_seconds * rate); }
};

struct EndToEndResult {
  LatencyHistogram latency;  // Of the counted records, in nanoseconds.
  int64_t sent = 0;
  int64_t received = 0;      // Counted or not; a run is valid when received == sent.
  int64_t errors = 0;
  double seconds = 0;        // From the first intended send to the last receipt.
  double server_cpu_seconds = -1;  // The broker's CPU time over the run; -1: not measured.
  double achieved_rate() const { return seconds > 0 ? received / seconds : 0; }
  // Microseconds of broker CPU per record received (warm-up included); -1 when unknown.
  double server_cpu_us_per_record() const {
    return server_cpu_seconds >= 0 && received > 0 ? server_cpu_seconds * 1e6 / received : -1;
  }
};

// When record i is meant to be sent: start + i / rate.
class RateSchedule {
 public:
  RateSchedule(SteadyClock::time_point start, double rate) : start_(start), rate_(rate) {}
  SteadyClock::time_point Intended(int64_t i) const {
    return start_ + std::chrono::duration_cast<SteadyClock::duration>(
                        std::chrono::duration<double>(static_cast<double>(i) / rate_));
  }
  // Sleeps until record i's time (returns at once when behind: the backlog is sent now).
  // The calling thread's timer slack is set to 1 ns first: Linux otherwise lets a sleep end
  // up to 50 us late, and that lateness would count into every system's latency.
  void WaitFor(int64_t i) const;

 private:
  SteadyClock::time_point start_;
  double rate_;
};

// The times of one run: it starts 100 ms from construction (time to get ready), follows the
// schedule, counts latencies from the end of the warm-up, and gives up 30 s after the
// schedule's end. The broker's CPU (when options.server_cpu is set) is counted from
// construction to FinishRun.
struct RunTimes {
  explicit RunTimes(const EndToEndOptions& options);
  SteadyClock::time_point start;
  RateSchedule schedule;
  SteadyClock::time_point counted_from;
  SteadyClock::time_point deadline;
  CpuInterval server_cpu;
};

// Completes a run's result: `total` records sent, `errors` refused, the last one received at
// `last_receipt`. Errors: DEADLINE_EXCEEDED when some never arrived.
absl::StatusOr<EndToEndResult> FinishRun(EndToEndResult result, int64_t total, int64_t errors,
                                         const RunTimes& times,
                                         SteadyClock::time_point last_receipt);

// `filler` (value_size bytes) with its first 8 bytes replaced by `intended`.
std::string StampValue(std::string_view filler, SteadyClock::time_point intended);
// The intended send time a stamped value carries. REQUIRES: value.size() >= 8.
SteadyClock::time_point StampOf(std::string_view value);

// Adds a record received at `now` to `result`; its latency is counted when it was meant to be
// sent at or after `counted_from` (the end of the warm-up).
void RecordReceipt(EndToEndResult& result, std::string_view value,
                   SteadyClock::time_point counted_from, SteadyClock::time_point now);

// brook's run: a producer (linger 0, options.acks) sends options.total_records() keyless records
// to `topic` (an empty topic of options.partitions partitions) on the schedule; a consumer
// assigned every partition receives them. Errors: the producer or consumer cannot connect; a
// consumer error; not every record arrives within 30 s of the schedule's end.
absl::StatusOr<EndToEndResult> RunEndToEnd(const std::string& bootstrap, const std::string& topic,
                                           const EndToEndOptions& options);

}  // namespace brook::bench
