// protocol/kafka/messages/produce.h: Produce (key 0), versions 0-11, flexible from 9.
// `records` is a record set: RecordBatch v2 from version 3, a MessageSet (magic 0 or 1)
// before (message_set.h converts those).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

struct ProduceRequest {
  static constexpr int16_t kFlexibleFrom = 9;
  struct Partition {
    int32_t index = 0;
    std::optional<std::string_view> records;
    template <class V> void Fields(V& v) {
      v(index, "index");
      v(records, "records");
    }
  };
  using Topic = TopicOf<Partition>;
  std::optional<std::string> transactional_id;
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(transactional_id, "transactional_id", Since(3));
    v(acks, "acks");
    v(timeout_ms, "timeout_ms");
    v(topics, "topic_data");
  }
};

struct ProduceResponse {
  static constexpr int16_t kFlexibleFrom = 9;
  struct RecordError {
    int32_t batch_index = 0;
    std::optional<std::string> message;
    template <class V> void Fields(V& v) {
      v(batch_index, "batch_index");
      v(message, "batch_index_error_message");
    }
  };
  struct Partition {
    int32_t index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t base_offset = -1;
    int64_t log_append_time_ms = -1;
    int64_t log_start_offset = -1;
    std::vector<RecordError> record_errors;
    std::optional<std::string> error_message;
    template <class V> void Fields(V& v) {
      v(index, "index");
      v(error_code, "error_code");
      v(base_offset, "base_offset");
      v(log_append_time_ms, "log_append_time_ms", Since(2));
      v(log_start_offset, "log_start_offset", Since(5));
      v(record_errors, "record_errors", Since(8));
      v(error_message, "error_message", Since(8));
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> responses;
  int32_t throttle_time_ms = 0;
  template <class V> void Fields(V& v) {
    v(responses, "responses");
    v(throttle_time_ms, "throttle_time_ms", Since(1));
  }
};

}  // namespace brook::kafka
