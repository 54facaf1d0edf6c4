// protocol/kafka/messages/producers.h: InitProducerId (key 22, versions 0-5, flexible from 2),
// which gives an idempotent producer its id and epoch, and DescribeProducers (key 61, version
// 0, flexible), which shows the producers a partition remembers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

struct InitProducerIdRequest {
  static constexpr int16_t kFlexibleFrom = 2;
  std::optional<std::string> transactional_id;  // Null: an idempotent, non-transactional producer.
  int32_t transaction_timeout_ms = 0;
  int64_t producer_id = -1;     // v3+: the current id and epoch, to bump the epoch (KIP-360).
  int16_t producer_epoch = -1;
  template <class V> void Fields(V& v) {
    v(transactional_id, "transactional_id");
    v(transaction_timeout_ms, "transaction_timeout_ms");
    v(producer_id, "producer_id", Since(3));
    v(producer_epoch, "producer_epoch", Since(3));
  }
};

struct InitProducerIdResponse {
  static constexpr int16_t kFlexibleFrom = 2;
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms");
    v(error_code, "error_code");
    v(producer_id, "producer_id");
    v(producer_epoch, "producer_epoch");
  }
};

struct DescribeProducersRequest {
  static constexpr int16_t kFlexibleFrom = 0;
  using Topic = TopicOf<int32_t>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};

struct DescribeProducersResponse {
  static constexpr int16_t kFlexibleFrom = 0;
  struct Producer {
    int64_t producer_id = 0;
    int32_t producer_epoch = 0;
    int32_t last_sequence = -1;
    int64_t last_timestamp = -1;
    int32_t coordinator_epoch = 0;
    int64_t current_txn_start_offset = -1;
    template <class V> void Fields(V& v) {
      v(producer_id, "producer_id");
      v(producer_epoch, "producer_epoch");
      v(last_sequence, "last_sequence");
      v(last_timestamp, "last_timestamp");
      v(coordinator_epoch, "coordinator_epoch");
      v(current_txn_start_offset, "current_txn_start_offset");
    }
  };
  struct Partition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    std::vector<Producer> active_producers;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(error_code, "error_code");
      v(error_message, "error_message");
      v(active_producers, "active_producers");
    }
  };
  using Topic = TopicOf<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms");
    v(topics, "topics");
  }
};

}  // namespace brook::kafka
