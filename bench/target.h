// bench/target.h: the brook broker a bench measures: an embedded one in a temp dir (the
// default), `brook serve` started as a child process (`brook bench compare`), or one at
// --bootstrap; with an Admin on it to create and delete topics, the address of its Kafka
// listener when known, and its CPU clock when it runs in a process of its own.
//
// Lifecycle: ConnectTarget / StartBrookProcess start the broker (if any) and connect the Admin;
// the Target owns both and stops the broker (removing its temp dir) when destroyed. Not
// thread-safe: one thread creates and deletes topics; workloads connect their own clients to
// `bootstrap` (or `kafka_bootstrap`).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bench/peers/peer_server.h"
#include "bench/server_cpu.h"
#include "broker/embedded_broker.h"
#include "client/admin.h"

namespace brook::bench {

struct Target {
  std::unique_ptr<EmbeddedBroker> embedded;  // Set when the broker runs in this process...
  std::unique_ptr<PeerServer> process;       // ...or as a child process started here.
  std::string bootstrap;                     // Where the broker listens (brook's protocol).
  std::string kafka_bootstrap;               // Its Kafka listener; empty when unknown.
  std::unique_ptr<ServerCpu> measured;       // The CPU clock of --broker-pid.

  // The broker's CPU clock: its child process's, or --broker-pid's; null when unknown.
  const ServerCpu* cpu() const { return process ? &process->cpu() : measured.get(); }
  std::unique_ptr<Admin> admin;

  // "embedded", "child process" or the address, for reports.
  std::string name() const {
    return embedded ? "embedded" : process ? "child process" : bootstrap.empty() ? kafka_bootstrap : bootstrap;
  }

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

// Starts `brook serve` as a child process (PeerServer::StartBrook), with both listeners on
// loopback, and connects the Admin; cpu() reads the child's CPU clock.
// Errors: those of PeerServer::StartBrook, or the Admin could not connect.
absl::StatusOr<Target> StartBrookProcess();

// What a `--protocol kafka` bench measures: the Kafka listener at `kafka_bootstrap` (brook's, or
// any Kafka broker; the Target then has no Admin and an empty `bootstrap`), or, when it is empty,
// an embedded broker's. Errors: those of ConnectTarget.
absl::StatusOr<Target> ConnectKafkaTarget(const std::string& kafka_bootstrap);

// Measures `broker_pid`'s CPU clock as target.cpu() when broker_pid > 0. Errors: INVALID_ARGUMENT
// when that process's clock cannot be read (no such process).
absl::Status MeasureCpuOf(Target& target, pid_t broker_pid);

}  // namespace brook::bench
