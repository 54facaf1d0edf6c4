#include "bench/report.h"

#include <algorithm>
#include <cmath>

#include "client/producer.h"
#include "fmt/format.h"

namespace brook::bench {
namespace {

std::string AcksName(int acks) { return acks == -1 ? "all" : std::to_string(acks); }

bool Idempotent(int acks, std::optional<bool> idempotence) {
  return ProducerOptions{.acks = static_cast<int16_t>(acks), .idempotence = idempotence}
      .idempotent();
}

template <class Fn>
double MedianOf(const std::vector<CompactionRun>& runs, Fn fn) {
  std::vector<double> values;
  for (const CompactionRun& r : runs) values.push_back(static_cast<double>(fn(r)));
  return Median(values);
}

// The headline figures of a compaction report, medians over its runs.
struct CompactionMedians {
  explicit CompactionMedians(const std::vector<CompactionRun>& runs)
      : compaction_mb_per_s(MedianOf(runs, [](const auto& r) {
          return r.compaction.megabytes_per_second();
        })),
        compaction_mb_read(MedianOf(runs, [](const auto& r) {
          return static_cast<double>(r.compaction.bytes_read) / 1e6;
        })),
        records_removed(MedianOf(runs, [](const auto& r) { return r.compaction.records_removed; })),
        alone(MedianOf(runs, [](const auto& r) { return r.produce_alone.records_per_second(); })),
        during(MedianOf(runs, [](const auto& r) { return r.produce_during.records_per_second(); })),
        ratio(MedianOf(runs, [](const auto& r) { return r.produce_ratio(); })),
        passes(MedianOf(runs, [](const auto& r) { return r.concurrent.passes; })),
        pass_mb_per_s(MedianOf(runs, [](const auto& r) {
          return r.concurrent.work.megabytes_per_second();
        })),
        busy(MedianOf(runs, [](const auto& r) { return r.concurrent.busy_fraction; })) {}
  double compaction_mb_per_s, compaction_mb_read, records_removed, alone, during, ratio, passes,
      pass_mb_per_s, busy;
};

}  // namespace

std::string AcksAndIdempotence(int acks, std::optional<bool> idempotence) {
  if (acks != -1) return "acks=" + AcksName(acks);
  return Idempotent(acks, idempotence) ? "acks=all, idempotent" : "acks=all, not idempotent";
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

double WorkloadReport::median_records_per_second() const {
  std::vector<double> values;
  for (const RunResult& r : runs) values.push_back(r.records_per_second());
  return Median(values);
}

double WorkloadReport::median_server_cpu_us_per_record() const {
  std::vector<double> values;
  for (const RunResult& r : runs) {
    if (r.server_cpu_us_per_record() >= 0) values.push_back(r.server_cpu_us_per_record());
  }
  return values.empty() ? -1 : Median(values);
}

std::string JsonNumberOrNull(double value, int decimals) {
  return value < 0 ? "null" : fmt::format("{:.{}f}", value, decimals);
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
      "{} producer(s), {}, batch {} B, linger {} ms, compression {}\n",
      report.workload, report.target, o.records, o.value_size, o.partitions, o.producers,
      AcksAndIdempotence(o.acks, o.idempotence), o.batch_bytes, o.linger_ms, o.compression);
  out += "runs      ";
  for (const RunResult& r : report.runs) out += fmt::format(" {:.0f}", r.records_per_second());
  out += " records/s\n";
  out += fmt::format("median     {:.0f} records/s ({:.1f} MB/s of values)\n",
                     report.median_records_per_second(), report.median_megabytes_per_second());
  if (const double cpu = report.median_server_cpu_us_per_record(); cpu >= 0) {
    out += fmt::format("broker CPU {:.3f} us per record (median)\n", cpu);
  }
  return out;
}

std::string RunsJson(const std::vector<RunResult>& runs) {
  std::string out;
  for (const RunResult& r : runs) {
    out += fmt::format("{}{{\"records\":{},\"seconds\":{:.6f},\"records_per_second\":{:.1f},"
                       "\"errors\":{},\"server_cpu_seconds\":{}}}",
                       out.empty() ? "" : ",", r.records, r.seconds, r.records_per_second(),
                       r.errors, JsonNumberOrNull(r.server_cpu_seconds, 6));
  }
  return out;
}

std::string FormatJson(const WorkloadReport& report) {
  const WorkloadOptions& o = report.options;
  return fmt::format(
      "{{\"workload\":\"{}\",\"target\":\"{}\",\"options\":{{\"records\":{},\"value_size\":{},"
      "\"partitions\":{},\"producers\":{},\"acks\":\"{}\",\"idempotent\":{},\"batch_bytes\":{},"
      "\"linger_ms\":{},\"compression\":\"{}\",\"key_count\":{}}},\"runs\":[{}],"
      "\"median_records_per_second\":{:.1f},\"median_megabytes_per_second\":{:.2f},"
      "\"median_server_cpu_us_per_record\":{}}}\n",
      report.workload, report.target, o.records, o.value_size, o.partitions, o.producers,
      AcksName(o.acks), Idempotent(o.acks, o.idempotence), o.batch_bytes, o.linger_ms, o.compression, o.key_count,
      RunsJson(report.runs), report.median_records_per_second(),
      report.median_megabytes_per_second(),
      JsonNumberOrNull(report.median_server_cpu_us_per_record(), 4));
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

void PrintProgress(int run, int runs, const CompactionRun& r) {
  fmt::print(stderr,
             "compaction run {}/{}: compaction {:.1f} MB/s; produce alone {:.0f} records/s, "
             "during compaction {:.0f} records/s (ratio {:.2f}; {} pass(es), busy {:.0f}%, "
             "{} refill(s)){}\n",
             run, runs, r.compaction.megabytes_per_second(),
             r.produce_alone.records_per_second(), r.produce_during.records_per_second(),
             r.produce_ratio(), r.concurrent.passes, r.concurrent.busy_fraction * 100,
             r.concurrent.refills,
             r.produce_alone.errors + r.produce_during.errors
                 ? fmt::format(", {} ERRORS", r.produce_alone.errors + r.produce_during.errors)
                 : "");
}

std::string FormatTable(const CompactionReport& report) {
  const WorkloadOptions& o = report.options;
  const CompactionMedians m(report.runs);
  std::string out = fmt::format(
      "workload   compaction\ntarget     {}\nsetup      {} records over {} keys x {} B values, "
      "{} partition(s); produce runs: {} records, no keys, acks={}\nlimit      {}\n",
      report.target, o.records, o.key_count, o.value_size, o.partitions, o.records,
      AcksName(o.acks), report.rate_limit);
  out += "runs (compaction MB/s, produce alone / during records/s, ratio)\n";
  for (const CompactionRun& r : report.runs) {
    out += fmt::format("           {:.1f} MB/s, {:.0f} / {:.0f}, {:.2f}\n",
                       r.compaction.megabytes_per_second(), r.produce_alone.records_per_second(),
                       r.produce_during.records_per_second(), r.produce_ratio());
  }
  out += fmt::format(
      "compaction {:.1f} MB/s of log read ({:.1f} MB, {:.0f} records removed), median; bytes "
      "read count the dirty part twice (key map, then rewrite)\n"
      "produce    {:.0f} records/s alone, {:.0f} records/s during compaction: ratio {:.2f} "
      "(target >= 0.80), medians\nconcurrent {:.0f} compaction pass(es) during the produce run "
      "at {:.1f} MB/s, active {:.0f}% of it, medians\n",
      m.compaction_mb_per_s, m.compaction_mb_read, m.records_removed, m.alone, m.during, m.ratio,
      m.passes, m.pass_mb_per_s, m.busy * 100);
  return out;
}

std::string FormatJson(const CompactionReport& report) {
  const WorkloadOptions& o = report.options;
  const CompactionMedians m(report.runs);
  std::string runs;
  for (const CompactionRun& r : report.runs) {
    const CompactionResult& c = r.compaction;
    const ConcurrentCompaction& k = r.concurrent;
    runs += fmt::format(
        "{}{{\"compaction\":{{\"bytes_read\":{},\"bytes_written\":{},\"records_removed\":{},"
        "\"tombstones_removed\":{},\"seconds\":{:.6f},\"megabytes_per_second\":{:.2f}}},"
        "\"produce_alone_records_per_second\":{:.1f},"
        "\"produce_during_records_per_second\":{:.1f},\"ratio\":{:.4f},"
        "\"concurrent\":{{\"passes\":{},\"refills\":{},\"bytes_read\":{},\"seconds\":{:.6f},"
        "\"megabytes_per_second\":{:.2f},\"busy_fraction\":{:.4f}}},\"errors\":{}}}",
        runs.empty() ? "" : ",", c.bytes_read, c.bytes_written, c.records_removed,
        c.tombstones_removed, c.seconds, c.megabytes_per_second(),
        r.produce_alone.records_per_second(), r.produce_during.records_per_second(),
        r.produce_ratio(), k.passes, k.refills, k.work.bytes_read, k.work.seconds,
        k.work.megabytes_per_second(), k.busy_fraction,
        r.produce_alone.errors + r.produce_during.errors);
  }
  return fmt::format(
      "{{\"workload\":\"compaction\",\"target\":\"{}\",\"rate_limit\":\"{}\","
      "\"options\":{{\"records\":{},\"key_count\":{},\"value_size\":{},\"partitions\":{},"
      "\"acks\":\"{}\",\"batch_bytes\":{},\"linger_ms\":{},\"compression\":\"{}\"}},"
      "\"runs\":[{}],\"median_compaction_megabytes_per_second\":{:.2f},"
      "\"median_produce_alone_records_per_second\":{:.1f},"
      "\"median_produce_during_records_per_second\":{:.1f},\"median_ratio\":{:.4f}}}\n",
      report.target, report.rate_limit, o.records, o.key_count, o.value_size, o.partitions,
      AcksName(o.acks), o.batch_bytes, o.linger_ms, o.compression, runs, m.compaction_mb_per_s,
      m.alone, m.during, m.ratio);
}

}  // namespace brook::bench
