#include "broker/broker_config.h"

#include <cstdlib>
#include <utility>

#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/host_port.h"

namespace brook {

absl::Status ParseListenAddress(std::string_view text, std::string* host, uint16_t* port) {
  absl::StatusOr<HostPort> parsed = ParseHostPort(text, kListenAddress);
  if (!parsed.ok()) return absl::InvalidArgumentError(ToAbsl(MessageOf(parsed.status())));
  *host = std::move(parsed->host);
  *port = parsed->port;
  return absl::OkStatus();
}

absl::Status ApplyEnvironment(BrokerConfig* config) {
  if (const char* listen = std::getenv("BROOK_LISTEN"); listen != nullptr && *listen != '\0') {
    absl::Status s = ParseListenAddress(listen, &config->server.host, &config->server.port);
    if (!s.ok()) return absl::InvalidArgumentError(fmt::format("BROOK_LISTEN: {}", MessageOf(s)));
  }
  if (const char* listen = std::getenv("BROOK_KAFKA_LISTEN");
      listen != nullptr && *listen != '\0') {
    absl::Status s = ParseKafkaListen(listen, &config->kafka);
    if (!s.ok()) {
      return absl::InvalidArgumentError(fmt::format("BROOK_KAFKA_LISTEN: {}", MessageOf(s)));
    }
  }
  if (const char* listen = std::getenv("BROOK_HTTP_LISTEN"); listen != nullptr && *listen != '\0') {
    absl::Status s = ParseHttpListen(listen, &config->http);
    if (!s.ok()) {
      return absl::InvalidArgumentError(fmt::format("BROOK_HTTP_LISTEN: {}", MessageOf(s)));
    }
  }
  if (const char* dir = std::getenv("BROOK_DATA_DIR"); dir != nullptr && *dir != '\0') {
    config->store.data_dir = dir;
  }
  return absl::OkStatus();
}

absl::Status ParseOptionalListen(std::string_view text, bool* enabled, std::string* host,
                                 uint16_t* port) {
  *enabled = text != "off";
  return *enabled ? ParseListenAddress(text, host, port) : absl::OkStatus();
}

absl::Status ParseKafkaListen(const std::string& text, KafkaListenerConfig* kafka) {
  return ParseOptionalListen(text, &kafka->enabled, &kafka->host, &kafka->port);
}

absl::Status ParseHttpListen(const std::string& text, HttpListenerConfig* http) {
  return ParseOptionalListen(text, &http->enabled, &http->host, &http->port);
}

absl::Status ValidateConfig(const BrokerConfig& config) {
  const ServerConfig& s = config.server;
  if (s.max_frame_bytes < 1024) {
    return absl::InvalidArgumentError("max frame bytes must be at least 1024");
  }
  if (s.max_connections < 1) return absl::InvalidArgumentError("max connections must be >= 1");
  if (s.max_in_flight_per_connection < 1) {
    return absl::InvalidArgumentError("max in-flight requests per connection must be >= 1");
  }
  if (config.io_threads < 0) return absl::InvalidArgumentError("io threads must be >= 0");
  if (config.max_in_flight_bytes < (1 << 20)) {
    return absl::InvalidArgumentError("max in-flight bytes must be at least 1 MiB");
  }
  if (config.free_frame_bytes < 0 || config.free_frame_bytes > config.max_in_flight_bytes) {
    return absl::InvalidArgumentError("free frame bytes must be in [0, max in-flight bytes]");
  }
  if (config.fetch_max_bytes < 1) return absl::InvalidArgumentError("fetch max bytes must be >= 1");
  if (!config.store.in_memory && config.store.data_dir.empty()) {
    return absl::InvalidArgumentError("data dir is empty");
  }
  if (config.store.producer_id_expiration_ms < 1) {
    return absl::InvalidArgumentError("producer id expiration must be >= 1 ms");
  }
  if (config.group_initial_rebalance_delay.count() < 0) {
    return absl::InvalidArgumentError("group initial rebalance delay must be >= 0");
  }
  if (config.group_min_session_timeout.count() < 1) {
    return absl::InvalidArgumentError("group min session timeout must be >= 1 ms");
  }
  if (config.group_max_session_timeout < config.group_min_session_timeout) {
    return absl::InvalidArgumentError(
        "group max session timeout must be >= group min session timeout");
  }
  if (config.kafka.advertised_host == "0.0.0.0" || config.kafka.advertised_host == "::") {
    return absl::InvalidArgumentError(
        "the Kafka advertised address cannot be a wildcard address (0.0.0.0 or ::): clients "
        "connect to it");
  }
  if (config.kafka.default_partitions < 1) {
    return absl::InvalidArgumentError("Kafka default partitions must be >= 1");
  }
  if (config.http.max_body_bytes < 1024) {
    return absl::InvalidArgumentError("HTTP max body bytes must be at least 1024");
  }
  if (config.http.max_connections < 1) {
    return absl::InvalidArgumentError("HTTP max connections must be >= 1");
  }
  if (config.log_cleanup_interval.count() < 1) {
    return absl::InvalidArgumentError("log cleanup interval must be >= 1 ms");
  }
  if (config.compaction_max_bytes_per_second < 0) {
    return absl::InvalidArgumentError(
        "compaction max bytes per second must be >= 0 (0 = unlimited)");
  }
  return absl::OkStatus();
}

}  // namespace brook
