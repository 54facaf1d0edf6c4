// bench/end_to_end_report.h: how end-to-end latency results are shown: per system, the median
// over runs of p50, p90, p99, p99.9 and the maximum (ms), the rate achieved, each system's p99
// as a multiple of brook's, and the server's CPU per record when measured; or the same as JSON.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "bench/end_to_end.h"

namespace brook::bench {

struct EndToEndReport {
  std::string system;    // "brook", "brook (Kafka listener, librdkafka)", "Redis Streams", ...
  std::string settings;  // How it ran, in words.
  std::vector<EndToEndResult> runs;
  // The median over runs of the latency at `quantile` (1.0: the maximum), in ms.
  double MedianMs(double quantile) const;
  // The median over runs of the server's CPU microseconds per record; -1 when not measured.
  double MedianCpuUsPerRecord() const;
};

// One line per run on stderr while a run ends.
void PrintProgress(const std::string& system, int run, int runs, const EndToEndResult& result);
// A table with one row per system (reports[0] is the reference for the p99 ratio).
std::string FormatTable(const EndToEndOptions& options, const std::vector<EndToEndReport>& reports);
// {"rate":..,"seconds":..,"warmup_seconds":..,"value_size":..,"systems":[{"system","settings",
//  "runs":[{"p50_ms",...,"max_ms","received","errors","achieved_rate",
//  "server_cpu_seconds"}],
//  "median_p50_ms",...,"median_server_cpu_us_per_record",
//  "spectrum":[[quantile, ms],...] of all runs' records together}]} (CPU figures null when not
//  measured)
boost::json::object ToJson(const EndToEndOptions& options, const std::vector<EndToEndReport>& reports);

}  // namespace brook::bench
