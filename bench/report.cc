#include "bench/report.h"

#include <algorithm>
#include <cmath>

#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/json/json.h"

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

boost::json::value Rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

boost::json::value RoundedOrNull(double value, int decimals) {
  return value < 0 ? boost::json::value(nullptr) : Rounded(value, decimals);
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

boost::json::array RunsJson(const std::vector<RunResult>& runs) {
  boost::json::array out;
  for (const RunResult& r : runs) {
    boost::json::object run;
    run["records"] = r.records;
    run["seconds"] = Rounded(r.seconds, 6);
    run["records_per_second"] = Rounded(r.records_per_second(), 1);
    run["errors"] = r.errors;
    run["server_cpu_seconds"] = RoundedOrNull(r.server_cpu_seconds, 6);
    out.push_back(std::move(run));
  }
  return out;
}

boost::json::object OptionsJson(const WorkloadOptions& o,
                                std::initializer_list<std::string_view> names) {
  const boost::json::object all{{"records", o.records},
                                {"value_size", o.value_size},
                                {"key_count", o.key_count},
                                {"partitions", o.partitions},
                                {"producers", o.producers},
                                {"consumers", o.consumers},
                                {"acks", AcksName(o.acks)},
                                {"idempotent", Idempotent(o.acks, o.idempotence)},
                                {"batch_bytes", o.batch_bytes},
                                {"linger_ms", o.linger_ms},
                                {"compression", o.compression},
                                {"assignor", o.assignor}};
  boost::json::object out;
  for (std::string_view name : names) out[name] = all.at(name);
  return out;
}

std::string FormatJson(const WorkloadReport& report) {
  const boost::json::object out{
      {"workload", report.workload},
      {"target", report.target},
      {"options", OptionsJson(report.options, {"records", "value_size", "partitions", "producers",
                                               "acks", "idempotent", "batch_bytes", "linger_ms",
                                               "compression", "key_count"})},
      {"runs", RunsJson(report.runs)},
      {"median_records_per_second", Rounded(report.median_records_per_second(), 1)},
      {"median_megabytes_per_second", Rounded(report.median_megabytes_per_second(), 2)},
      {"median_server_cpu_us_per_record",
       RoundedOrNull(report.median_server_cpu_us_per_record(), 4)}};
  return json::Text(out) + "\n";
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
  boost::json::array samples;
  for (double ms : report.samples_ms) samples.push_back(Rounded(ms, 3));
  const boost::json::object out{
      {"workload", report.workload},
      {"target", report.target},
      {"options", OptionsJson(report.options, {"consumers", "partitions", "assignor"})},
      {"samples_ms", std::move(samples)},
      {"median_ms", Rounded(Median(sorted), 3)},
      {"p90_ms", Rounded(Percentile(sorted, 90), 3)},
      {"p99_ms", Rounded(Percentile(sorted, 99), 3)},
      {"max_ms", Rounded(sorted.empty() ? 0 : sorted.back(), 3)}};
  return json::Text(out) + "\n";
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
  const CompactionMedians m(report.runs);
  boost::json::array runs;
  for (const CompactionRun& r : report.runs) {
    const CompactionResult& c = r.compaction;
    const ConcurrentCompaction& k = r.concurrent;
    boost::json::object compaction;
    compaction["bytes_read"] = c.bytes_read;
    compaction["bytes_written"] = c.bytes_written;
    compaction["records_removed"] = c.records_removed;
    compaction["tombstones_removed"] = c.tombstones_removed;
    compaction["seconds"] = Rounded(c.seconds, 6);
    compaction["megabytes_per_second"] = Rounded(c.megabytes_per_second(), 2);
    boost::json::object concurrent;
    concurrent["passes"] = k.passes;
    concurrent["refills"] = k.refills;
    concurrent["bytes_read"] = k.work.bytes_read;
    concurrent["seconds"] = Rounded(k.work.seconds, 6);
    concurrent["megabytes_per_second"] = Rounded(k.work.megabytes_per_second(), 2);
    concurrent["busy_fraction"] = Rounded(k.busy_fraction, 4);
    boost::json::object run;
    run["compaction"] = std::move(compaction);
    run["produce_alone_records_per_second"] = Rounded(r.produce_alone.records_per_second(), 1);
    run["produce_during_records_per_second"] = Rounded(r.produce_during.records_per_second(), 1);
    run["ratio"] = Rounded(r.produce_ratio(), 4);
    run["concurrent"] = std::move(concurrent);
    run["errors"] = r.produce_alone.errors + r.produce_during.errors;
    runs.push_back(std::move(run));
  }
  const boost::json::object out{
      {"workload", "compaction"},
      {"target", report.target},
      {"rate_limit", report.rate_limit},
      {"options", OptionsJson(report.options, {"records", "key_count", "value_size", "partitions",
                                               "acks", "batch_bytes", "linger_ms",
                                               "compression"})},
      {"runs", std::move(runs)},
      {"median_compaction_megabytes_per_second", Rounded(m.compaction_mb_per_s, 2)},
      {"median_produce_alone_records_per_second", Rounded(m.alone, 1)},
      {"median_produce_during_records_per_second", Rounded(m.during, 1)},
      {"median_ratio", Rounded(m.ratio, 4)}};
  return json::Text(out) + "\n";
}

}  // namespace brook::bench
