// bench/report.h: how `brook bench` shows results: a progress line per run on stderr, then a
// table for people or JSON for machines on stdout. The headline figure is the median of runs.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "bench/workload.h"

namespace brook::bench {

struct WorkloadReport {
  std::string workload;  // "produce", "consume"
  std::string target;    // "embedded" or the bootstrap address
  WorkloadOptions options;
  std::vector<RunResult> runs;

  double median_records_per_second() const;
  double median_megabytes_per_second() const;
  // The median over runs of the broker's CPU microseconds per record; -1 when not measured.
  double median_server_cpu_us_per_record() const;
};

// Latency samples of one workload (e.g. rebalance hand-over times), in milliseconds.
struct LatencyReport {
  std::string workload;
  std::string target;
  WorkloadOptions options;
  std::vector<double> samples_ms;
};

// The compaction workload: compaction rate, and produce throughput with and without a
// compaction running.
struct CompactionReport {
  std::string target;
  std::string rate_limit;  // Which compaction I/O bound applied, in words.
  WorkloadOptions options;
  std::vector<CompactionRun> runs;
};

// brook's producer settings in words: "acks=1", "acks=all, idempotent" or "acks=all, not
// idempotent" (ProducerOptions::idempotent()).
std::string AcksAndIdempotence(int acks, std::optional<bool> idempotence);

// The median of `values` (0 when there are none).
double Median(std::vector<double> values);
// Nearest-rank percentile of sorted values: the smallest value with at least p% (0 < p <= 100)
// at or below it; 0 when there are none.
double Percentile(const std::vector<double>& sorted, double p);
// `value` rounded to `decimals` decimals, as a JSON number.
boost::json::value Rounded(double value, int decimals);
// Rounded(value, decimals), or null when it is negative (not measured).
boost::json::value RoundedOrNull(double value, int decimals);

// The options called `names` ("records", "value_size", "key_count", "partitions", "producers",
// "consumers", "acks", "idempotent", "batch_bytes", "linger_ms", "compression", "assignor"), in
// that order.
boost::json::object OptionsJson(const WorkloadOptions& options,
                                std::initializer_list<std::string_view> names);

void PrintProgress(const std::string& workload, int run, int runs, const RunResult& result);
std::string FormatTable(const WorkloadReport& report);
std::string FormatJson(const WorkloadReport& report);
// The runs as JSON objects ({"records","seconds","records_per_second","errors",
// "server_cpu_seconds"}, the last null when not measured).
boost::json::array RunsJson(const std::vector<RunResult>& runs);
// Median, p90, p99 (nearest rank: with 20 samples the p99 is the maximum) and max.
std::string FormatTable(const LatencyReport& report);
std::string FormatJson(const LatencyReport& report);
// Medians over runs: compaction MB/s, produce records/s alone and during compaction, and
// their ratio (the median of the per-run ratios).
void PrintProgress(int run, int runs, const CompactionRun& result);
std::string FormatTable(const CompactionReport& report);
std::string FormatJson(const CompactionReport& report);

}  // namespace brook::bench
