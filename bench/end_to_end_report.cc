#include "bench/end_to_end_report.h"

#include "bench/report.h"
#include "fmt/format.h"

namespace brook::bench {
namespace {

constexpr double kQuantiles[] = {0.5, 0.9, 0.99, 0.999, 1.0};
constexpr const char* kQuantileNames[] = {"p50", "p90", "p99", "p99.9", "max"};
// The quantiles of the JSON "spectrum" (the whole distribution, for plots).
constexpr double kSpectrum[] = {0,     0.25,   0.5,    0.75,    0.9,     0.95,  0.99,
                                0.995, 0.999, 0.9995, 0.9999, 0.99999, 1.0};

double Ms(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

double MedianRate(const EndToEndReport& report) {
  std::vector<double> rates;
  for (const EndToEndResult& r : report.runs) rates.push_back(r.achieved_rate());
  return Median(rates);
}

}  // namespace

double EndToEndReport::MedianMs(double quantile) const {
  std::vector<double> values;
  for (const EndToEndResult& r : runs) values.push_back(Ms(r.latency.ValueAt(quantile)));
  return Median(values);
}

double EndToEndReport::MedianCpuUsPerRecord() const {
  std::vector<double> values;
  for (const EndToEndResult& r : runs) {
    if (r.server_cpu_us_per_record() >= 0) values.push_back(r.server_cpu_us_per_record());
  }
  return values.empty() ? -1 : Median(values);
}

void PrintProgress(const std::string& system, int run, int runs, const EndToEndResult& result) {
  fmt::print(stderr, "e2e [{}] run {}/{}: p50 {:.3f} ms, p99 {:.3f} ms, max {:.3f} ms, {:.0f} records/s\n",
             system, run, runs, Ms(result.latency.ValueAt(0.5)), Ms(result.latency.ValueAt(0.99)),
             Ms(result.latency.max()), result.achieved_rate());
}

std::string FormatTable(const EndToEndOptions& options, const std::vector<EndToEndReport>& reports) {
  std::string out = fmt::format(
      "end-to-end latency at {:.0f} records/s offered, {}-byte values, {:.0f} s measured after "
      "{:.0f} s warm-up; ms, median of {} run(s); from each record's intended send time to its "
      "receipt (coordinated omission counted)\n",
      options.rate, options.value_size, options.seconds, options.warmup_seconds,
      reports.empty() ? 0 : reports[0].runs.size());
  out += fmt::format("  {:<36}", "system");
  for (const char* name : kQuantileNames) out += fmt::format("{:>10}", name);
  out += fmt::format("{:>12}{:>14}{:>18}\n", "records/s", "p99 vs brook", "server CPU us/rec");
  for (const EndToEndReport& r : reports) {
    out += fmt::format("  {:<36}", r.system);
    for (double q : kQuantiles) out += fmt::format("{:>10.3f}", r.MedianMs(q));
    const double brook_p99 = reports[0].MedianMs(0.99);
    const double cpu = r.MedianCpuUsPerRecord();
    out += fmt::format("{:>12.0f}{:>13.2f}x{:>18}\n", MedianRate(r),
                       brook_p99 > 0 ? r.MedianMs(0.99) / brook_p99 : 0,
                       cpu >= 0 ? fmt::format("{:.2f}", cpu) : "n/a");
  }
  for (const EndToEndReport& r : reports) out += fmt::format("  {}: {}\n", r.system, r.settings);
  return out;
}

boost::json::object ToJson(const EndToEndOptions& options, const std::vector<EndToEndReport>& reports) {
  boost::json::array systems;
  for (const EndToEndReport& r : reports) {
    boost::json::array runs;
    for (const EndToEndResult& run : r.runs) {
      boost::json::object fields;
      for (size_t i = 0; i < std::size(kQuantiles); ++i) {
        fields[fmt::format("{}_ms", kQuantileNames[i])] = Rounded(Ms(run.latency.ValueAt(kQuantiles[i])), 4);
      }
      fields["received"] = run.received;
      fields["errors"] = run.errors;
      fields["achieved_rate"] = Rounded(run.achieved_rate(), 1);
      fields["server_cpu_seconds"] = RoundedOrNull(run.server_cpu_seconds, 6);
      runs.push_back(std::move(fields));
    }
    boost::json::object system;
    system["system"] = r.system;
    system["settings"] = r.settings;
    system["runs"] = std::move(runs);
    for (size_t i = 0; i < std::size(kQuantiles); ++i) {
      system[fmt::format("median_{}_ms", kQuantileNames[i])] = Rounded(r.MedianMs(kQuantiles[i]), 4);
    }
    system["median_server_cpu_us_per_record"] = RoundedOrNull(r.MedianCpuUsPerRecord(), 4);
    // The distribution of every run's records together, for plots.
    LatencyHistogram all;
    for (const EndToEndResult& run : r.runs) all.Merge(run.latency);
    boost::json::array spectrum;
    for (double q : kSpectrum) spectrum.push_back(boost::json::array{q, Rounded(Ms(all.ValueAt(q)), 4)});
    system["spectrum"] = std::move(spectrum);
    systems.push_back(std::move(system));
  }
  boost::json::object out;
  out["rate"] = Rounded(options.rate, 1);
  out["seconds"] = Rounded(options.seconds, 1);
  out["warmup_seconds"] = Rounded(options.warmup_seconds, 1);
  out["value_size"] = options.value_size;
  out["systems"] = std::move(systems);
  return out;
}

}  // namespace brook::bench
