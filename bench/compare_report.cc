#include "bench/compare_report.h"

#include "fmt/format.h"

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
  const WorkloadOptions& o = report.options;
  std::string rows;
  for (const CompareRow& row : report.rows) {
    std::string cells;
    for (const CompareCell& cell : row.cells) {
      cells += fmt::format(
          "{}{{\"system\":{},\"settings\":{},\"runs\":[{}],\"median_records_per_second\":{:.1f},"
          "\"median_megabytes_per_second\":{:.2f},\"median_server_cpu_us_per_record\":{}}}",
          cells.empty() ? "" : ",", JsonString(cell.report.target), JsonString(cell.settings),
          RunsJson(cell.report.runs), cell.report.median_records_per_second(),
          cell.report.median_megabytes_per_second(),
          JsonNumberOrNull(cell.report.median_server_cpu_us_per_record(), 4));
    }
    // {"system": ratio, ...} of `from` over every other system in the row.
    const auto ratios = [&row](std::string_view from, std::initializer_list<const char*> to) {
      std::string out;
      for (const char* system : to) {
        const double ratio = Ratio(row, from, system);
        if (ratio > 0) out += fmt::format("{}{}:{:.3f}", out.empty() ? "" : ",", JsonString(system), ratio);
      }
      return out;
    };
    rows += fmt::format(
        "{}{{\"workload\":{},\"title\":{},\"systems\":[{}],\"ratio_brook_to\":{{{}}},"
        "\"ratio_kafka_listener_to\":{{{}}},\"cpu_ratio_kafka_listener_to_brook\":{},"
        "\"missing\":{}}}",
        rows.empty() ? "" : ",", JsonString(row.workload), JsonString(row.title), cells,
        ratios("brook", {kComparePeers[0], kComparePeers[1]}),
        ratios(kKafkaListener, {"brook", kComparePeers[0], kComparePeers[1]}),
        JsonNumberOrNull(CpuRatio(row), 3), JsonString(row.missing));
  }
  std::string durability;
  for (const DurabilityNote& note : report.durability) {
    durability += fmt::format("{}{{\"system\":{},\"guarantee\":{}}}", durability.empty() ? "" : ",",
                              JsonString(note.system), JsonString(note.text));
  }
  return fmt::format(
      "{{\"workload\":\"compare\",\"target\":{},\"options\":{{\"records\":{},\"value_size\":{},"
      "\"key_count\":{},\"partitions\":{},\"batch_bytes\":{},\"linger_ms\":{}}},\"runs\":{},"
      "\"rows\":[{}],\"latency\":{},\"durability\":[{}]}}\n",
      JsonString(report.target), o.records, o.value_size, o.key_count, o.partitions, o.batch_bytes,
      o.linger_ms, report.runs, rows,
      report.latency.empty() ? "null" : FormatJson(report.latency_options, report.latency),
      durability);
}

}  // namespace brook::bench
