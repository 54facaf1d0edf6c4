#include "broker/broker_config.h"

#include <charconv>
#include <cstdlib>

#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook {

absl::Status ParseHostPort(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return absl::InvalidArgumentError(
        fmt::format("'{}' is not HOST:PORT (for example 127.0.0.1:9292)", text));
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) {
    return absl::InvalidArgumentError(fmt::format("'{}' has no host before the port", text));
  }
  unsigned value = 0;
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || value > 65535) {
    return absl::InvalidArgumentError(
        fmt::format("'{}' has an invalid port (0-65535)", text));
  }
  *host = h;
  *port = static_cast<uint16_t>(value);
  return absl::OkStatus();
}

absl::Status ApplyEnvironment(BrokerConfig* config) {
  if (const char* listen = std::getenv("BROOK_LISTEN"); listen != nullptr && *listen != '\0') {
    absl::Status s = ParseHostPort(listen, &config->server.host, &config->server.port);
    if (!s.ok()) return absl::InvalidArgumentError(fmt::format("BROOK_LISTEN: {}", MessageOf(s)));
  }
  if (const char* listen = std::getenv("BROOK_KAFKA_LISTEN");
      listen != nullptr && *listen != '\0') {
    absl::Status s = ParseKafkaListen(listen, &config->kafka);
    if (!s.ok()) {
      return absl::InvalidArgumentError(fmt::format("BROOK_KAFKA_LISTEN: {}", MessageOf(s)));
    }
  }
  if (const char* dir = std::getenv("BROOK_DATA_DIR"); dir != nullptr && *dir != '\0') {
    config->store.data_dir = dir;
  }
  return absl::OkStatus();
}

absl::Status ParseKafkaListen(const std::string& text, KafkaListenerConfig* kafka) {
  if (text == "off") {
    kafka->enabled = false;
    return absl::OkStatus();
  }
  kafka->enabled = true;
  return ParseHostPort(text, &kafka->host, &kafka->port);
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
