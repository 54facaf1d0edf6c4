// bench/target.h: the brook broker a bench measures: an embedded one in a temp dir (the
// default) or one at --bootstrap, with an Admin on it to create and delete topics.
//
// Lifecycle: Connect() starts the embedded broker (if any) and connects the Admin; the Target
// owns both and stops the broker (removing its temp dir) when destroyed. Not thread-safe: one
// thread creates and deletes topics; workloads connect their own clients to `bootstrap`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "broker/embedded_broker.h"
#include "client/admin.h"

namespace brook::bench {

struct Target {
  std::unique_ptr<EmbeddedBroker> embedded;  // Null with --bootstrap.
  std::string bootstrap;                     // Where the broker listens.
  std::unique_ptr<Admin> admin;

  // "embedded" or the bootstrap address, for reports.
  std::string name() const { return embedded ? "embedded" : bootstrap; }

  // Creates topic "bench-<workload>-<pid>-<run>" with `partitions` partitions and returns its
  // name. Errors: the Admin's, with the topic named in the message.
  absl::StatusOr<std::string> CreateTopic(const std::string& workload, int run, int partitions);
};

// Connects to `bootstrap`, or starts an embedded broker when it is empty (with
// `compaction_max_bytes_per_second` as its compaction I/O bound). Errors: the embedded broker
// could not start (e.g. no temp dir), or the Admin could not connect.
absl::StatusOr<Target> ConnectTarget(
    const std::string& bootstrap,
    int64_t compaction_max_bytes_per_second = BrokerConfig{}.compaction_max_bytes_per_second);

}  // namespace brook::bench
