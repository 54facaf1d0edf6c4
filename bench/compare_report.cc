#include "bench/compare_report.h"

#include "fmt/format.h"
#include "protocol/json/json.h"

namespace brook::bench {
namespace {

// The systems as the tables show them: name in the report, and column heading.
struct Column {
  const char* system;
  const char* heading;
};
constexpr Column kColumns[] = {{"brook", "brook"},
                               {kKafkaListener, "Kafka listener"},
                               {kComparePeers[0], kComparePeers[0]},
                               {kComparePeers[1], kComparePeers[1]}};
constexpr int kWidth = 17;  // Of a figure's column.

// 2156308.4 -> "2,156,308".
std::string Thousands(double value) {
  const std::string digits = fmt::format("{:.0f}", value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    const size_t left = digits.size() - i;  // Digits from here to the end.
    if (i > 0 && digits[i - 1] != '-' && left % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The cell of `system` in `row`, or null when that system did not run it.
const CompareCell* CellOf(const CompareRow& row, std::string_view system) {
  for (const CompareCell& cell : row.cells) {
    if (cell.report.target == system) return &cell;
  }
  return nullptr;
}

// The median records/s of `a` over `b`'s, or 0 when either is missing.
double Ratio(const CompareRow& row, std::string_view a, std::string_view b) {
  const CompareCell* x = CellOf(row, a);
  const CompareCell* y = CellOf(row, b);
  if (x == nullptr || y == nullptr) return 0;
  const double theirs = y->report.median_records_per_second();
  return theirs > 0 ? x->report.median_records_per_second() / theirs : 0;
}

// The median broker CPU per record of `system` in `row`, or -1 when unknown.
double CpuPerRecord(const CompareRow& row, std::string_view system) {
  const CompareCell* cell = CellOf(row, system);
  return cell == nullptr ? -1 : cell->report.median_server_cpu_us_per_record();
}

// The Kafka listener's CPU per record over brook's client's, or -1 when either is unknown.
double CpuRatio(const CompareRow& row) {
  const double kafka = CpuPerRecord(row, kKafkaListener);
  const double brook = CpuPerRecord(row, "brook");
  return kafka >= 0 && brook > 0 ? kafka / brook : -1;
}

std::string RatioCell(double ratio) {
  return ratio > 0 ? fmt::format("{:>{}.2f}x", ratio, kWidth - 1) : fmt::format("{:>{}}", "n/a", kWidth);
}

bool AnyCpu(const CompareReport& report) {
  for (const CompareRow& row : report.rows) {
    for (const CompareCell& cell : row.cells) {
      if (cell.report.median_server_cpu_us_per_record() >= 0) return true;
    }
  }
  return false;
}

std::string ThroughputTable(const CompareReport& report) {
  std::string out = fmt::format("{:<34}", "records/s");
  for (const Column& c : kColumns) out += fmt::format("{:>{}}", c.heading, kWidth);
  out += "\n";
  for (const CompareRow& row : report.rows) {
    out += fmt::format("{:<34}", row.title);
    for (const Column& c : kColumns) {
      const CompareCell* cell = CellOf(row, c.system);
      out += fmt::format("{:>{}}", cell ? Thousands(cell->report.median_records_per_second()) : "n/a",
                         kWidth);
    }
    out += "\n";
  }
  return out;
}

// Kafka listener / brook's client, then each of the two over each peer.
std::string RatioTable(const CompareReport& report) {
  std::string out = fmt::format("{:<34}{:>{}}", "ratios", "Kafka / brook", kWidth);
  for (const char* peer : kComparePeers) {
    const std::string_view short_name = std::string_view(peer).substr(0, std::string_view(peer).find(' '));
    out += fmt::format("{:>{}}{:>{}}", fmt::format("brook / {}", short_name), kWidth,
                       fmt::format("Kafka / {}", short_name), kWidth);
  }
  out += "\n";
  for (const CompareRow& row : report.rows) {
    out += fmt::format("{:<34}{}", row.title, RatioCell(Ratio(row, kKafkaListener, "brook")));
    for (const char* peer : kComparePeers) {
      out += RatioCell(Ratio(row, "brook", peer)) + RatioCell(Ratio(row, kKafkaListener, peer));
    }
    out += "\n";
  }
  return out;
}

std::string CpuTable(const CompareReport& report) {
  std::string out = fmt::format("{:<34}", "server CPU, us per record");
  for (const Column& c : kColumns) out += fmt::format("{:>{}}", c.heading, kWidth);
  out += fmt::format("{:>{}}\n", "Kafka / brook", kWidth);
  for (const CompareRow& row : report.rows) {
    out += fmt::format("{:<34}", row.title);
    for (const Column& c : kColumns) {
      const double cpu = CpuPerRecord(row, c.system);
      out += cpu >= 0 ? fmt::format("{:>{}.3f}", cpu, kWidth) : fmt::format("{:>{}}", "n/a", kWidth);
    }
    out += RatioCell(CpuRatio(row)) + "\n";
  }
  return out;
}

}  // namespace

std::string FormatTable(const CompareReport& report) {
  const WorkloadOptions& o = report.options;
  std::string out = fmt::format(
      "brook bench compare: {} records x {} B values{}, median of {} run(s); brook {} with {} "
      "partitions; all on loopback\n\n",
      Thousands(static_cast<double>(o.records)), o.value_size,
      o.key_count > 0 ? fmt::format(" over {} keys", o.key_count) : "", report.runs,
      report.target == "child process" ? "serve started by the bench (a child process)"
                                       : "at " + report.target,
      o.partitions);
  out += ThroughputTable(report) + "\n" + RatioTable(report);
  out += fmt::format("(brook: brook's own client; Kafka listener: {}, the same broker)\n",
                     kKafkaListener);
  if (AnyCpu(report)) {
    out += fmt::format("\n{}(the server process's CPU time, user + system, during the timed "
                       "part of each run, divided by its records)\n",
                       CpuTable(report));
  }
  out += "\nsettings and runs (records/s)\n";
  for (const CompareRow& row : report.rows) {
    out += fmt::format("  {}\n", row.title);
    for (const CompareCell& cell : row.cells) {
      std::string runs;
      for (const RunResult& r : cell.report.runs) {
        runs += fmt::format("{}{}{}", runs.empty() ? "" : " · ", Thousands(r.records_per_second()),
                            r.errors > 0 ? fmt::format(" ({} ERRORS)", r.errors) : "");
      }
      out += fmt::format("    {}: {}\n      runs {}\n", cell.report.target, cell.settings, runs);
    }
    if (!row.missing.empty()) out += fmt::format("    {}\n", row.missing);
  }
  if (!report.latency.empty()) {
    out += "\n" + FormatTable(report.latency_options, report.latency);
  }
  out += "\ndurability: what an acknowledged record survives at these settings\n";
  for (const DurabilityNote& note : report.durability) {
    out += fmt::format("  {}: {}\n", note.system, note.text);
  }
  return out;
}

std::string FormatJson(const CompareReport& report) {
  boost::json::array rows;
  for (const CompareRow& row : report.rows) {
    boost::json::array cells;
    for (const CompareCell& cell : row.cells) {
      boost::json::object system;
      system["system"] = cell.report.target;
      system["settings"] = cell.settings;
      system["runs"] = RunsJson(cell.report.runs);
      system["median_records_per_second"] = Rounded(cell.report.median_records_per_second(), 1);
      system["median_megabytes_per_second"] = Rounded(cell.report.median_megabytes_per_second(), 2);
      system["median_server_cpu_us_per_record"] =
          RoundedOrNull(cell.report.median_server_cpu_us_per_record(), 4);
      cells.push_back(std::move(system));
    }
    // {"system": ratio, ...} of `from` over every other system in the row.
    const auto ratios = [&row](std::string_view from, std::initializer_list<const char*> to) {
      boost::json::object out;
      for (const char* system : to) {
        const double ratio = Ratio(row, from, system);
        if (ratio > 0) out[system] = Rounded(ratio, 3);
      }
      return out;
    };
    boost::json::object out;
    out["workload"] = row.workload;
    out["title"] = row.title;
    out["systems"] = std::move(cells);
    out["ratio_brook_to"] = ratios("brook", {kComparePeers[0], kComparePeers[1]});
    out["ratio_kafka_listener_to"] =
        ratios(kKafkaListener, {"brook", kComparePeers[0], kComparePeers[1]});
    out["cpu_ratio_kafka_listener_to_brook"] = RoundedOrNull(CpuRatio(row), 3);
    out["missing"] = row.missing;
    rows.push_back(std::move(out));
  }
  boost::json::array durability;
  for (const DurabilityNote& note : report.durability) {
    durability.push_back(boost::json::object{{"system", note.system}, {"guarantee", note.text}});
  }
  const boost::json::object out{
      {"workload", "compare"},
      {"target", report.target},
      {"options", OptionsJson(report.options, {"records", "value_size", "key_count", "partitions",
                                               "batch_bytes", "linger_ms"})},
      {"runs", report.runs},
      {"rows", std::move(rows)},
      {"latency", report.latency.empty()
                      ? boost::json::value(nullptr)
                      : boost::json::value(ToJson(report.latency_options, report.latency))},
      {"durability", std::move(durability)}};
  return json::Text(out) + "\n";
}

}  // namespace brook::bench
