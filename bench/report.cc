#include "bench/report.h"

#include <algorithm>
#include <cmath>

#include "fmt/format.h"

namespace brook::bench {
namespace {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// Nearest-rank percentile of sorted values: the smallest value with at least p% at or below.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

std::string AcksName(int acks) { return acks == -1 ? "all" : std::to_string(acks); }

}  // namespace

double WorkloadReport::median_records_per_second() const {
  std::vector<double> values;
  for (const RunResult& r : runs) values.push_back(r.records_per_second());
  return Median(values);
}

double WorkloadReport::median_megabytes_per_second() const {
  std::vector<double> values;
  for (const RunResult& r : runs) values.push_back(r.megabytes_per_second());
  return Median(values);
}

void PrintProgress(const std::string& workload, int run, int runs, const RunResult& result) {
  fmt::print(stderr, "{} run {}/{}: {:.0f} records/s, {:.1f} MB/s, {:.2f} s{}\n", workload, run,
             runs, result.records_per_second(), result.megabytes_per_second(), result.seconds,
             result.errors ? fmt::format(", {} ERRORS", result.errors) : "");
}

std::string FormatTable(const WorkloadReport& report) {
  const WorkloadOptions& o = report.options;
  std::string out = fmt::format(
      "workload   {}\ntarget     {}\nsetup      {} records x {} B values, {} partitions, "
      "{} producer(s), acks={}, batch {} B, linger {} ms, compression {}\n",
      report.workload, report.target, o.records, o.value_size, o.partitions, o.producers,
      AcksName(o.acks), o.batch_bytes, o.linger_ms, o.compression);
  out += "runs      ";
  for (const RunResult& r : report.runs) out += fmt::format(" {:.0f}", r.records_per_second());
  out += " records/s\n";
  out += fmt::format("median     {:.0f} records/s ({:.1f} MB/s of values)\n",
                     report.median_records_per_second(), report.median_megabytes_per_second());
  return out;
}

std::string FormatJson(const WorkloadReport& report) {
  const WorkloadOptions& o = report.options;
  std::string runs;
  for (const RunResult& r : report.runs) {
    runs += fmt::format("{}{{\"records\":{},\"seconds\":{:.6f},\"records_per_second\":{:.1f},"
                        "\"errors\":{}}}",
                        runs.empty() ? "" : ",", r.records, r.seconds, r.records_per_second(),
                        r.errors);
  }
  return fmt::format(
      "{{\"workload\":\"{}\",\"target\":\"{}\",\"options\":{{\"records\":{},\"value_size\":{},"
      "\"partitions\":{},\"producers\":{},\"acks\":\"{}\",\"batch_bytes\":{},\"linger_ms\":{},"
      "\"compression\":\"{}\",\"key_count\":{}}},\"runs\":[{}],"
      "\"median_records_per_second\":{:.1f},\"median_megabytes_per_second\":{:.2f}}}\n",
      report.workload, report.target, o.records, o.value_size, o.partitions, o.producers,
      AcksName(o.acks), o.batch_bytes, o.linger_ms, o.compression, o.key_count, runs,
      report.median_records_per_second(), report.median_megabytes_per_second());
}

std::string FormatTable(const LatencyReport& report) {
  std::vector<double> sorted = report.samples_ms;
  std::sort(sorted.begin(), sorted.end());
  const WorkloadOptions& o = report.options;
  return fmt::format(
      "workload   {}\ntarget     {}\nsetup      {} members, {} partitions, assignor {}\n"
      "samples    {}\nmedian     {:.1f} ms\np90        {:.1f} ms\np99        {:.1f} ms\n"
      "max        {:.1f} ms\n",
      report.workload, report.target, o.consumers, o.partitions, o.assignor, sorted.size(),
      Median(sorted), Percentile(sorted, 90), Percentile(sorted, 99),
      sorted.empty() ? 0 : sorted.back());
}

std::string FormatJson(const LatencyReport& report) {
  std::vector<double> sorted = report.samples_ms;
  std::sort(sorted.begin(), sorted.end());
  std::string samples;
  for (double ms : report.samples_ms) samples += fmt::format("{}{:.3f}", samples.empty() ? "" : ",", ms);
  const WorkloadOptions& o = report.options;
  return fmt::format(
      "{{\"workload\":\"{}\",\"target\":\"{}\",\"options\":{{\"consumers\":{},"
      "\"partitions\":{},\"assignor\":\"{}\"}},\"samples_ms\":[{}],\"median_ms\":{:.3f},"
      "\"p90_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f}}}\n",
      report.workload, report.target, o.consumers, o.partitions, o.assignor, samples,
      Median(sorted), Percentile(sorted, 90), Percentile(sorted, 99),
      sorted.empty() ? 0 : sorted.back());
}

}  // namespace brook::bench
