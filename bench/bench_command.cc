// `brook bench produce|consume|mixed|group-consume|rebalance|compaction|e2e|compare|startup|reset|metrics|events|events-floors`:
// runs a workload several times against an embedded broker (default) or --bootstrap, on a
// fresh topic per run, and reports the median (`e2e` lives in end_to_end_command.h, `compare`
// in compare_command.h, `startup`, which spawns brokers of its own, in startup_command.h,
// `reset` in reset_command.h, `metrics` in metrics_command.h, `events` in
// events/events_command.h, `events-floors` in events/floors_command.h).
// With `--protocol kafka`, produce, consume, mixed and group-consume run through librdkafka
// against the embedded broker's Kafka listener, or against --bootstrap as a Kafka listener
// (brook's or any Kafka broker's): bench/peers/kafka_driver.h.
#include "bench/bench_command.h"

#include <unistd.h>

#include <memory>
#include <optional>

#include "bench/compare_command.h"
#include "bench/end_to_end_command.h"
#include "bench/events/events_command.h"
#include "bench/events/floors_command.h"
#include "bench/startup_command.h"
#include "bench/peers/kafka_driver.h"
#include "bench/peers/peer_workloads.h"
#include "bench/report.h"
#include "bench/metrics_command.h"
#include "bench/reset_command.h"
#include "bench/target.h"
#include "bench/workload.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/compression.h"

