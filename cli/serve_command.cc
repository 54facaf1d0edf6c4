// `brook serve`: run the broker until SIGINT/SIGTERM (or its parent's exit, with
// --exit-with-parent). Once ready it prints one JSON line on stdout (broker/ready_line.h);
// nothing else ever goes to stdout, logs go to stderr.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "broker/log.h"
#include "broker/ready_line.h"
#include "broker/shutdown_signals.h"
#include "cli/cli_common.h"
#include "cli/commands.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:9292";
  std::string kafka_listen = "127.0.0.1:9092";
  std::string kafka_advertised;  // HOST:PORT; empty = derived from the listen address.
  std::string http_listen = "127.0.0.1:9293";
  std::string data_dir = "./brook-data";
  bool in_memory = false;
  std::string ready_file;  // Empty: none.
  bool exit_with_parent = false;
  pid_t parent = ::getppid();  // Read as early as the process can: before the arguments.
  std::string log_level = "info";
  BrokerConfig config;
  // Consumer-group settings in milliseconds (BrokerConfig holds them as durations).
  int64_t group_initial_rebalance_delay_ms = config.group_initial_rebalance_delay.count();
  int64_t group_min_session_timeout_ms = config.group_min_session_timeout.count();
  int64_t group_max_session_timeout_ms = config.group_max_session_timeout.count();
  int64_t log_cleanup_interval_ms = config.log_cleanup_interval.count();
  std::vector<std::string> topic_defaults;  // KEY=VALUE: defaults of every topic's configs.
  std::string clock = "system";             // system or manual.
};

// Prints the ready line on stdout and, when `ready_file` is set, writes it there.
// Errors: those of WriteReadyFile.
absl::Status AnnounceReady(const Broker& broker, const std::string& ready_file) {
  const std::string line = FormatReadyLine(ReadyLineOf(broker));
  if (!ready_file.empty()) {
    if (absl::Status s = WriteReadyFile(ready_file, line); !s.ok()) return s;
  }
  fmt::print(stdout, "{}\n", line);
  std::fflush(stdout);
  return absl::OkStatus();
}

