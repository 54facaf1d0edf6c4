#include "bench/compare_command.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "bench/compare_report.h"
#include "bench/end_to_end_command.h"
#include "bench/peers/kafka_driver.h"
#include "bench/peers/nats_driver.h"
#include "bench/peers/peer_end_to_end.h"
#include "bench/peers/peer_server.h"
#include "bench/peers/peer_workloads.h"
#include "bench/peers/redis_driver.h"
#include "bench/report.h"
#include "bench/target.h"
#include "bench/workload.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

struct CompareOptions {
  std::string bootstrap;        // brook; empty: `brook serve` started here as a child process.
  std::string kafka_bootstrap;  // With --bootstrap: its Kafka listener (empty: not measured).
  int broker_pid = 0;           // With --bootstrap: the broker's pid, for its CPU per record.
  int runs = 3;
  bool json = false;
  int fsync_producers = 16;  // Producers (connections) of the produce-fsync row.
  // The workloads to run (all by default): produce, produce-fsync, consume, mixed,
  // group-consume, e2e.
  std::vector<std::string> only;
  EndToEndOptions latency;
  WorkloadOptions workload = [] {
    WorkloadOptions w;
    w.records = 1'000'000;
    return w;
  }();
};

// The peer servers, each with a setup connection (drivers are destroyed before the servers).
struct Peers {
  std::unique_ptr<PeerServer> redis_everysec_server;
  std::unique_ptr<PeerServer> redis_always_server;
  std::unique_ptr<PeerServer> nats_server;
  std::unique_ptr<PeerDriver> redis_everysec;
  std::unique_ptr<PeerDriver> redis_always;
  std::unique_ptr<PeerDriver> nats;
};

absl::Status StartPeers(Peers& peers) {
  absl::StatusOr<std::unique_ptr<PeerServer>> server = PeerServer::StartRedis(RedisFsync::kEverySec);
  if (!server.ok()) return server.status();
  peers.redis_everysec_server = *std::move(server);
  server = PeerServer::StartRedis(RedisFsync::kAlways);
  if (!server.ok()) return server.status();
  peers.redis_always_server = *std::move(server);
  server = PeerServer::StartNatsJetStream();
  if (!server.ok()) return server.status();
  peers.nats_server = *std::move(server);

  absl::StatusOr<std::unique_ptr<PeerDriver>> driver =
      ConnectRedis(peers.redis_everysec_server->host(), peers.redis_everysec_server->port());
  if (!driver.ok()) return driver.status();
  peers.redis_everysec = *std::move(driver);
  driver = ConnectRedis(peers.redis_always_server->host(), peers.redis_always_server->port());
  if (!driver.ok()) return driver.status();
  peers.redis_always = *std::move(driver);
  driver = ConnectNats(peers.nats_server->host(), peers.nats_server->port());
  if (!driver.ok()) return driver.status();
  peers.nats = *std::move(driver);
  return absl::OkStatus();
}

// brook's Kafka listener through librdkafka, one driver per producer profile (as Redis has one
// server per fsync policy). All null when the listener's address is unknown.
struct KafkaTargets {
  KafkaSettings acks1, acks_all, latency;
  std::unique_ptr<PeerDriver> acks1_driver;     // produce, consume, mixed
  std::unique_ptr<PeerDriver> acks_all_driver;  // produce-fsync
  std::unique_ptr<PeerDriver> latency_driver;   // e2e
};

