// protocol/messages.h: every request and response of brook's protocol, declared once.
//
// Each message is a plain struct whose Fields() lists its fields in wire order with their
// names and the first version that carries them. The generic codec (message_codec.h)
// encodes and decodes any message from that list, and the grammar in docs/protocol.md is
// generated from it too (tests/protocol/grammar_test.cc checks the document matches).
//
// Field types and their encodings (wire.h): int8/int16/int32/int64, bool (int8 0/1),
// std::string (string), std::optional<std::string> (nullable string), std::string_view
// (bytes; when decoded, a view into the frame buffer), ErrorCode (int16), std::vector<T>
// (array), std::optional<std::vector<T>> (nullable array).
//
// Versions: every API is at version 0; a field added later is declared with its first
// version (`v(field, "name", 1)`) and is absent from older encodings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "protocol/error_codes.h"

namespace brook {

enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
};

// Special timestamps of ListOffsets.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;

// acks values of Produce.
inline constexpr int16_t kAcksNone = 0;
inline constexpr int16_t kAcksLeader = 1;
inline constexpr int16_t kAcksAll = -1;

// A topic name with per-partition entries: the shape of Produce, Fetch and ListOffsets.
template <class Partition>
struct TopicOf {
  std::string name;
  std::vector<Partition> partitions;
  template <class V> void Fields(V& v) {
    v(name, "name");
    v(partitions, "partitions");
  }
};

struct ConfigEntry {
  std::string name;
  std::string value;
  template <class V> void Fields(V& v) {
    v(name, "name");
    v(value, "value");
  }
};

// ---- ApiVersions (18): which APIs and versions the broker serves. -----------------------
struct ApiVersionsResponse {
  struct ApiRange {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    template <class V> void Fields(V& v) {
      v(api_key, "api_key");
      v(min_version, "min_version");
      v(max_version, "max_version");
    }
  };
  std::vector<ApiRange> api_keys;
  std::string broker_version;
  template <class V> void Fields(V& v) {
    v(api_keys, "api_keys");
    v(broker_version, "broker_version");
  }
};
struct ApiVersionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr int16_t kMaxVersion = 0;
  using Response = ApiVersionsResponse;
  template <class V> void Fields(V&) {}
};

// ---- Metadata (3): topics, their partitions with log-start/end offsets, and configs. ------
struct MetadataResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t log_start_offset = 0;
    int64_t log_end_offset = 0;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
      v(log_start_offset, "log_start_offset");
      v(log_end_offset, "log_end_offset");
    }
  };
  struct Topic {
    ErrorCode error_code = ErrorCode::kNone;
    std::string name;
    std::vector<Partition> partitions;
    std::vector<ConfigEntry> configs;
    template <class V> void Fields(V& v) {
      v(error_code, "error_code");
      v(name, "name");
      v(partitions, "partitions");
      v(configs, "configs");
    }
  };
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct MetadataRequest {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr int16_t kMaxVersion = 0;
  using Response = MetadataResponse;
  std::optional<std::vector<std::string>> topics;  // null = every topic.
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};

// ---- CreateTopics (19) ---------------------------------------------------------------------
struct TopicResult {
  std::string name;
  ErrorCode error_code = ErrorCode::kNone;
  std::optional<std::string> error_message;
  template <class V> void Fields(V& v) {
    v(name, "name");
    v(error_code, "error_code");
    v(error_message, "error_message");
  }
};
struct CreateTopicsResponse {
  std::vector<TopicResult> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct CreateTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr int16_t kMaxVersion = 0;
  using Response = CreateTopicsResponse;
  struct Topic {
    std::string name;
    int32_t num_partitions = 1;
    std::vector<ConfigEntry> configs;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(num_partitions, "num_partitions");
      v(configs, "configs");
    }
  };
  std::vector<Topic> topics;
  bool validate_only = false;
  template <class V> void Fields(V& v) {
    v(topics, "topics");
    v(validate_only, "validate_only");
  }
};

// ---- DeleteTopics (20) ---------------------------------------------------------------------
struct DeleteTopicsResponse {
  std::vector<TopicResult> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct DeleteTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr int16_t kMaxVersion = 0;
  using Response = DeleteTopicsResponse;
  std::vector<std::string> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};

// ---- Produce (0) ---------------------------------------------------------------------------
struct ProduceResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    int64_t base_offset = -1;  // Offset of the first record appended.
    int64_t log_start_offset = -1;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
      v(error_message, "error_message");
      v(base_offset, "base_offset");
      v(log_start_offset, "log_start_offset");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct ProduceRequest {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr int16_t kMaxVersion = 0;
  using Response = ProduceResponse;
  struct Partition {
    int32_t partition = 0;
    std::string_view records;  // One or more RecordBatch v2, back to back.
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(records, "records");
    }
  };
  using Topic = TopicOf<Partition>;
  int16_t acks = kAcksLeader;
  int32_t timeout_ms = 30000;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(acks, "acks");
    v(timeout_ms, "timeout_ms");
    v(topics, "topics");
  }
};

// ---- Fetch (1) -----------------------------------------------------------------------------
struct FetchResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t log_end_offset = -1;  // The high watermark: the offset the next record will get.
    int64_t log_start_offset = -1;
    std::string_view records;  // Whole batches; the first may start before fetch_offset.
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
      v(log_end_offset, "log_end_offset");
      v(log_start_offset, "log_start_offset");
      v(records, "records");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct FetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr int16_t kMaxVersion = 0;
  using Response = FetchResponse;
  struct Partition {
    int32_t partition = 0;
    int64_t fetch_offset = 0;
    int32_t partition_max_bytes = 1 << 20;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(fetch_offset, "fetch_offset");
      v(partition_max_bytes, "partition_max_bytes");
    }
  };
  using Topic = TopicOf<Partition>;
  int32_t max_wait_ms = 500;
  int32_t min_bytes = 1;
  int32_t max_bytes = 50 << 20;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(max_wait_ms, "max_wait_ms");
    v(min_bytes, "min_bytes");
    v(max_bytes, "max_bytes");
    v(topics, "topics");
  }
};

// ---- ListOffsets (2) -----------------------------------------------------------------------
struct ListOffsetsResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t timestamp = -1;  // The found record's timestamp; -1 for earliest/latest/none.
    int64_t offset = -1;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
      v(timestamp, "timestamp");
      v(offset, "offset");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct ListOffsetsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr int16_t kMaxVersion = 0;
  using Response = ListOffsetsResponse;
  struct Partition {
    int32_t partition = 0;
    int64_t timestamp = kLatestTimestamp;  // -2 earliest, -1 latest, else a time in ms.
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(timestamp, "timestamp");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};

// Every request type, in API-key order; ApiVersions and the docs enumerate it.
using AllRequests = std::tuple<ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest,
                               ApiVersionsRequest, CreateTopicsRequest, DeleteTopicsRequest>;

std::string_view ApiName(ApiKey key);

}  // namespace brook
