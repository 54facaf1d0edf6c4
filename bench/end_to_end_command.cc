#include "bench/end_to_end_command.h"

#include <unistd.h>

#include <memory>

#include "bench/end_to_end_report.h"
#include "bench/peers/peer_end_to_end.h"
#include "bench/report.h"
#include "bench/target.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/json/json.h"

namespace brook::bench {
namespace {

struct EndToEndCommandOptions {
  std::string bootstrap;
  std::string protocol = "brook";  // brook | kafka
  int broker_pid = 0;              // The broker at --bootstrap, to report its CPU per record.
  int runs = 3;
  bool json = false;
  std::string acks = "1";  // 0, 1 or all (AcksFromName), as `brook produce` and `bench produce`.
  EndToEndOptions e2e;
};

int Fail(const absl::Status& status) {
  fmt::print(stderr, "error: {}\n", MessageOf(status));
  return 1;
}

int RunEndToEndBench(EndToEndCommandOptions& o) {
  const std::optional<int16_t> acks = AcksFromName(o.acks);
  if (!acks) {
    fmt::print(stderr, "error: --acks must be 0, 1 or all, not '{}'\n", o.acks);
    return 2;
  }
  o.e2e.acks = *acks;
  const bool kafka = o.protocol == "kafka";
  absl::StatusOr<Target> target = kafka ? ConnectKafkaTarget(o.bootstrap)
                                        : ConnectTarget(o.bootstrap);
  if (!target.ok()) return Fail(target.status());
  if (absl::Status s = MeasureCpuOf(*target, o.broker_pid); !s.ok()) return Fail(s);
  o.e2e.server_cpu = target->cpu();
  const KafkaSettings settings{.bootstrap = target->kafka_bootstrap,
                               .partitions = o.e2e.partitions,
                               .acks = o.e2e.acks,
                               .latency = true};
  std::unique_ptr<PeerDriver> driver;
  if (kafka) {
    absl::StatusOr<std::unique_ptr<PeerDriver>> connected = ConnectKafka(settings);
    if (!connected.ok()) return Fail(connected.status());
    driver = *std::move(connected);
  }
  EndToEndReport report = kafka ? EndToEndReport{settings.name, KafkaEndToEndSettings(settings), {}}
                                : EndToEndReport{"brook", BrookEndToEndSettings(o.e2e), {}};
  for (int run = 1; run <= o.runs; ++run) {
    absl::StatusOr<EndToEndResult> result;
    if (kafka) {
      const std::string topic = fmt::format("bench-e2e-{}-{}", getpid(), run);
      if (absl::Status s = driver->CreateStream(topic); !s.ok()) return Fail(s);
      result = RunPeerEndToEnd(*driver, topic, o.e2e);
      (void)driver->DeleteStream(topic);
    } else {
      absl::StatusOr<std::string> topic = target->CreateTopic("e2e", run, o.e2e.partitions);
      if (!topic.ok()) return Fail(topic.status());
      result = RunEndToEnd(target->bootstrap, *topic, o.e2e);
      (void)target->admin->DeleteTopic(*topic);
    }
    if (!result.ok()) return Fail(result.status());
    PrintProgress(report.system, run, o.runs, *result);
    report.runs.push_back(*std::move(result));
  }
  fmt::print("{}\n", o.json ? json::Text(ToJson(o.e2e, {report})) : FormatTable(o.e2e, {report}));
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
  return fmt::format("{}, linger 0 ms, {} partitions, 1 consumer assigned all (long poll)",
                     AcksAndIdempotence(options.acks, std::nullopt), options.partitions);
}

std::string KafkaEndToEndSettings(const KafkaSettings& settings) {
  return fmt::format("librdkafka {}, {} partitions, producer: {}; reader (all partitions "
                     "assigned): {}",
                     KafkaClientVersion(), settings.partitions,
                     ConfigText(KafkaProducerConfig(settings)),
                     ConfigText(KafkaConsumerConfig(settings)));
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
  cmd->add_option("--acks", o->acks, "Producer acks: 0, 1 or all")->capture_default_str();
  cmd->add_option("--protocol", o->protocol,
                  "brook: brook's own client; kafka: librdkafka against the Kafka listener (of "
                  "the embedded broker, or --bootstrap as a Kafka address)")
      ->check(CLI::IsMember({"brook", "kafka"}))
      ->capture_default_str();
  cmd->add_option("--broker-pid", o->broker_pid,
                  "With --bootstrap: the broker's process id, to report its CPU time per record")
      ->check(CLI::PositiveNumber);
  cmd->callback([o, exit_code] { *exit_code = RunEndToEndBench(*o); });
}

}  // namespace brook::bench