absl::Status ConnectKafkaTargets(const CompareOptions& o, const Target& brook,
                                 KafkaTargets& kafka) {
  if (brook.kafka_bootstrap.empty()) return absl::OkStatus();
  const WorkloadOptions& w = o.workload;
  kafka.acks1 = {.bootstrap = brook.kafka_bootstrap, .name = kKafkaListener,
                 .partitions = w.partitions, .acks = 1, .linger_ms = w.linger_ms,
                 .batch_bytes = w.batch_bytes};
  kafka.acks_all = kafka.acks1;
  kafka.acks_all.acks = -1;
  kafka.latency = kafka.acks1;
  kafka.latency.acks = o.latency.acks;
  kafka.latency.latency = true;
  for (auto [settings, driver] : {std::pair{&kafka.acks1, &kafka.acks1_driver},
                                  std::pair{&kafka.acks_all, &kafka.acks_all_driver},
                                  std::pair{&kafka.latency, &kafka.latency_driver}}) {
    absl::StatusOr<std::unique_ptr<PeerDriver>> connected = ConnectKafka(*settings);
    if (!connected.ok()) return connected.status();
    *driver = *std::move(connected);
  }
  return absl::OkStatus();
}

using BrookFn = absl::StatusOr<RunResult> (*)(const std::string&, const std::string&,
                                              const WorkloadOptions&);
using PeerFn = absl::StatusOr<RunResult> (*)(PeerDriver&, const std::string&,
                                             const WorkloadOptions&, const PeerSettings&);

// One system in a scenario; driver is null for brook's own client.
struct Contender {
  PeerDriver* driver;
  const ServerCpu* cpu;  // The server's CPU clock; null when unknown.
  std::string settings;
};

struct Scenario {
  std::string workload;
  std::string title;
  WorkloadOptions options;
  BrookFn brook;
  PeerFn peer;
  std::vector<Contender> contenders;  // brook first.
  std::string missing;
};

