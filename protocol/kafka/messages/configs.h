// protocol/kafka/messages/configs.h: DescribeConfigs (key 32, versions 0-4, flexible from 4),
// AlterConfigs (key 33, versions 0-2, flexible from 2) and IncrementalAlterConfigs (key 44,
// versions 0-1, flexible from 1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

// ConfigResource types.
inline constexpr int8_t kResourceTopic = 2;
inline constexpr int8_t kResourceBroker = 4;
inline constexpr int8_t kResourceBrokerLogger = 8;

// Kafka's ConfigEntry.ConfigType.
enum class ConfigType : int8_t {
  kUnknown = 0, kBoolean = 1, kString = 2, kInt = 3, kShort = 4, kLong = 5, kDouble = 6,
  kList = 7, kClass = 8, kPassword = 9,
};

// IncrementalAlterConfigs operations.
inline constexpr int8_t kConfigSet = 0;
inline constexpr int8_t kConfigDelete = 1;
inline constexpr int8_t kConfigAppend = 2;
inline constexpr int8_t kConfigSubtract = 3;

struct DescribeConfigsRequest {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Resource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::optional<std::vector<std::string>> configuration_keys;  // Null: every config.
    template <class V> void Fields(V& v) {
      v(resource_type, "resource_type");
      v(resource_name, "resource_name");
      v(configuration_keys, "configuration_keys");
    }
  };
  std::vector<Resource> resources;
  bool include_synonyms = false;
  bool include_documentation = false;
  template <class V> void Fields(V& v) {
    v(resources, "resources");
    v(include_synonyms, "include_synonyms", Since(1));
    v(include_documentation, "include_documentation", Since(3));
  }
};

struct DescribeConfigsResponse {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Synonym {
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(value, "value");
      v(source, "source");
    }
  };
  struct Config {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;  // v0 only; v1+ says it with config_source.
    int8_t config_source = -1;
    bool is_sensitive = false;
    std::vector<Synonym> synonyms;
    int8_t config_type = 0;
    std::optional<std::string> documentation;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(value, "value");
      v(read_only, "read_only");
      v(is_default, "is_default", Until(0));
      v(config_source, "config_source", Since(1));
      v(is_sensitive, "is_sensitive");
      v(synonyms, "synonyms", Since(1));
      v(config_type, "config_type", Since(3));
      v(documentation, "documentation", Since(3));
    }
  };
  struct Result {
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<Config> configs;
    template <class V> void Fields(V& v) {
      v(error_code, "error_code");
      v(error_message, "error_message");
      v(resource_type, "resource_type");
      v(resource_name, "resource_name");
      v(configs, "configs");
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> results;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms");
    v(results, "results");
  }
};

// A resource and the configs to change: AlterConfigs and IncrementalAlterConfigs.
template <class Config>
struct ConfigResource {
  int8_t resource_type = 0;
  std::string resource_name;
  std::vector<Config> configs;
  template <class V> void Fields(V& v) {
    v(resource_type, "resource_type");
    v(resource_name, "resource_name");
    v(configs, "configs");
  }
};

// AlterConfigs and IncrementalAlterConfigs answer alike.
struct AlterConfigsResourceResponse {
  ErrorCode error_code = ErrorCode::kNone;
  std::optional<std::string> error_message;
  int8_t resource_type = 0;
  std::string resource_name;
  template <class V> void Fields(V& v) {
    v(error_code, "error_code");
    v(error_message, "error_message");
    v(resource_type, "resource_type");
    v(resource_name, "resource_name");
  }
};

// The alteration requests and answers: AlterConfigs (flexible from 2; a config is a name and a
// value) and IncrementalAlterConfigs (flexible from 1; a config also has an operation).
template <int16_t FlexibleFrom, class Config>
struct AlterConfigsRequestOf {
  static constexpr int16_t kFlexibleFrom = FlexibleFrom;
  using Resource = ConfigResource<Config>;
  std::vector<Resource> resources;
  bool validate_only = false;
  template <class V> void Fields(V& v) {
    v(resources, "resources");
    v(validate_only, "validate_only");
  }
};

template <int16_t FlexibleFrom>
struct AlterConfigsResponseOf {
  static constexpr int16_t kFlexibleFrom = FlexibleFrom;
  int32_t throttle_time_ms = 0;
  std::vector<AlterConfigsResourceResponse> responses;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms");
    v(responses, "responses");
  }
};

struct AlterableConfig {
  std::string name;
  std::optional<std::string> value;
  template <class V> void Fields(V& v) {
    v(name, "name");
    v(value, "value");
  }
};

struct IncrementalAlterableConfig {
  std::string name;
  int8_t config_operation = kConfigSet;
  std::optional<std::string> value;
  template <class V> void Fields(V& v) {
    v(name, "name");
    v(config_operation, "config_operation");
    v(value, "value");
  }
};

using AlterConfigsRequest = AlterConfigsRequestOf<2, AlterableConfig>;
using AlterConfigsResponse = AlterConfigsResponseOf<2>;
using IncrementalAlterConfigsRequest = AlterConfigsRequestOf<1, IncrementalAlterableConfig>;
using IncrementalAlterConfigsResponse = AlterConfigsResponseOf<1>;

}  // namespace brook::kafka
