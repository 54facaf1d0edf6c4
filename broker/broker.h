// broker/: the brook server. Contract: uses storage/ and protocol/, never client/; owns the
// network (Boost.Asio), the request handlers, long-poll fetch and the embedded broker.
// Heavy headers (Asio, RocksDB) stay out of this header and embedded_broker.h.
//
//   server.h          generic TCP server: acceptor, connections, limits, two-phase shutdown
//   connection.h      one connection: framed reads, in-flight limit, writer, watchdog
//   io_pool.h         the network threads, one io_context each; a connection stays on one
//   brook_handler.h   brook's protocol: header parsing, version routing, error replies
//   kafka/            the Kafka wire protocol: a second handler over the same storage and
//                     groups, its API table and one handler per Kafka API
//   handlers/         one function per API (produce, fetch, list offsets, metadata, topics,
//                     consumer groups, offsets)
//   group/            consumer groups: one group's state machine, the coordinator, assignors
//   faults/           fault injection: the armed rules both protocols consult per request
//   fetch_waiters.h   wakes long polls on append
//   log_cleaner.h     retention and compaction on a background thread; CompactTopic's queue
//   broker_config.h   every setting with its default
//   embedded_broker.h a real broker in-process for tests, in one line
//   log.h             structured log lines on stderr
//   shutdown_signals.h SIGINT/SIGTERM as a graceful stop, caught from before the broker listens
//                     (and the parent process's exit, for test harnesses)
//   ready_line.h      the JSON line `brook serve` prints once ready: where it listens
//   http/             the HTTP listener (Boost.Beast): router, health checks, and the routes of
//                     metrics, the console's JSON API and the event store
//   metrics/          Prometheus metrics: counters on the hot paths, scrape-time collectors,
//                     the text GET /metrics serves (MetricsText; docs/metrics.md)
//
// Broker ties them together:
//   ShutdownSignals signals;              // shutdown_signals.h: before it listens
//   absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Start(config);
//   signals.Wait();                       // SIGINT/SIGTERM...
//   (*broker)->Stop();                    // ...then a graceful stop
//
// Operation: Start opens the store (recovering every partition), listens (brook's protocol,
// Kafka's unless config.kafka.enabled is false, HTTP unless config.http.enabled is false), runs io_threads
// network threads (io_pool.h), and starts the log cleaner's thread. Stop is graceful: new
// requests get BROKER_SHUTTING_DOWN, the acceptor closes, waiting fetches return, the log
// cleaner stops (a running compaction is cancelled, queued CompactTopic requests answer
// BROKER_SHUTTING_DOWN), in-flight requests finish and their answers are written (up to
// shutdown_timeout), then the WAL is fsynced and RocksDB closed.
// Thread-safety: Stop and the accessors may be called from any thread but an io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "broker/broker_config.h"

namespace brook {
namespace faults {
class FaultRegistry;
}

class BrokerClock;

// What Broker::Reset (ResetBroker) dropped.
struct ResetSummary {
  int32_t topics = 0;  // Topics that existed.
  int32_t groups = 0;  // Groups with members or committed offsets.
};

class Broker {
 public:
  // Errors: those of LogStore::Open (data dir locked, unreadable) and of listening (address
  // in use), with messages a person can act on; InvalidArgument for a bad config.
  static absl::StatusOr<std::unique_ptr<Broker>> Start(BrokerConfig config);
  ~Broker();  // Stop()s.
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  uint16_t port() const;
  // "host:port" clients connect to.
  std::string address() const;
  // The Kafka listener's bound port, and the "host:port" it advertises; 0 and "" when the
  // listener is off.
  uint16_t kafka_port() const;
  std::string kafka_address() const;
  // The HTTP listener's bound port and "host:port"; 0 and "" when it is off.
  uint16_t http_port() const;
  std::string http_address() const;
  const BrokerConfig& config() const;
  // The armed fault rules both listeners consult (broker/faults/fault_registry.h); they live
  // as long as the broker and start empty.
  faults::FaultRegistry& faults();
  // Every metric in the Prometheus text format (docs/metrics.md): what GET /metrics serves.
  // After Stop, only the counters kept in memory and the process's figures.
  std::string MetricsText() const;

  // Test controls (broker/test_controls.h, docs/testing.md), as the ResetBroker and Clock
  // requests: Reset drops everything a test left behind (ResetBroker's errors).
  absl::StatusOr<ResetSummary> Reset();
  const BrokerClock& clock() const;
  // Switches the clock's mode (when set), advances it by `advance`, and when it advanced waits
  // for the log cleaner's pass at the new time. Errors: ApplyClock's.
  absl::Status SetClock(std::optional<ClockMode> mode, std::chrono::milliseconds advance);

  // Graceful stop; idempotent; blocks until done.
  void Stop();

 private:
  struct Runtime;
  explicit Broker(std::unique_ptr<Runtime> runtime);
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace brook