// "1 producer", "16 producers".
std::string Count(int n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

std::string KafkaProduceText(const KafkaSettings& k, const WorkloadOptions& w) {
  return fmt::format("librdkafka {}, {}, {} partitions, {}", KafkaClientVersion(),
                     Count(w.producers, "producer"), k.partitions,
                     ConfigText(KafkaProducerConfig(k)));
}

std::string KafkaGroupText(const KafkaSettings& k, const WorkloadOptions& w) {
  return fmt::format("librdkafka {}, {} members of one group (subscribe), {} partitions, "
                     "rd_kafka_consume_batch_queue of up to {}, async commit after each poll, {}",
                     KafkaClientVersion(), w.consumers, w.partitions, kPeerSettings.consume_batch,
                     ConfigText(KafkaGroupMemberConfig(k)));
}

std::string KafkaReadText(const KafkaSettings& k) {
  return fmt::format("librdkafka {}, simple consumer: every partition from offset 0 on one "
                     "queue (no group, no commits), rd_kafka_consume_callback_queue of up to {}, "
                     "{}",
                     KafkaClientVersion(), kPeerSettings.consume_batch,
                     ConfigText(KafkaConsumerConfig(k)));
}

// The notes that are not empty, joined with "; ".
std::string Notes(std::initializer_list<std::string> notes) {
  std::string out;
  for (const std::string& note : notes) {
    if (!note.empty()) out += (out.empty() ? "" : "; ") + note;
  }
  return out;
}

std::vector<Scenario> Scenarios(const CompareOptions& o, const Peers& peers,
                                const KafkaTargets& kafka, const ServerCpu* brook_cpu) {
  const PeerSettings& p = kPeerSettings;
  const ServerCpu* redis_everysec_cpu = &peers.redis_everysec_server->cpu();
  const ServerCpu* redis_always_cpu = &peers.redis_always_server->cpu();
  const ServerCpu* nats_cpu = &peers.nats_server->cpu();
  const auto brook_produce = [&o](const WorkloadOptions& w) {
    return fmt::format("{}, {}, batch {} B, linger {} ms, {} partitions",
                       AcksAndIdempotence(w.acks, w.idempotence), Count(w.producers, "producer"),
                       w.batch_bytes, w.linger_ms, o.workload.partitions);
  };
  const auto redis_produce = [&p](std::string_view fsync, int connections) {
    return fmt::format("appendfsync {}, AOF auto-rewrite off, {}, XADD pipelined {} per write, "
                       "at most {} unanswered",
                       fsync, Count(connections, "connection"), p.producer.batch_records,
                       p.producer.max_outstanding);
  };
  // A row's systems: brook's own client, brook's Kafka listener (when its address is known),
  // then the peers.
  const auto systems = [brook_cpu](std::string brook_settings, PeerDriver* kafka_driver,
                                   std::string kafka_settings, std::vector<Contender> peer_cells) {
    std::vector<Contender> all{{nullptr, brook_cpu, std::move(brook_settings)}};
    if (kafka_driver != nullptr) all.push_back({kafka_driver, brook_cpu, std::move(kafka_settings)});
    all.insert(all.end(), peer_cells.begin(), peer_cells.end());
    return all;
  };
  const std::string no_kafka =
      kafka.acks1_driver ? ""
                         : fmt::format("{}: not run (with --bootstrap, give --kafka-bootstrap)",
                                       kKafkaListener);
  std::vector<Scenario> scenarios;

  WorkloadOptions produce = o.workload;
  produce.acks = 1;
  produce.producers = 1;
  scenarios.push_back(
      {"produce", "produce, acks=1", produce, RunProduce, RunPeerProduce,
       systems(brook_produce(produce), kafka.acks1_driver.get(),
               KafkaProduceText(kafka.acks1, produce),
               {{peers.redis_everysec.get(), redis_everysec_cpu, redis_produce("everysec", 1)},
                {peers.nats.get(), nats_cpu,
                 fmt::format("file storage, 1 connection, js_PublishAsync, at most {} "
                             "unacknowledged",
                             p.producer.max_outstanding)}}),
       no_kafka});

  WorkloadOptions fsync = o.workload;
  fsync.acks = -1;
  fsync.producers = o.fsync_producers;
  scenarios.push_back(
      {"produce-fsync", fmt::format("produce, fsync, {} producers", fsync.producers), fsync,
       RunProduce, RunPeerProduce,
       systems(brook_produce(fsync), kafka.acks_all_driver.get(),
               KafkaProduceText(kafka.acks_all, fsync),
               {{peers.redis_always.get(), redis_always_cpu,
                 redis_produce("always", fsync.producers)}}),
       Notes({no_kafka, "NATS JetStream: not run (nats-server 2.9 has no setting to fsync "
                        "before the PubAck)"})});

  WorkloadOptions consume = o.workload;
  consume.producers = 1;
  scenarios.push_back(
      {"consume", "consume, 1 reader", consume, RunConsume, RunPeerConsume,
       systems(fmt::format("1 consumer assigned all {} partitions, no commits",
                           consume.partitions),
               kafka.acks1_driver.get(), KafkaReadText(kafka.acks1),
               {{peers.redis_everysec.get(), redis_everysec_cpu,
                 fmt::format("XREAD COUNT {}, no group", p.consume_batch)},
                {peers.nats.get(), nats_cpu,
                 fmt::format("pull consumer, AckPolicy All, Fetch {}, acks the last record of "
                             "each fetch",
                             p.consume_batch)}}),
       no_kafka});

  WorkloadOptions mixed = o.workload;
  mixed.producers = 1;
  scenarios.push_back(
      {"mixed", "mixed: produce + consume at once", mixed, RunMixed, RunPeerMixed,
       systems(fmt::format("{} and 1 consumer assigned all partitions", brook_produce(mixed)),
               kafka.acks1_driver.get(),
               fmt::format("{}; and a reader: {}", KafkaProduceText(kafka.acks1, mixed),
                           KafkaReadText(kafka.acks1)),
               {{peers.redis_everysec.get(), redis_everysec_cpu,
                 fmt::format("{}, and XREAD COUNT {}", redis_produce("everysec", 1),
                             p.consume_batch)},
                {peers.nats.get(), nats_cpu,
                 fmt::format("js_PublishAsync (at most {} unacknowledged), and a pull consumer, "
                             "Fetch {}",
                             p.producer.max_outstanding, p.consume_batch)}}),
       no_kafka});

  scenarios.push_back(
      {"group-consume", fmt::format("group consume, {} members", consume.consumers), consume,
       RunGroupConsume, RunPeerGroupConsume,
       systems(fmt::format("{} members, {} partitions, {} commit after each poll, {}",
                           consume.consumers, consume.partitions, consume.commit,
                           consume.assignor),
               kafka.acks1_driver.get(), KafkaGroupText(kafka.acks1, consume),
               {{peers.redis_everysec.get(), redis_everysec_cpu,
                 fmt::format("consumer group, {} consumers, XREADGROUP COUNT {}, XACK of each "
                             "batch sent with the next read",
                             consume.consumers, p.consume_batch)},
                {peers.nats.get(), nats_cpu,
                 fmt::format("{} pull subscribers on one durable consumer, AckPolicy Explicit, "
                             "Fetch {}, every record acked",
                             consume.consumers, p.consume_batch)}}),
       no_kafka});
  return scenarios;
}

std::vector<DurabilityNote> Durability() {
  return {
      {"brook acks=1 (either listener)",
       "the record is in brook's RocksDB WAL (written, not fsynced) before the answer: it "
       "survives a crash of the broker process, not a power loss or kernel crash"},
      {"brook acks=all (either listener)",
       "the WAL is fsynced before the answer (group commit: one fsync covers every request "
       "that arrived before it began): it survives a power loss"},
      {"Redis appendfsync everysec",
       "XADD is written to the AOF (page cache) before its reply and a background thread "
       "fsyncs the AOF once a second: it survives a redis-server crash; a power loss can lose "
       "about the last second (Redis may hold the write back up to 2 s while a slow fsync runs)"},
      {"Redis appendfsync always",
       "the AOF is written and fsynced after each event-loop pass, before the replies of the "
       "commands it ran are sent (group commit across connections): it survives a power loss"},
      {"NATS JetStream (nats-server 2.9, file storage, 1 replica)",
       "the message is written to its block file (pwrite) before the PubAck, and the files are "
       "fsynced in the background every 2 minutes (2.9's built-in interval; it has no setting "
       "for it nor for an fsync per write; strace shows no fsync during these runs): it "
       "survives a nats-server crash; a power loss can lose up to the last 2 minutes"},
  };
}

int Fail(const absl::Status& status) {
  fmt::print(stderr, "error: {}\n", MessageOf(status));
  return 1;
}

// One run of one system on a fresh topic or stream, deleted afterwards.
absl::StatusOr<RunResult> RunOnce(const Scenario& s, const Contender& c, Target& brook, int run) {
  WorkloadOptions options = s.options;
  options.server_cpu = c.cpu;
  if (c.driver == nullptr) {
    absl::StatusOr<std::string> topic = brook.CreateTopic(s.workload, run, options.partitions);
    if (!topic.ok()) return topic.status();
    absl::StatusOr<RunResult> result = s.brook(brook.bootstrap, *topic, options);
    (void)brook.admin->DeleteTopic(*topic);
    return result;
  }
  const std::string stream = fmt::format("bench-{}-{}-{}", s.workload, getpid(), run);
  if (absl::Status created = c.driver->CreateStream(stream); !created.ok()) return created;
  absl::StatusOr<RunResult> result = s.peer(*c.driver, stream, options, kPeerSettings);
  absl::Status deleted = c.driver->DeleteStream(stream);
  if (result.ok() && !deleted.ok()) return deleted;
  return result;
}

bool Selected(const CompareOptions& options, const std::string& workload) {
  return options.only.empty() ||
         std::find(options.only.begin(), options.only.end(), workload) != options.only.end();
}

// The end-to-end latency of brook (acks=1, both listeners), Redis (everysec) and NATS, runs
// interleaved.
absl::StatusOr<std::vector<EndToEndReport>> RunLatency(const CompareOptions& options,
                                                       const Peers& peers,
                                                       const KafkaTargets& kafka, Target& brook) {
  struct System {
    EndToEndReport report;
    PeerDriver* driver;  // Null: brook's own client.
    const ServerCpu* cpu;
  };
  const EndToEndOptions& e2e = options.latency;
  std::vector<System> systems;
  systems.push_back({{"brook", BrookEndToEndSettings(e2e), {}}, nullptr, brook.cpu()});
  if (kafka.latency_driver) {
    systems.push_back(
        {{kKafkaListener, KafkaEndToEndSettings(kafka.latency), {}},
         kafka.latency_driver.get(),
         brook.cpu()});
  }
  systems.push_back({{peers.redis_everysec->name(),
                      "appendfsync everysec, XADD sent at once, XREAD BLOCK", {}},
                     peers.redis_everysec.get(),
                     &peers.redis_everysec_server->cpu()});
  systems.push_back({{peers.nats->name(), "file storage, js_PublishAsync sent at once, pull consumer",
                      {}},
                     peers.nats.get(),
                     &peers.nats_server->cpu()});
  for (int run = 1; run <= options.runs; ++run) {
    for (System& system : systems) {
      EndToEndOptions measured = e2e;
      measured.server_cpu = system.cpu;
      absl::StatusOr<EndToEndResult> result;
      if (system.driver == nullptr) {
        absl::StatusOr<std::string> topic = brook.CreateTopic("e2e", run, e2e.partitions);
        if (!topic.ok()) return topic.status();
        result = RunEndToEnd(brook.bootstrap, *topic, measured);
        (void)brook.admin->DeleteTopic(*topic);
      } else {
        const std::string stream = fmt::format("bench-e2e-{}-{}", getpid(), run);
        if (absl::Status s = system.driver->CreateStream(stream); !s.ok()) return s;
        result = RunPeerEndToEnd(*system.driver, stream, measured);
        (void)system.driver->DeleteStream(stream);
      }
      if (!result.ok()) {
        return absl::Status(result.status().code(),
                            fmt::format("e2e on {}: {}", system.report.system,
                                        MessageOf(result.status())));
      }
      PrintProgress(system.report.system, run, options.runs, *result);
      system.report.runs.push_back(*std::move(result));
    }
  }
  std::vector<EndToEndReport> reports;
  for (System& system : systems) reports.push_back(std::move(system.report));
  return reports;
}

// brook: `brook serve` as a child process, or the broker at --bootstrap (with its Kafka
// listener and pid when given).
absl::StatusOr<Target> StartBrook(const CompareOptions& options) {
  if (options.bootstrap.empty()) return StartBrookProcess();
  absl::StatusOr<Target> target = ConnectTarget(options.bootstrap);
  if (!target.ok()) return target.status();
  target->kafka_bootstrap = options.kafka_bootstrap;
  if (absl::Status s = MeasureCpuOf(*target, options.broker_pid); !s.ok()) return s;
  return target;
}

int RunCompare(const CompareOptions& options) {
  // hiredis writes with write(2): a server that closes a connection must make an error, not
  // end the bench silently with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  Peers peers;
  if (absl::Status s = StartPeers(peers); !s.ok()) return Fail(s);
  absl::StatusOr<Target> brook = StartBrook(options);
  if (!brook.ok()) return Fail(brook.status());
  KafkaTargets kafka;
  if (absl::Status s = ConnectKafkaTargets(options, *brook, kafka); !s.ok()) return Fail(s);

  CompareReport report{brook->name(), options.workload, options.runs, {}, options.latency, {},
                       Durability()};
  bool errors = false;
  for (const Scenario& s : Scenarios(options, peers, kafka, brook->cpu())) {
    if (!Selected(options, s.workload)) continue;
    CompareRow row{s.workload, s.title, {}, s.missing};
    for (const Contender& c : s.contenders) {
      const std::string system = c.driver ? c.driver->name() : "brook";
      row.cells.push_back({WorkloadReport{s.workload, system, s.options, {}}, c.settings});
    }
    for (int run = 1; run <= options.runs; ++run) {
      for (size_t i = 0; i < s.contenders.size(); ++i) {
        WorkloadReport& cell = row.cells[i].report;
        absl::StatusOr<RunResult> result = RunOnce(s, s.contenders[i], *brook, run);
        if (!result.ok()) {
          return Fail(absl::Status(result.status().code(),
                                   fmt::format("{} on {}: {}", s.workload, cell.target,
                                               MessageOf(result.status()))));
        }
        PrintProgress(fmt::format("{} [{}]", s.workload, cell.target), run, options.runs,
                      *result);
        errors = errors || result->errors > 0;
        cell.runs.push_back(*result);
      }
    }
    report.rows.push_back(std::move(row));
  }
  if (Selected(options, "e2e")) {
    absl::StatusOr<std::vector<EndToEndReport>> latency =
        RunLatency(options, peers, kafka, *brook);
    if (!latency.ok()) return Fail(latency.status());
    report.latency = *std::move(latency);
    for (const EndToEndReport& r : report.latency) {
      for (const EndToEndResult& run : r.runs) errors = errors || run.errors > 0;
    }
  }
  fmt::print("{}", options.json ? FormatJson(report) : FormatTable(report));
  return errors ? 1 : 0;
}

}  // namespace

