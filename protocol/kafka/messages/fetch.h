// protocol/kafka/messages/fetch.h: Fetch (key 1), versions 0-12, flexible from 12.
// `records` is RecordBatch v2 from version 4; versions 0-3 carry a magic-1 MessageSet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

inline constexpr int8_t kReadUncommitted = 0;
inline constexpr int8_t kReadCommitted = 1;

struct FetchRequest {
  static constexpr int16_t kFlexibleFrom = 12;
  struct Partition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;
    int64_t fetch_offset = 0;
    int32_t last_fetched_epoch = -1;
    int64_t log_start_offset = -1;
    int32_t partition_max_bytes = 0;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(current_leader_epoch, "current_leader_epoch", Since(9));
      v(fetch_offset, "fetch_offset");
      v(last_fetched_epoch, "last_fetched_epoch", Since(12));
      v(log_start_offset, "log_start_offset", Since(5));
      v(partition_max_bytes, "partition_max_bytes");
    }
  };
  using Topic = TopicOf<Partition>;
  using ForgottenTopic = TopicOf<int32_t>;
  std::optional<std::string> cluster_id;
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0x7fffffff;
  int8_t isolation_level = kReadUncommitted;
  int32_t session_id = 0;
  int32_t session_epoch = -1;
  std::vector<Topic> topics;
  std::vector<ForgottenTopic> forgotten_topics;
  std::string rack_id;
  template <class V> void Fields(V& v) {
    v.Tagged(cluster_id, 0, "cluster_id", Since(12));
    v(replica_id, "replica_id");
    v(max_wait_ms, "max_wait_ms");
    v(min_bytes, "min_bytes");
    v(max_bytes, "max_bytes", Since(3));
    v(isolation_level, "isolation_level", Since(4));
    v(session_id, "session_id", Since(7));
    v(session_epoch, "session_epoch", Since(7));
    v(topics, "topics");
    v(forgotten_topics, "forgotten_topics_data", Since(7));
    v(rack_id, "rack_id", Since(11));
  }
};

struct FetchResponse {
  static constexpr int16_t kFlexibleFrom = 12;
  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;
    template <class V> void Fields(V& v) {
      v(producer_id, "producer_id");
      v(first_offset, "first_offset");
    }
  };
  struct Partition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    int32_t preferred_read_replica = -1;
    std::optional<std::string_view> records;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(error_code, "error_code");
      v(high_watermark, "high_watermark");
      v(last_stable_offset, "last_stable_offset", Since(4));
      v(log_start_offset, "log_start_offset", Since(5));
      v(aborted_transactions, "aborted_transactions", Since(4));
      v(preferred_read_replica, "preferred_read_replica", Since(11));
      v(records, "records");
    }
  };
  using Topic = TopicOf<Partition>;
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  int32_t session_id = 0;
  std::vector<Topic> responses;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(error_code, "error_code", Since(7));
    v(session_id, "session_id", Since(7));
    v(responses, "responses");
  }
};

}  // namespace brook::kafka