namespace brook::bench {
namespace {

// Accepts a codec name (protocol/compression.h); any other says which names there are.
CLI::Validator CodecName() {
  return CLI::Validator(
      [](std::string& name) {
        return CompressionFromName(name).has_value()
                   ? std::string()
                   : fmt::format("{} is not a codec; use one of {}", name, CompressionNameList());
      },
      "CODEC");
}

struct BenchOptions {
  std::string bootstrap;  // Empty: an embedded broker in a temp dir.
  int runs = 3;
  bool json = false;
  std::string acks = "1";
  bool idempotence = true;
  const CLI::Option* idempotence_flag = nullptr;  // Given: `idempotence` says on or off.
  std::string protocol = "brook";  // brook | kafka
  int broker_pid = 0;              // The broker at --bootstrap, to report its CPU per record.
  // The embedded broker's compaction I/O bound (compaction workload; ignored with --bootstrap).
  int64_t compaction_max_bytes_per_second = BrokerConfig{}.compaction_max_bytes_per_second;
  WorkloadOptions workload;
};

using WorkloadFn = absl::StatusOr<RunResult> (*)(const std::string&, const std::string&,
                                                 const WorkloadOptions&);
using KafkaWorkloadFn = absl::StatusOr<RunResult> (*)(PeerDriver&, const std::string&,
                                                      const WorkloadOptions&, const PeerSettings&);

int Fail(const absl::Status& status) {
  fmt::print(stderr, "error: {}\n", MessageOf(status));
  return 1;
}

// Sets options.workload's acks and idempotence from --acks and --[no-]idempotence; false
// (after saying why) when they are not valid.
bool ParseAcks(BenchOptions& options) {
  const std::optional<int16_t> acks = AcksFromName(options.acks);
  if (!acks) {
    fmt::print(stderr, "error: --acks must be 0, 1 or all\n");
    return false;
  }
  WorkloadOptions& w = options.workload;
  w.acks = *acks;
  if (options.idempotence_flag != nullptr && options.idempotence_flag->count() > 0) {
    w.idempotence = options.idempotence;
  }
  if (w.idempotence.value_or(false) && w.acks != -1) {
    fmt::print(stderr, "error: --idempotence needs --acks all\n");
    return false;
  }
  return true;
}

// Runs `run_once(run)` for runs 1..options.runs and prints the report of workload `name` on
// `target`. Returns the exit code: 1 when a run fails or has errors.
template <class RunOnce>
int RunAndReport(const std::string& name, const std::string& target, const BenchOptions& options,
                 RunOnce run_once) {
  WorkloadReport report{name, target, options.workload, {}};
  for (int run = 1; run <= options.runs; ++run) {
    absl::StatusOr<RunResult> result = run_once(run);
    if (!result.ok()) return Fail(result.status());
    PrintProgress(name, run, options.runs, *result);
    report.runs.push_back(*result);
  }
  fmt::print("{}", options.json ? FormatJson(report) : FormatTable(report));
  for (const RunResult& r : report.runs) {
    if (r.errors > 0) return 1;
  }
  return 0;
}

int RunBench(const std::string& name, WorkloadFn fn, BenchOptions& options) {
  if (!ParseAcks(options)) return 2;
  absl::StatusOr<Target> target =
      ConnectTarget(options.bootstrap, options.compaction_max_bytes_per_second);
  if (!target.ok()) return Fail(target.status());
  if (absl::Status s = MeasureCpuOf(*target, options.broker_pid); !s.ok()) return Fail(s);
  options.workload.server_cpu = target->cpu();
  return RunAndReport(name, target->name(), options, [&](int run) -> absl::StatusOr<RunResult> {
    absl::StatusOr<std::string> topic =
        target->CreateTopic(name, run, options.workload.partitions);
    if (!topic.ok()) return topic.status();
    absl::StatusOr<RunResult> result = fn(target->bootstrap, *topic, options.workload);
    (void)target->admin->DeleteTopic(*topic);
    return result;
  });
}

// The workload through a Kafka listener with librdkafka (bench/peers/kafka_driver.h).
int RunKafkaBench(const std::string& name, KafkaWorkloadFn fn, BenchOptions& options) {
  if (!ParseAcks(options)) return 2;
  if (options.workload.idempotence) {
    fmt::print(stderr, "error: --idempotence and --no-idempotence set brook's producer; "
                       "--protocol kafka runs librdkafka's\n");
    return 2;
  }
  absl::StatusOr<Target> target = ConnectKafkaTarget(options.bootstrap);
  if (!target.ok()) return Fail(target.status());
  if (absl::Status s = MeasureCpuOf(*target, options.broker_pid); !s.ok()) return Fail(s);
  WorkloadOptions& w = options.workload;
  w.server_cpu = target->cpu();
  absl::StatusOr<std::unique_ptr<PeerDriver>> kafka =
      ConnectKafka({.bootstrap = target->kafka_bootstrap,
                    .partitions = w.partitions,
                    .acks = w.acks,
                    .linger_ms = w.linger_ms,
                    .batch_bytes = w.batch_bytes});
  if (!kafka.ok()) return Fail(kafka.status());
  const std::string where =
      fmt::format("{}, Kafka protocol (librdkafka {})", target->name(), KafkaClientVersion());
  return RunAndReport(name, where, options, [&](int run) -> absl::StatusOr<RunResult> {
    const std::string topic = fmt::format("bench-{}-{}-{}", name, getpid(), run);
    if (absl::Status s = (*kafka)->CreateStream(topic); !s.ok()) return s;
    absl::StatusOr<RunResult> result = fn(**kafka, topic, w, kPeerSettings);
    (void)(*kafka)->DeleteStream(topic);
    return result;
  });
}

int RunRebalanceBench(BenchOptions& options, int rebalances) {
  absl::StatusOr<Target> target =
      ConnectTarget(options.bootstrap, options.compaction_max_bytes_per_second);
  if (!target.ok()) return Fail(target.status());
  absl::StatusOr<std::string> topic = target->CreateTopic("rebalance", 1, options.workload.partitions);
  if (!topic.ok()) return Fail(topic.status());
  absl::StatusOr<std::vector<double>> samples =
      RunRebalance(target->bootstrap, *topic, options.workload, rebalances);
  (void)target->admin->DeleteTopic(*topic);
  if (!samples.ok()) return Fail(samples.status());
  const LatencyReport report{"rebalance", target->name(), options.workload, *samples};
  fmt::print("{}", options.json ? FormatJson(report) : FormatTable(report));
  return 0;
}

// Which compaction I/O bound applies to the target, for the report.
std::string CompactionLimit(const BenchOptions& options) {
  const std::string applies = "it bounds CompactTopic and background compaction alike";
  if (!options.bootstrap.empty()) {
    return fmt::format("the broker's compaction_max_bytes_per_second (brook serve "
                       "--compaction-max-bytes-per-second, default {}); {}",
                       BrokerConfig{}.compaction_max_bytes_per_second, applies);
  }
  if (options.compaction_max_bytes_per_second == 0) {
    return "none: compaction_max_bytes_per_second=0 (unlimited) on the embedded broker";
  }
  return fmt::format("compaction_max_bytes_per_second={} on the embedded broker; {}",
                     options.compaction_max_bytes_per_second, applies);
}

int RunCompactionBench(BenchOptions& options) {
  if (!ParseAcks(options)) return 2;
  if (options.workload.key_count < 1) {
    fmt::print(stderr, "error: the compaction workload needs --keys >= 1\n");
    return 2;
  }
  absl::StatusOr<Target> target =
      ConnectTarget(options.bootstrap, options.compaction_max_bytes_per_second);
  if (!target.ok()) return Fail(target.status());
  CompactionReport report{target->name(), CompactionLimit(options), options.workload, {}};
  for (int run = 1; run <= options.runs; ++run) {
    absl::StatusOr<CompactionRun> result =
        RunCompaction(*target->admin, target->bootstrap,
                      fmt::format("bench-compaction-{}-{}", getpid(), run), options.workload);
    if (!result.ok()) return Fail(result.status());
    PrintProgress(run, options.runs, *result);
    report.runs.push_back(*result);
  }
  fmt::print("{}", options.json ? FormatJson(report) : FormatTable(report));
  for (const CompactionRun& r : report.runs) {
    if (r.produce_alone.errors > 0 || r.produce_during.errors > 0) return 1;
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
  o.idempotence_flag = cmd->add_flag(
      "--idempotence,!--no-idempotence", o.idempotence,
      "brook's idempotent producer (default: on with --acks all, off with --acks 0 or 1)");
  cmd->add_option("--batch-bytes", w.batch_bytes, "Producer batch size")->check(CLI::Range(1024, 64 << 20))->capture_default_str();
  cmd->add_option("--linger-ms", w.linger_ms, "Producer linger")->check(CLI::Range(0, 60000))->capture_default_str();
  cmd->add_option("--compression", w.compression, fmt::format("Producer codec: {}", CompressionNameList()))->check(CodecName())->capture_default_str();
  cmd->add_option("--consumers", w.consumers, "Group members (group-consume, rebalance)")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--commit", w.commit, "group-consume: commit after each poll, async or sync")->check(CLI::IsMember({"async", "sync"}))->capture_default_str();
  cmd->add_option("--assignor", w.assignor, "The group's assignor")->check(CLI::IsMember({"cooperative-sticky", "range", "roundrobin"}))->capture_default_str();
}

}  // namespace

void AddBenchCommand(CLI::App& app, int* exit_code) {
  CLI::App* bench = app.add_subcommand("bench", "Measure brook's throughput");
  bench->require_subcommand(1);
  struct Workload {
    const char* name;
    const char* help;
    WorkloadFn fn;
    KafkaWorkloadFn kafka;  // The same workload through the Kafka listener.
  };
  for (const Workload& w :
       {Workload{"produce", "Producer throughput", RunProduce, RunPeerProduce},
        Workload{"consume", "Consumer throughput (from a filled topic)", RunConsume,
                 RunPeerConsume},
        Workload{"mixed", "Produce and consume at once (records/s through the broker)",
                 RunMixed, RunPeerMixed},
        Workload{"group-consume", "Consumer-group throughput, committing every poll",
                 RunGroupConsume, RunPeerGroupConsume}}) {
    auto options = std::make_shared<BenchOptions>();
    CLI::App* cmd = bench->add_subcommand(w.name, w.help);
    AddWorkloadOptions(cmd, *options);
    cmd->add_option("--broker-pid", options->broker_pid,
                    "With --bootstrap: the broker's process id, to report its CPU time per "
                    "record")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--protocol", options->protocol,
                    "brook: brook's own client; kafka: librdkafka against the Kafka listener (of "
                    "the embedded broker, or --bootstrap as a Kafka address)")
        ->check(CLI::IsMember({"brook", "kafka"}))
        ->capture_default_str();
    cmd->callback([options, exit_code, w] {
      *exit_code = options->protocol == "kafka" ? RunKafkaBench(w.name, w.kafka, *options)
                                                : RunBench(w.name, w.fn, *options);
    });
  }
  auto options = std::make_shared<BenchOptions>();
  auto rebalances = std::make_shared<int>(20);
  CLI::App* cmd = bench->add_subcommand(
      "rebalance", "Time for a group to hand a leaving member's partitions to the others");
  AddWorkloadOptions(cmd, *options);
  cmd->add_option("--rebalances", *rebalances, "Members that join and leave, one at a time")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->callback([options, rebalances, exit_code] {
    *exit_code = RunRebalanceBench(*options, *rebalances);
  });

  auto compaction = std::make_shared<BenchOptions>();
  compaction->workload.partitions = 1;
  compaction->workload.key_count = 10'000;
  cmd = bench->add_subcommand(
      "compaction",
      "Compaction rate (MB/s), and produce throughput while compaction runs against without");
  AddWorkloadOptions(cmd, *compaction);
  cmd->add_option("--compaction-max-bytes-per-second",
                  compaction->compaction_max_bytes_per_second,
                  "The embedded broker's compaction I/O bound (0 = unlimited; not with "
                  "--bootstrap)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->callback([compaction, exit_code] { *exit_code = RunCompactionBench(*compaction); });

  AddCompareCommand(*bench, exit_code);
  AddEndToEndCommand(*bench, exit_code);
  AddStartupCommand(*bench, exit_code);
  AddResetBenchCommand(*bench, exit_code);
  AddMetricsBenchCommand(*bench, exit_code);
  AddEventsBenchCommand(*bench, exit_code);
  AddEventFloorsCommand(*bench, exit_code);
}

}  // namespace brook::bench
