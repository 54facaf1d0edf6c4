#include "bench/target.h"

#include <unistd.h>

#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {

absl::StatusOr<std::string> Target::CreateTopic(const std::string& workload, int run,
                                                int partitions) {
  const std::string topic = fmt::format("bench-{}-{}-{}", workload, getpid(), run);
  absl::Status created = admin->CreateTopic({.name = topic, .partitions = partitions});
  if (!created.ok()) {
    return absl::Status(created.code(),
                        fmt::format("creating topic {}: {}", topic, MessageOf(created)));
  }
  return topic;
}

absl::StatusOr<Target> ConnectTarget(const std::string& bootstrap,
                                     int64_t compaction_max_bytes_per_second) {
  Target target;
  target.bootstrap = bootstrap;
  if (bootstrap.empty()) {
    EmbeddedBrokerOptions embedded;
    embedded.config.compaction_max_bytes_per_second = compaction_max_bytes_per_second;
    absl::StatusOr<std::unique_ptr<EmbeddedBroker>> broker = EmbeddedBroker::Create(embedded);
    if (!broker.ok()) {
      return absl::Status(broker.status().code(),
                          fmt::format("cannot start an embedded broker: {}",
                                      MessageOf(broker.status())));
    }
    target.embedded = *std::move(broker);
    target.bootstrap = target.embedded->bootstrap();
    target.kafka_bootstrap = target.embedded->kafka_bootstrap();
  }
  absl::StatusOr<std::unique_ptr<Admin>> admin = Admin::Create({.bootstrap = target.bootstrap});
  if (!admin.ok()) return admin.status();
  target.admin = *std::move(admin);
  return target;
}

absl::StatusOr<Target> StartBrookProcess() {
  absl::StatusOr<std::unique_ptr<PeerServer>> server = PeerServer::StartBrook();
  if (!server.ok()) return server.status();
  Target target;
  target.process = *std::move(server);
  target.bootstrap = fmt::format("{}:{}", target.process->host(), target.process->port());
  target.kafka_bootstrap =
      fmt::format("{}:{}", target.process->host(), target.process->kafka_port());
  absl::StatusOr<std::unique_ptr<Admin>> admin = Admin::Create({.bootstrap = target.bootstrap});
  if (!admin.ok()) return admin.status();
  target.admin = *std::move(admin);
  return target;
}

absl::StatusOr<Target> ConnectKafkaTarget(const std::string& kafka_bootstrap) {
  if (kafka_bootstrap.empty()) return ConnectTarget("");
  Target target;
  target.kafka_bootstrap = kafka_bootstrap;
  return target;
}

absl::Status MeasureCpuOf(Target& target, pid_t broker_pid) {
  if (broker_pid <= 0) return absl::OkStatus();
  auto cpu = std::make_unique<ServerCpu>(broker_pid);
  if (cpu->Seconds() < 0) {
    return absl::InvalidArgumentError(
        fmt::format("cannot read the CPU clock of process {} (--broker-pid)", broker_pid));
  }
  target.measured = std::move(cpu);
  return absl::OkStatus();
}

}  // namespace brook::bench
