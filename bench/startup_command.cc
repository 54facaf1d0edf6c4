#include "bench/startup_command.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/report.h"
#include "bench/startup_workload.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/json/json.h"

namespace brook::bench {
namespace {

struct StartupOptions {
  int runs = 100;
  std::string mode = "both";  // disk | memory | both
  bool json = false;
};

// The cycles of one mode, as milliseconds sorted for percentiles.
struct ModeResult {
  std::string mode;  // "on disk" | "in memory"
  std::vector<double> ready_ms;
  std::vector<double> cycle_ms;
  std::vector<double> broker_cpu_ms;
};

absl::StatusOr<ModeResult> RunMode(const std::filesystem::path& brook, bool in_memory, int runs) {
  ModeResult result;
  result.mode = in_memory ? "in memory" : "on disk";
  for (int run = 1; run <= runs; ++run) {
    absl::StatusOr<StartupCycle> cycle = RunStartupCycle(brook, in_memory);
    if (!cycle.ok()) return cycle.status();
    result.ready_ms.push_back(cycle->ready_ms);
    result.cycle_ms.push_back(cycle->cycle_ms);
    result.broker_cpu_ms.push_back(cycle->broker_cpu_ms);
  }
  for (std::vector<double>* values : {&result.ready_ms, &result.cycle_ms, &result.broker_cpu_ms}) {
    std::sort(values->begin(), values->end());
  }
  fmt::print(stderr, "startup {}: {} runs, ready median {:.1f} ms\n", result.mode, runs,
             Median(result.ready_ms));
  return result;
}

std::string FormatTable(const std::vector<ModeResult>& results, int runs) {
  std::string text = fmt::format(
      "workload   startup: spawn `brook serve` (listeners on port 0), read its ready line, "
      "create a topic,\n           produce one record (acks=all) and consume it, SIGTERM, "
      "wait for the exit\nruns       {} per mode\n\n{:<11}{:>14}{:>11}{:>14}{:>11}{:>19}\n",
      runs, "mode", "ready median", "ready p99", "cycle median", "cycle p99",
      "broker CPU median");
  for (const ModeResult& r : results) {
    text += fmt::format("{:<11}{:>11.1f} ms{:>8.1f} ms{:>11.1f} ms{:>8.1f} ms{:>16.1f} ms\n",
                        r.mode, Median(r.ready_ms), Percentile(r.ready_ms, 99),
                        Median(r.cycle_ms), Percentile(r.cycle_ms, 99), Median(r.broker_cpu_ms));
  }
  return text;
}

std::string FormatJson(const std::vector<ModeResult>& results, int runs) {
  boost::json::array modes;
  for (const ModeResult& r : results) {
    boost::json::object mode;
    mode["mode"] = r.mode;
    mode["ready_median_ms"] = Rounded(Median(r.ready_ms), 3);
    mode["ready_p99_ms"] = Rounded(Percentile(r.ready_ms, 99), 3);
    mode["cycle_median_ms"] = Rounded(Median(r.cycle_ms), 3);
    mode["cycle_p99_ms"] = Rounded(Percentile(r.cycle_ms, 99), 3);
    mode["broker_cpu_median_ms"] = Rounded(Median(r.broker_cpu_ms), 3);
    modes.push_back(std::move(mode));
  }
  boost::json::object out;
  out["workload"] = "startup";
  out["runs"] = runs;
  out["modes"] = std::move(modes);
  return json::Text(out) + "\n";
}

int RunStartupBench(const StartupOptions& options) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) {
    fmt::print(stderr, "error: /proc/self/exe: {}\n", error.message());
    return 1;
  }
  std::vector<ModeResult> results;
  for (const bool in_memory : {false, true}) {
    if (options.mode != "both" && (options.mode == "memory") != in_memory) continue;
    absl::StatusOr<ModeResult> result = RunMode(self, in_memory, options.runs);
    if (!result.ok()) {
      fmt::print(stderr, "error: {}\n", MessageOf(result.status()));
      return 1;
    }
    results.push_back(*std::move(result));
  }
  fmt::print("{}", options.json ? FormatJson(results, options.runs)
                                : FormatTable(results, options.runs));
  return 0;
}

}  // namespace

void AddStartupCommand(CLI::App& bench, int* exit_code) {
  auto o = std::make_shared<StartupOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "startup", "Spawn `brook serve`, wait until ready, produce and consume one record, stop");
  cmd->add_option("--runs", o->runs, "Cycles per mode; the median and p99 are reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--mode", o->mode, "disk (a fresh temp data dir), memory (--in-memory) or both")
      ->check(CLI::IsMember({"disk", "memory", "both"}))
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o, exit_code] { *exit_code = RunStartupBench(*o); });
}

}  // namespace brook::bench
