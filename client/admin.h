// client/admin.h: brook::Admin, which manages topics and inspects a broker.
//
//   auto admin = brook::Admin::Create({.bootstrap = "127.0.0.1:9292"});
//   absl::Status s = (*admin)->CreateTopic({.name = "orders", .partitions = 3,
//                                           .configs = {{"retention.ms", "86400000"}}});
//   // s: OK, or TOPIC_ALREADY_EXISTS "topic 'orders' already exists", ...
//
// Every method is one request on the Admin's connection (reconnected on demand when it has
// dropped) and returns the broker's outcome: errors carry the broker's ErrorCode and message.
// Request-level failures: NETWORK_EXCEPTION (cannot reach the broker), REQUEST_TIMED_OUT.
//
// Thread-safety: every method may be called from any thread, concurrently.
// Lifecycle: Create connects (and fails if it cannot); Close (also run by the destructor)
// closes the connection; later calls fail with NETWORK_EXCEPTION.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/types.h"

namespace brook {

struct AdminOptions {
  std::string bootstrap = "127.0.0.1:9292";          // The broker, host:port.
  std::string client_id = "brook-admin";             // Shown in the broker's logs.
  std::chrono::milliseconds request_timeout{30000};  // Per request; connect uses min(this, 10 s).
};

struct NewTopic {
  std::string name{};
  int32_t partitions = 1;
  std::map<std::string, std::string> configs{};  // Topic configs, e.g. retention.ms.
};

struct PartitionDescription {
  int32_t partition = 0;
  int64_t log_start_offset = 0;  // The first offset still in the partition.
  int64_t log_end_offset = 0;    // The offset the next record will get.
};

struct TopicDescription {
  std::string name;
  std::vector<PartitionDescription> partitions;  // By partition number.
  std::map<std::string, std::string> configs;
};

struct OffsetAndTimestamp {
  int64_t offset = -1;
  int64_t timestamp_ms = -1;  // The found record's timestamp; -1 for earliest/latest/none.
};

struct ApiVersionRange {
  int16_t api_key = 0;
  int16_t min_version = 0;
  int16_t max_version = 0;
};

struct BrokerVersions {
  std::string broker_version;
  std::vector<ApiVersionRange> apis;
};

class Admin {
 public:
  // Validates the options and connects. Errors: INVALID_REQUEST (bad options); the errors of
  // connecting (NETWORK_EXCEPTION "cannot connect to ...", UNSUPPORTED_VERSION).
  static absl::StatusOr<std::unique_ptr<Admin>> Create(AdminOptions options);

  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // Creates a topic (or, with validate_only, only checks that it could be created). Errors:
  // TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION (bad name), INVALID_PARTITIONS,
  // INVALID_CONFIG, each with the broker's message.
  absl::Status CreateTopic(const NewTopic& topic, bool validate_only = false);
  // Deletes a topic and its records. Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::Status DeleteTopic(std::string_view name);
  // Every topic name, sorted.
  absl::StatusOr<std::vector<std::string>> ListTopics();
  // One topic's partitions (with their log start/end offsets) and configs. Errors:
  // UNKNOWN_TOPIC_OR_PARTITION "topic 'x' does not exist".
  absl::StatusOr<TopicDescription> DescribeTopic(std::string_view name);
  // Every topic, sorted by name.
  absl::StatusOr<std::vector<TopicDescription>> DescribeTopics();
  // The offset for `timestamp_ms` in a partition: kEarliestTimestamp (-2) = the log start,
  // kLatestTimestamp (-1) = the log end, else the first record with timestamp >= it (the log
  // end and timestamp -1 when there is none). Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<OffsetAndTimestamp> ListOffsets(const TopicPartition& partition,
                                                 int64_t timestamp_ms);
  // The API versions the broker serves, and its version string.
  absl::StatusOr<BrokerVersions> ApiVersions();

  // Closes the connection. Idempotent.
  void Close();

 private:
  class Impl;
  explicit Admin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook
