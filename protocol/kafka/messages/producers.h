// protocol/kafka/messages/producers.h: InitProducerId (key 22, versions 0-5, flexible from 2),
// which gives an idempotent producer its id and epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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

}  // namespace brook::kafka
