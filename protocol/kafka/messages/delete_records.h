// protocol/kafka/messages/delete_records.h: DeleteRecords (key 21, versions 0-2, flexible from
// 2): moves partitions' log start offset (low watermark) forward.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

struct DeleteRecordsRequest {
  static constexpr int16_t kFlexibleFrom = 2;
  struct Partition {
    int32_t partition_index = 0;
    int64_t offset = -1;  // Records below it are deleted; -1: the high watermark.
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(offset, "offset");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  int32_t timeout_ms = 0;
  template <class V> void Fields(V& v) {
    v(topics, "topics");
    v(timeout_ms, "timeout_ms");
  }
};

struct DeleteRecordsResponse {
  static constexpr int16_t kFlexibleFrom = 2;
  struct Partition {
    int32_t partition_index = 0;
    int64_t low_watermark = -1;
    ErrorCode error_code = ErrorCode::kNone;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(low_watermark, "low_watermark");
      v(error_code, "error_code");
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