int RunServe(ServeOptions& options) {
  LogLevel level;
  if (!ParseLogLevel(options.log_level, &level)) {
    fmt::print(stderr, "error: --log-level must be debug, info, warn or error\n");
    return 2;
  }
  SetLogLevel(level);
  BrokerConfig config = options.config;
  if (absl::Status s =
          ParseListenAddress(options.listen, &config.server.host, &config.server.port);
      !s.ok()) {
    fmt::print(stderr, "error: --listen: {}\n", MessageOf(s));
    return 2;
  }
  if (absl::Status s = ParseKafkaListen(options.kafka_listen, &config.kafka); !s.ok()) {
    fmt::print(stderr, "error: --kafka-listen: {}\n", MessageOf(s));
    return 2;
  }
  if (absl::Status s = ParseHttpListen(options.http_listen, &config.http); !s.ok()) {
    fmt::print(stderr, "error: --http-listen: {}\n", MessageOf(s));
    return 2;
  }
  if (!options.kafka_advertised.empty()) {
    if (absl::Status s = ParseListenAddress(options.kafka_advertised,
                                            &config.kafka.advertised_host,
                                            &config.kafka.advertised_port);
        !s.ok()) {
      fmt::print(stderr, "error: --kafka-advertised-address: {}\n", MessageOf(s));
      return 2;
    }
  }
  config.store.data_dir = options.data_dir;
  config.store.in_memory = options.in_memory;
  std::optional<std::map<std::string, std::string>> defaults =
      ParseKeyValues(options.topic_defaults, "--topic-default");
  if (!defaults) return 2;
  absl::StatusOr<storage::TopicConfig> topic_defaults = storage::ResolveTopicConfig(
      config.store.topic_defaults, storage::ConfigOverrides(defaults->begin(), defaults->end()));
  if (!topic_defaults.ok()) {
    fmt::print(stderr, "error: --topic-default: {}\n", MessageOf(topic_defaults.status()));
    return 2;
  }
  config.store.topic_defaults = *topic_defaults;
  config.group_initial_rebalance_delay =
      std::chrono::milliseconds(options.group_initial_rebalance_delay_ms);
  config.group_min_session_timeout = std::chrono::milliseconds(options.group_min_session_timeout_ms);
  config.group_max_session_timeout = std::chrono::milliseconds(options.group_max_session_timeout_ms);
  config.log_cleanup_interval = std::chrono::milliseconds(options.log_cleanup_interval_ms);
  if (options.clock != "system" && options.clock != "manual") {
    fmt::print(stderr, "error: --clock must be system or manual, not '{}'\n", options.clock);
    return 2;
  }
  config.clock = options.clock == "manual" ? ClockMode::kManual : ClockMode::kSystem;
  ShutdownSignals signals;  // From before the broker listens: no SIGTERM kills it unstopped.
  if (options.exit_with_parent) {
    if (absl::Status s = signals.WatchParent(options.parent); !s.ok()) {
      fmt::print(stderr, "error: --exit-with-parent: {}\n", MessageOf(s));
      return 1;
    }
  }
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Start(config);
  if (!broker.ok()) {
    fmt::print(stderr, "error: {}\n", MessageOf(broker.status()));
    return 1;
  }
  if (absl::Status s = AnnounceReady(**broker, options.ready_file); !s.ok()) {
    fmt::print(stderr, "error: --ready-file: {}\n", MessageOf(s));
    (*broker)->Stop();
    return 1;
  }
  const int signal = signals.Wait();
  Log(LogLevel::kInfo, "signal received", "signal", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*broker)->Stop();
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", "Run the broker (stop with Ctrl-C / SIGTERM)");
  ServerConfig& server = options->config.server;
  serve->add_option("--listen", options->listen, "Address to listen on, HOST:PORT")
      ->envname("BROOK_LISTEN")
      ->capture_default_str();
  serve->add_option("--kafka-listen", options->kafka_listen,
                    "Address of the Kafka-protocol listener, HOST:PORT, or off")
      ->envname("BROOK_KAFKA_LISTEN")
      ->capture_default_str();
  serve->add_option("--http-listen", options->http_listen,
                    "Address of the HTTP listener (health, metrics, console), HOST:PORT, or off")
      ->envname("BROOK_HTTP_LISTEN")
      ->capture_default_str();
  serve->add_option("--http-allowed-host", options->config.http.allowed_hosts,
                    "A host name HTTP requests may name besides addresses, localhost and this "
                    "machine's name (e.g. a reverse proxy's); repeatable");
  serve->add_option("--kafka-advertised-address", options->kafka_advertised,
                    "HOST:PORT Kafka clients are told to connect to (default: the Kafka listen "
                    "address; the hostname when listening on 0.0.0.0 or ::)");
  serve->add_flag("!--no-kafka-auto-create-topics", options->config.kafka.auto_create_topics,
                  "Do not create topics that Kafka clients name in Metadata or Produce");
  serve->add_option("--kafka-default-partitions", options->config.kafka.default_partitions,
                    "Partitions of topics that Kafka clients create without a count")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI::Option* data_dir =
      serve->add_option("--data-dir", options->data_dir, "Directory of the log")
          ->envname("BROOK_DATA_DIR")
          ->capture_default_str();
  serve->add_flag("--in-memory", options->in_memory,
                  "Keep everything in memory: no data dir, nothing written to disk, everything "
                  "lost on exit (for tests)")
      ->excludes(data_dir);
  serve->add_option("--ready-file", options->ready_file,
                    "Once ready, also write the ready line (printed on stdout) to this file, "
                    "atomically");
  serve->add_flag("--exit-with-parent", options->exit_with_parent,
                  "Stop gracefully when the parent process exits (Linux; for test harnesses)");
  serve->add_option("--log-level", options->log_level, "debug, info, warn or error")
      ->envname("BROOK_LOG_LEVEL")
      ->capture_default_str();
  serve->add_option("--io-threads", options->config.io_threads, "Network threads (0 = one per core)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve->add_option("--max-connections", server.max_connections, "Connections accepted at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--max-frame-bytes", server.max_frame_bytes,
                    "Largest request frame; larger ones close the connection")
      ->check(CLI::Range(1024u, 1u << 30))
      ->capture_default_str();
  serve->add_option("--max-in-flight", server.max_in_flight_per_connection,
                    "Requests in flight per connection before reading pauses")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--max-in-flight-bytes", options->config.max_in_flight_bytes,
                    "Bytes requests and answers may hold in memory, all connections together; "
                    "past it large requests wait and fetches answer less")
      ->check(CLI::Range(int64_t{1} << 20, int64_t{1} << 40))
      ->capture_default_str();
  serve->add_option("--fetch-max-bytes", options->config.fetch_max_bytes,
                    "Most record bytes in one Fetch answer, whatever the client asks (at least "
                    "one batch)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--group-initial-rebalance-delay-ms", options->group_initial_rebalance_delay_ms,
                    "After the first member joins an empty group, wait this long for others")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve->add_option("--group-min-session-timeout-ms", options->group_min_session_timeout_ms,
                    "Shortest session timeout a group member may ask for")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--group-max-session-timeout-ms", options->group_max_session_timeout_ms,
                    "Longest session timeout a group member may ask for")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--log-cleanup-interval-ms", options->log_cleanup_interval_ms,
                    "How often retention is applied and compacted topics are compacted")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--compaction-max-bytes-per-second",
                    options->config.compaction_max_bytes_per_second,
                    "Compaction's I/O bound, bytes read + written per second (0 = unlimited)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve->add_option("--topic-default", options->topic_defaults,
                    "KEY=VALUE: the default of a topic config for topics that do not set it "
                    "(e.g. retention.ms=86400000, segment.bytes=16777216; see docs/topics.md)");
  serve->add_option("--clock", options->clock,
                    "system, or manual: the broker's clock stands still until `brook clock "
                    "advance` (for tests; see docs/testing.md)")
      ->capture_default_str();
  serve->add_option("--min-free-bytes", options->config.store.min_free_bytes,
                    "Refuse appends while the data dir's disk has less free space than this "
                    "(besides what the memtables take when flushed), so deleting topics or "
                    "records still works to free space (0 = only when the disk is full; see "
                    "docs/operations.md)")
      ->capture_default_str();
  serve->callback([options, exit_code] { *exit_code = RunServe(*options); });
}

}  // namespace brook::cli
