// `brook bench produce|consume`: runs a workload several times against an embedded broker
// (default) or --bootstrap, on a fresh topic per run, and reports the median.
#include "bench/bench_command.h"

#include <unistd.h>

#include <memory>

#include "bench/report.h"
#include "bench/workload.h"
#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

struct BenchOptions {
  std::string bootstrap;  // Empty: an embedded broker in a temp dir.
  int runs = 3;
  bool json = false;
  std::string acks = "1";
  WorkloadOptions workload;
};

using WorkloadFn = absl::StatusOr<RunResult> (*)(const std::string&, const std::string&,
                                                 const WorkloadOptions&);

int RunBench(const std::string& name, WorkloadFn fn, BenchOptions& options) {
  if (options.acks == "all" || options.acks == "-1") {
    options.workload.acks = -1;
  } else if (options.acks == "0" || options.acks == "1") {
    options.workload.acks = std::stoi(options.acks);
  } else {
    fmt::print(stderr, "error: --acks must be 0, 1 or all\n");
    return 2;
  }
  std::unique_ptr<EmbeddedBroker> embedded;
  std::string bootstrap = options.bootstrap;
  if (bootstrap.empty()) {
    absl::StatusOr<std::unique_ptr<EmbeddedBroker>> broker = EmbeddedBroker::Create();
    if (!broker.ok()) {
      fmt::print(stderr, "error: cannot start an embedded broker: {}\n", MessageOf(broker.status()));
      return 1;
    }
    embedded = *std::move(broker);
    bootstrap = embedded->bootstrap();
  }
  absl::StatusOr<std::unique_ptr<Admin>> admin = Admin::Create({.bootstrap = bootstrap});
  if (!admin.ok()) {
    fmt::print(stderr, "error: {}\n", MessageOf(admin.status()));
    return 1;
  }
  WorkloadReport report{name, embedded ? "embedded" : bootstrap, options.workload, {}};
  for (int run = 1; run <= options.runs; ++run) {
    const std::string topic = fmt::format("bench-{}-{}-{}", name, getpid(), run);
    absl::Status created =
        (*admin)->CreateTopic({.name = topic, .partitions = options.workload.partitions});
    if (!created.ok()) {
      fmt::print(stderr, "error: creating topic {}: {}\n", topic, MessageOf(created));
      return 1;
    }
    absl::StatusOr<RunResult> result = fn(bootstrap, topic, options.workload);
    (void)(*admin)->DeleteTopic(topic);
    if (!result.ok()) {
      fmt::print(stderr, "error: {}\n", MessageOf(result.status()));
      return 1;
    }
    PrintProgress(name, run, options.runs, *result);
    report.runs.push_back(*result);
  }
  fmt::print("{}", options.json ? FormatJson(report) : FormatTable(report));
  for (const RunResult& r : report.runs) {
    if (r.errors > 0) return 1;
  }
  return 0;
}

void AddWorkloadOptions(CLI::App* cmd, BenchOptions& o) {
  WorkloadOptions& w = o.workload;
  cmd->add_option("--bootstrap", o.bootstrap,
                  "Broker to measure, HOST:PORT (default: an embedded broker in a temp dir)");
  cmd->add_option("--runs", o.runs, "Runs; the median is reported")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--json", o.json, "Print the result as JSON");
  cmd->add_option("--records", w.records, "Records per run")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--value-size", w.value_size, "Bytes per value")->check(CLI::Range(0, 16 << 20))->capture_default_str();
  cmd->add_option("--keys", w.key_count, "Distinct keys (0 = no keys)")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--partitions", w.partitions, "Partitions of the topic")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--producers", w.producers, "Concurrent producers")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--acks", o.acks, "0, 1 or all")->capture_default_str();
  cmd->add_option("--batch-bytes", w.batch_bytes, "Producer batch size")->check(CLI::Range(1024, 64 << 20))->capture_default_str();
  cmd->add_option("--linger-ms", w.linger_ms, "Producer linger")->check(CLI::Range(0, 60000))->capture_default_str();
  cmd->add_option("--compression", w.compression, "none or zstd")->check(CLI::IsMember({"none", "zstd"}))->capture_default_str();
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
  CLI::App* bench = app.add_subcommand("bench", "Measure brook's throughput");
  bench->require_subcommand(1);
  struct Workload {
    const char* name;
    const char* help;
    WorkloadFn fn;
  };
  for (const Workload& w : {Workload{"produce", "Producer throughput", RunProduce},
                            Workload{"consume", "Consumer throughput (from a filled topic)", RunConsume}}) {
    auto options = std::make_shared<BenchOptions>();
    CLI::App* cmd = bench->add_subcommand(w.name, w.help);
    AddWorkloadOptions(cmd, *options);
    cmd->callback([options, exit_code, name = std::string(w.name), fn = w.fn] {
      *exit_code = RunBench(name, fn, *options);
    });
  }
}

}  // namespace brook::bench
