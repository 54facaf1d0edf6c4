#include "bench/compare_report.h"

#include "fmt/format.h"

namespace brook::bench {
namespace {

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

// The cell of `peer` in `row`, or null when the peer did not run it.
const CompareCell* PeerCell(const CompareRow& row, std::string_view peer) {
  for (const CompareCell& cell : row.cells) {
    if (cell.report.target == peer) return &cell;
  }
  return nullptr;
}

// brook's median over the peer's, or 0 when either is missing.
double Ratio(const CompareRow& row, std::string_view peer) {
  const CompareCell* cell = PeerCell(row, peer);
  if (cell == nullptr || row.cells.empty()) return 0;
  const double theirs = cell->report.median_records_per_second();
  return theirs > 0 ? row.cells[0].report.median_records_per_second() / theirs : 0;
}

}  // namespace

std::string FormatTable(const CompareReport& report) {
  const WorkloadOptions& o = report.options;
  std::string out = fmt::format(
      "brook bench compare: {} records x {} B values{}, median of {} run(s), records/s; brook "
      "{} with {} partitions; all on loopback\n\n",
      Thousands(static_cast<double>(o.records)), o.value_size,
      o.key_count > 0 ? fmt::format(" over {} keys", o.key_count) : "", report.runs,
      report.target == "embedded" ? "embedded in the bench process" : "at " + report.target,
      o.partitions);
  out += fmt::format("{:<34}{:>12}", "workload", "brook");
  for (const char* peer : kComparePeers) out += fmt::format("{:>17}{:>9}", peer, "ratio");
  out += "\n";
  for (const CompareRow& row : report.rows) {
    out += fmt::format("{:<34}{:>12}", row.title,
                       Thousands(row.cells[0].report.median_records_per_second()));
    for (const char* peer : kComparePeers) {
      const CompareCell* cell = PeerCell(row, peer);
      if (cell == nullptr) {
        out += fmt::format("{:>17}{:>9}", "n/a", "");
      } else {
        out += fmt::format("{:>17}{:>8.1f}x", Thousands(cell->report.median_records_per_second()),
                           Ratio(row, peer));
      }
    }
    out += "\n";
  }
  out += "(ratio = brook / that peer)\n\nsettings and runs (records/s)\n";
  for (const CompareRow& row : report.rows) {
    out += fmt::format("  {}\n", row.title);
    for (const CompareCell& cell : row.cells) {
      std::string runs;
      for (const RunResult& r : cell.report.runs) {
        runs += fmt::format("{}{}{}", runs.empty() ? "" : " · ", Thousands(r.records_per_second()),
                            r.errors > 0 ? fmt::format(" ({} ERRORS)", r.errors) : "");
      }
      out += fmt::format("    {:<15} {}\n    {:<15} runs {}\n", cell.report.target, cell.settings,
                         "", runs);
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
          "\"median_megabytes_per_second\":{:.2f}}}",
          cells.empty() ? "" : ",", JsonString(cell.report.target), JsonString(cell.settings),
          RunsJson(cell.report.runs), cell.report.median_records_per_second(),
          cell.report.median_megabytes_per_second());
    }
    std::string ratios;
    for (const char* peer : kComparePeers) {
      if (PeerCell(row, peer) == nullptr) continue;
      ratios += fmt::format("{}{}:{:.3f}", ratios.empty() ? "" : ",", JsonString(peer), Ratio(row, peer));
    }
    rows += fmt::format(
        "{}{{\"workload\":{},\"title\":{},\"systems\":[{}],\"ratio_brook_to\":{{{}}},"
        "\"missing\":{}}}",
        rows.empty() ? "" : ",", JsonString(row.workload), JsonString(row.title), cells, ratios,
        JsonString(row.missing));
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
