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
  }
  absl::StatusOr<std::unique_ptr<Admin>> admin = Admin::Create({.bootstrap = target.bootstrap});
  if (!admin.ok()) return admin.status();
  target.admin = *std::move(admin);
  return target;
}

}  // namespace brook::bench