void AddCompareCommand(CLI::App& bench, int* exit_code) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "compare", "brook side by side with Redis Streams and NATS JetStream (started here)");
  WorkloadOptions& w = options->workload;
  cmd->add_option("--bootstrap", options->bootstrap,
                  "brook broker to measure, HOST:PORT (default: `brook serve` started here as a "
                  "child process)");
  cmd->add_option("--kafka-bootstrap", options->kafka_bootstrap,
                  "With --bootstrap: that broker's Kafka listener, HOST:PORT (without it, the "
                  "Kafka listener is not measured)");
  cmd->add_option("--broker-pid", options->broker_pid,
                  "With --bootstrap: that broker's process id, to report its CPU time per record")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--runs", options->runs, "Runs per system and workload; the median is reported")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--json", options->json, "Print the result as JSON");
  cmd->add_option("--records", w.records, "Records per run")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--value-size", w.value_size, "Bytes per value")->check(CLI::Range(0, 1 << 20))->capture_default_str();
  cmd->add_option("--keys", w.key_count, "Distinct keys (0 = no keys)")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd->add_option("--partitions", w.partitions, "Partitions of brook's topics")->check(CLI::Range(1, 10000))->capture_default_str();
  cmd->add_option("--batch-bytes", w.batch_bytes, "brook producer batch size")->check(CLI::Range(1024, 64 << 20))->capture_default_str();
  cmd->add_option("--linger-ms", w.linger_ms, "brook producer linger")->check(CLI::Range(0, 60000))->capture_default_str();
  cmd->add_option("--consumers", w.consumers, "Members of the consumer groups")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--fsync-producers", options->fsync_producers, "Producers (connections) of the fsync-per-ack row")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--only", options->only,
                  "Run only these workloads (repeatable): produce, produce-fsync, consume, "
                  "mixed, group-consume, e2e")
      ->check(CLI::IsMember({"produce", "produce-fsync", "consume", "mixed", "group-consume",
                             "e2e"}));
  AddEndToEndOptions(cmd, options->latency, "latency-", false);
  cmd->callback([options, exit_code] {
    options->latency.value_size = options->workload.value_size;
    options->latency.partitions = options->workload.partitions;
    *exit_code = RunCompare(*options);
  });
}

}  // namespace brook::bench
