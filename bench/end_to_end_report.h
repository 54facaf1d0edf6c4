// bench/end_to_end_report.h: how end-to-end latency results are shown: per system, the median
// over runs of p50, p90, p99, p99.9 and the maximum (ms), the rate achieved, and each peer's
// p99 as a multiple of brook's; or the same as JSON.
#pragma once

#include <string>
#include <vector>

#include "bench/end_to_end.h"

namespace brook::bench {

struct EndToEndReport {
  std::string system;    // "brook", "Redis Streams", "NATS JetStream".
  std::string settings;  // How it ran, in words.
  std::vector<EndToEndResult> runs;
  // The median over runs of the latency at `quantile` (1.0: the maximum), in ms.
  double MedianMs(double quantile) const;
};

// One line per run on stderr while a run ends.
void PrintProgress(const std::string& system, int run, int runs, const EndToEndResult& result);
// A table with one row per system (reports[0] is the reference for the p99 ratio).
std::string FormatTable(const EndToEndOptions& options, const std::vector<EndToEndReport>& reports);
// {"rate":..,"seconds":..,"warmup_seconds":..,"value_size":..,"systems":[{"system","settings",
//  "runs":[{"p50_ms",...,"max_ms","received","achieved_rate"}],"median_p50_ms",...,
//  "spectrum":[[quantile, ms],...] of all runs' records together}]}
std::string FormatJson(const EndToEndOptions& options, const std::vector<EndToEndReport>& reports);

}  // namespace brook::bench
