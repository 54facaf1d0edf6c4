// broker/broker_config.h: every setting of a broker, its default beside it, and validation.
//
// Precedence (applied by `brook serve`): command-line flag > environment variable > default.
// Environment variables: BROOK_LISTEN (host:port), BROOK_KAFKA_LISTEN and BROOK_HTTP_LISTEN
// (host:port or "off"), BROOK_DATA_DIR, BROOK_LOG_LEVEL.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "protocol/messages.h"
#include "storage/store_options.h"

namespace brook {

struct ServerConfig {
  std::string host = "127.0.0.1";  // Address to listen on.
  uint16_t port = 9292;            // 0 picks a free port (see Broker::port()).
  uint32_t max_frame_bytes = 16 << 20;      // Larger frames close the connection.
  int max_connections = 1024;               // Connections beyond are closed at accept.
  int max_in_flight_per_connection = 64;    // Reading pauses while this many are pending.
  std::chrono::milliseconds frame_timeout{30'000};   // A started frame must complete within.
  std::chrono::milliseconds idle_timeout{600'000};   // Idle connections are closed after.
  std::chrono::milliseconds shutdown_timeout{10'000};  // Graceful stop waits at most this long.
  // Answer a connection's requests in the order they arrived (Kafka's rule); otherwise each
  // answer goes out as soon as it is ready (brook's protocol matches by correlation id).
  bool ordered_responses = false;
};

// The Kafka-protocol listener (broker/kafka/). Its connections get `server`'s limits.
struct KafkaListenerConfig {
  bool enabled = true;
  std::string host = "127.0.0.1";  // Address to listen on.
  uint16_t port = 9092;            // 0 picks a free port (see Broker::kafka_port()).
  // What Metadata and FindCoordinator announce to clients (they connect there). Empty host:
  // the listen host, or this machine's hostname when listening on a wildcard address
  // (0.0.0.0 or ::), which clients cannot connect to. 0 port: the bound port.
  std::string advertised_host;
  uint16_t advertised_port = 0;
  // Create a topic that a Kafka client names in Metadata (when the request allows it) or
  // Produce, with the broker's topic defaults and default_partitions, as Kafka's
  // auto.create.topics.enable does.
  bool auto_create_topics = true;
  int32_t default_partitions = 1;  // Kafka's num.partitions: auto-created topics, CreateTopics -1.
};

// The HTTP listener (broker/http/): health checks, /metrics, the web console and its JSON API.
struct HttpListenerConfig {
  bool enabled = true;
  std::string host = "127.0.0.1";  // Address to listen on.
  uint16_t port = 9293;            // 0 picks a free port (see Broker::http_port()).
  uint64_t max_body_bytes = 16 << 20;  // Larger request bodies are answered 413.
  int max_connections = 256;           // Connections beyond are closed at accept.
  // A request's body must arrive (and its answer be taken) within this; a connection waiting
  // for its next request is closed after idle_timeout.
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};
  // Host names requests may use beyond addresses, localhost and this machine's name (when
  // not listening on a wildcard address; http/request_guard.h): e.g. a reverse proxy's.
  std::vector<std::string> allowed_hosts;
};

struct BrokerConfig {
  ServerConfig server;
  KafkaListenerConfig kafka;
  HttpListenerConfig http;
  storage::StoreOptions store;  // data_dir defaults to ./brook-data.
  int io_threads = 0;           // 0 = one per core.
  // Bytes that requests and answers may hold in memory, all connections of both listeners
  // together (memory_budget.h): past it, large requests wait to be read and fetches answer
  // less (at least one batch).
  int64_t max_in_flight_bytes = 256LL << 20;
  // Frames up to this size are read without waiting for the budget (they are still charged),
  // so small requests keep flowing when large ones wait.
  int64_t free_frame_bytes = 64 << 10;
  // The most record bytes one Fetch answer carries, whatever the request asks (Kafka's
  // fetch.max.bytes); the first partition with data always returns at least one batch.
  int32_t fetch_max_bytes = 55 << 20;
  std::chrono::milliseconds max_fetch_wait{30'000};  // Upper bound on a fetch's max_wait_ms.
  // Consumer groups: after the first member joins an Empty group, wait this long (restarted by
  // each further join, bounded by the rebalance timeout) so members starting together share
  // one rebalance. 0 = complete as soon as everyone has joined.
  std::chrono::milliseconds group_initial_rebalance_delay{300};
  // The session timeouts JoinGroup accepts (INVALID_SESSION_TIMEOUT outside).
  std::chrono::milliseconds group_min_session_timeout{100};
  std::chrono::milliseconds group_max_session_timeout{300'000};
  // The log cleaner (log_cleaner.h) applies retention and compacts the partitions that need it
  // this often (>= 1 ms). A segment past retention stays readable for up to this long.
  std::chrono::milliseconds log_cleanup_interval{5'000};
  // Compaction's I/O bound (bytes read + written per second, background and CompactTopic);
  // 0 = unlimited. Bounds the CPU and disk compaction takes from producers and consumers.
  int64_t compaction_max_bytes_per_second = 64LL << 20;
  // The clock's mode at start (broker_clock.h): the system clock, or a manual one that stands
  // still until advanced (tests; docs/testing.md).
  ClockMode clock = ClockMode::kSystem;
};

// Reads BROOK_LISTEN, BROOK_KAFKA_LISTEN, BROOK_HTTP_LISTEN and BROOK_DATA_DIR into *config. Errors:
// InvalidArgument on a malformed address.
absl::Status ApplyEnvironment(BrokerConfig* config);

// Parses an address to listen on or advertise, "host:port" (protocol/host_port.h; IPv6 as
// "[::1]:9292"; port 0: the bound one) into *host and *port.
// Errors: InvalidArgument naming what is wrong.
absl::Status ParseListenAddress(std::string_view text, std::string* host, uint16_t* port);

// Parses the address of a listener that can be turned off (Kafka's, HTTP's): "HOST:PORT", or
// "off", which clears *enabled. Errors: InvalidArgument as ParseListenAddress.
absl::Status ParseOptionalListen(std::string_view text, bool* enabled, std::string* host,
                                 uint16_t* port);
absl::Status ParseKafkaListen(const std::string& text, KafkaListenerConfig* kafka);
absl::Status ParseHttpListen(const std::string& text, HttpListenerConfig* http);
// Checks the settings are usable. Errors: InvalidArgument naming the setting.
absl::Status ValidateConfig(const BrokerConfig& config);

}  // namespace brook
