#include "bench/end_to_end_command.h"

#include <memory>

#include "bench/end_to_end_report.h"
#include "bench/target.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

struct EndToEndCommandOptions {
  std::string bootstrap;
  int runs = 3;
  bool json = false;
  EndToEndOptions e2e;
};

int RunEndToEndBench(EndToEndCommandOptions& o) {
  absl::StatusOr<Target> target = ConnectTarget(o.bootstrap);
  if (!target.ok()) {
    fmt::print(stderr, "error: {}\n", MessageOf(target.status()));
    return 1;
  }
  EndToEndReport report{"brook", BrookEndToEndSettings(o.e2e), {}};
  for (int run = 1; run <= o.runs; ++run) {
    absl::StatusOr<std::string> topic = target->CreateTopic("e2e", run, o.e2e.partitions);
    if (!topic.ok()) {
      fmt::print(stderr, "error: {}\n", MessageOf(topic.status()));
      return 1;
    }
    absl::StatusOr<EndToEndResult> result = RunEndToEnd(target->bootstrap, *topic, o.e2e);
    (void)target->admin->DeleteTopic(*topic);
    if (!result.ok()) {
      fmt::print(stderr, "error: {}\n", MessageOf(result.status()));
      return 1;
    }
    PrintProgress("brook", run, o.runs, *result);
    report.runs.push_back(*std::move(result));
  }
  fmt::print("{}\n", o.json ? FormatJson(o.e2e, {report}) : FormatTable(o.e2e, {report}));
  for (const EndToEndResult& r : report.runs) {
    if (r.errors > 0) return 1;
  }
  return 0;
}

}  // namespace

void AddEndToEndOptions(CLI::App* cmd, EndToEndOptions& options, const std::string& prefix,
                        bool with_value_size) {
  cmd->add_option("--" + prefix + "rate", options.rate, "Records per second offered")
      ->check(CLI::Range(1.0, 10e6))
      ->capture_default_str();
  cmd->add_option("--" + prefix + "seconds", options.seconds, "Seconds measured per run")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--" + prefix + "warmup-seconds", options.warmup_seconds,
                  "Seconds sent first and not counted")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  if (with_value_size) {
    cmd->add_option("--value-size", options.value_size, "Bytes per value (at least 8)")
        ->check(CLI::Range(8, 1 << 20))
        ->capture_default_str();
  }
}

std::string BrookEndToEndSettings(const EndToEndOptions& options) {
  return fmt::format("acks={}, linger 0 ms, {} partitions, 1 consumer assigned all (long poll)",
                     options.acks == -1 ? "all" : std::to_string(options.acks),
                     options.partitions);
}

void AddEndToEndCommand(CLI::App& bench, int* exit_code) {
  auto o = std::make_shared<EndToEndCommandOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "e2e", "End-to-end latency at a fixed offered rate (produce -> consume)");
  cmd->add_option("--bootstrap", o->bootstrap,
                  "Broker to measure, HOST:PORT (default: an embedded broker in a temp dir)");
  cmd->add_option("--runs", o->runs, "Runs; the median of each percentile is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  AddEndToEndOptions(cmd, o->e2e, "", true);
  cmd->add_option("--partitions", o->e2e.partitions, "Partitions of the topic")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--acks", o->e2e.acks, "Producer acks: 0, 1 or -1 (all)")
      ->check(CLI::IsMember({0, 1, -1}))
      ->capture_default_str();
  cmd->callback([o, exit_code] { *exit_code = RunEndToEndBench(*o); });
}

}  // namespace brook::bench
