// protocol/kafka/messages/topics.h: CreateTopics (key 19, versions 0-7, flexible from 5),
// DeleteTopics (key 20, versions 0-6, flexible from 4) and CreatePartitions (key 37, versions
// 0-3, flexible from 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

struct CreateTopicsRequest {
  static constexpr int16_t kFlexibleFrom = 5;
  struct Assignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(broker_ids, "broker_ids");
    }
  };
  struct Config {
    std::string name;
    std::optional<std::string> value;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(value, "value");
    }
  };
  struct Topic {
    std::string name;
    int32_t num_partitions = -1;       // -1: the broker's default.
    int16_t replication_factor = -1;   // -1: the broker's default.
    std::vector<Assignment> assignments;
    std::vector<Config> configs;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(num_partitions, "num_partitions");
      v(replication_factor, "replication_factor");
      v(assignments, "assignments");
      v(configs, "configs");
    }
  };
  std::vector<Topic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;
  template <class V> void Fields(V& v) {
    v(topics, "topics");
    v(timeout_ms, "timeout_ms");
    v(validate_only, "validate_only", Since(1));
  }
};

// Where a config's value comes from (DescribeConfigs v1+, CreateTopics v5+).
enum class ConfigSource : int8_t {
  kUnknown = 0,
  kTopic = 1,           // DYNAMIC_TOPIC_CONFIG: the topic sets it.
  kBrokerDynamic = 2,
  kBrokerDefault = 3,
  kStaticBroker = 4,    // The broker's startup setting (brook serve --topic-default).
  kDefault = 5,         // DEFAULT_CONFIG: the built-in default.
};

struct CreateTopicsResponse {
  static constexpr int16_t kFlexibleFrom = 5;
  struct Config {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    int8_t config_source = -1;
    bool is_sensitive = false;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(value, "value");
      v(read_only, "read_only");
      v(config_source, "config_source");
      v(is_sensitive, "is_sensitive");
    }
  };
  struct Topic {
    std::string name;
    Uuid topic_id;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::optional<std::vector<Config>> configs;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(topic_id, "topic_id", Since(7));
      v(error_code, "error_code");
      v(error_message, "error_message", Since(1));
      v(num_partitions, "num_partitions", Since(5));
      v(replication_factor, "replication_factor", Since(5));
      v(configs, "configs", Since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(2));
    v(topics, "topics");
  }
};

struct DeleteTopicsRequest {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Topic {
    std::optional<std::string> name;  // Null when named by id.
    Uuid topic_id;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(topic_id, "topic_id");
    }
  };
  std::vector<Topic> topics;            // v6+.
  std::vector<std::string> topic_names; // v0-5.
  int32_t timeout_ms = 0;
  template <class V> void Fields(V& v) {
    v(topics, "topics", Since(6));
    v(topic_names, "topic_names", Until(5));
    v(timeout_ms, "timeout_ms");
  }
};

struct DeleteTopicsResponse {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Result {
    std::optional<std::string> name;
    Uuid topic_id;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(topic_id, "topic_id", Since(6));
      v(error_code, "error_code");
      v(error_message, "error_message", Since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> responses;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(responses, "responses");
  }
};

struct CreatePartitionsRequest {
  static constexpr int16_t kFlexibleFrom = 2;
  struct Assignment {
    std::vector<int32_t> broker_ids;  // The new partition's replicas.
    template <class V> void Fields(V& v) { v(broker_ids, "broker_ids"); }
  };
  struct Topic {
    std::string name;
    int32_t count = 0;  // The new partition count.
    std::optional<std::vector<Assignment>> assignments;  // One per new partition, or null.
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(count, "count");
      v(assignments, "assignments");
    }
  };
  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;
  template <class V> void Fields(V& v) {
    v(topics, "topics");
    v(timeout_ms, "timeout_ms");
    v(validate_only, "validate_only");
  }
};

struct CreatePartitionsResponse {
  static constexpr int16_t kFlexibleFrom = 2;
  struct Result {
    std::string name;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(error_code, "error_code");
      v(error_message, "error_message");
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> results;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms");
    v(results, "results");
  }
};

}  // namespace brook::kafka
