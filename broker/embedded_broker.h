// broker/embedded_broker.h: a real brook broker inside your process, for tests.
//
//   #include "broker/embedded_broker.h"
//   brook::EmbeddedBroker broker;                 // temp data dir, ephemeral port
//   brook::EmbeddedBroker memory({.in_memory = true});  // or nothing on disk at all
//   brook::Producer::Create({.bootstrap = broker.bootstrap()});
//   // ... at scope exit the broker stops and its data dir is removed.
//
// It is the same broker `brook serve` runs (same storage, protocols and TCP server), listening
// on 127.0.0.1 on free ports: brook's protocol (bootstrap()), Kafka's (kafka_bootstrap()) and
// HTTP (http_address()). Restart() stops it and starts it again on the same data dir
// and port, to test that data survives. Reset() gives each test a fresh broker without a
// restart; the clock methods make time pass on cue. Thread-safety: bootstrap()/data_dir(),
// Reset() and the clock methods from any thread; Restart() (which also restarts the clock in
// options.config.clock's mode) and destruction from one thread while no other call runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/broker.h"
#include "broker/broker_config.h"
#include "protocol/faults.h"

namespace brook {

struct EmbeddedBrokerOptions {
  // Empty: a fresh directory under $TMPDIR (or /tmp), removed when the broker is destroyed.
  // Otherwise this directory is used and kept. Ignored with in_memory.
  std::string data_dir{};
  // Keep everything in memory: no directory is made and nothing is written to disk; the data
  // is lost when the broker stops (Restart() comes back empty).
  bool in_memory = false;
  // Settings for the broker; host, port and data dir are overridden. Fewer io threads keep
  // test machines responsive.
  BrokerConfig config = [] {
    BrokerConfig c;
    c.io_threads = 2;
    return c;
  }();
  bool quiet = true;  // Log warnings and errors only.
};

class EmbeddedBroker {
 public:
  // Starts the broker. Throws std::runtime_error with the reason if it cannot start (tests
  // want one line); use Create() for a Status instead.
  explicit EmbeddedBroker(EmbeddedBrokerOptions options = {});
  // Errors: those of Broker::Start, or STORAGE_ERROR when no temp dir can be made.
  static absl::StatusOr<std::unique_ptr<EmbeddedBroker>> Create(EmbeddedBrokerOptions options = {});
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  // "127.0.0.1:PORT": pass it to Producer/Consumer/Admin options.
  std::string bootstrap() const;
  // "127.0.0.1:PORT" of the Kafka listener: bootstrap.servers for any Kafka client. Empty when
  // options.config.kafka.enabled is false.
  std::string kafka_bootstrap() const;
  // "127.0.0.1:PORT" of the HTTP listener (health, metrics, console); empty when
  // options.config.http.enabled is false.
  std::string http_address() const;
  // Empty when in memory.
  const std::string& data_dir() const { return data_dir_; }
  // Gracefully stops and starts again on the same data dir and port (in memory: empty).
  // Errors: those of Broker::Start.
  absl::Status Restart();

  // Test controls (docs/testing.md), the same as ResetBroker and Clock over the wire.
  // Drops every topic, group, committed offset, dead-letter mark and counter and producer
  // state while the broker keeps serving. Errors: STORAGE_ERROR.
  absl::StatusOr<ResetSummary> Reset();
  // The broker's clock: ms since the epoch, and its mode. Start with a manual clock with
  // options.config.clock = ClockMode::kManual.
  int64_t ClockNowMs() const;
  ClockMode clock_mode() const;
  // Switches the clock; to kManual it stands still from now on.
  void SetClockMode(ClockMode mode);
  // Moves a manual clock forward and returns once groups and the log cleaner (retention,
  // compaction, producer expiry) have acted at the new time. Errors: INVALID_REQUEST (a
  // negative duration; the system clock).
  absl::Status AdvanceClock(std::chrono::milliseconds by);
  // Fault injection (docs/testing.md, "Injecting faults"), as brook::Admin's FaultAdd,
  // FaultList and FaultClear do it over the wire:
  //   broker.AddFault({.api = "Produce", .listener = brook::FaultListener::kKafka,
  //                    .error_code = 6 /* NOT_LEADER_OR_FOLLOWER */, .count = 3});
  // Rules are the running broker's: Restart() starts with none.
  // Returns the rule's id. Errors: INVALID_REQUEST saying what is wrong with the rule.
  absl::StatusOr<int32_t> AddFault(FaultRule rule);
  // Every rule in id order, with what it matched and fired.
  std::vector<FaultState> ListFaults() const;
  // Removes rule `id` (or every rule: kClearAllFaults); returns how many.
  // Errors: INVALID_REQUEST when no rule has this id.
  absl::StatusOr<int32_t> ClearFaults(int32_t id = kClearAllFaults);

  // Every metric in the Prometheus text format, as GET /metrics answers (docs/metrics.md).
  std::string MetricsText() const;

 private:
  struct Uninitialized {};
  explicit EmbeddedBroker(Uninitialized);
  absl::Status Init(EmbeddedBrokerOptions options);

  BrokerConfig config_;
  std::string data_dir_;
  bool owns_data_dir_ = false;
  std::unique_ptr<Broker> broker_;
};

}  // namespace brook
