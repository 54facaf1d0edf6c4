// protocol/kafka/messages/list_offsets.h: ListOffsets (key 2), versions 0-7, flexible from 6;
// OffsetForLeaderEpoch (key 23), versions 0-4, flexible from 4.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

// Special timestamps of ListOffsets.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;
inline constexpr int64_t kMaxTimestamp = -3;  // v7+: the offset of the largest timestamp.

struct ListOffsetsRequest {
  static constexpr int16_t kFlexibleFrom = 6;
  struct Partition {
    int32_t partition_index = 0;
    int32_t current_leader_epoch = -1;
    int64_t timestamp = 0;
    int32_t max_num_offsets = 1;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(current_leader_epoch, "current_leader_epoch", Since(4));
      v(timestamp, "timestamp");
      v(max_num_offsets, "max_num_offsets", Until(0));
    }
  };
  using Topic = TopicOf<Partition>;
  int32_t replica_id = -1;
  int8_t isolation_level = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(replica_id, "replica_id");
    v(isolation_level, "isolation_level", Since(2));
    v(topics, "topics");
  }
};

struct ListOffsetsResponse {
  static constexpr int16_t kFlexibleFrom = 6;
  struct Partition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    std::vector<int64_t> old_style_offsets;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int32_t leader_epoch = -1;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(error_code, "error_code");
      v(old_style_offsets, "old_style_offsets", Until(0));
      v(timestamp, "timestamp", Since(1));
      v(offset, "offset", Since(1));
      v(leader_epoch, "leader_epoch", Since(4));
    }
  };
  using Topic = TopicOf<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(2));
    v(topics, "topics");
  }
};

struct OffsetForLeaderEpochRequest {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Partition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;
    int32_t leader_epoch = 0;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(current_leader_epoch, "current_leader_epoch", Since(2));
      v(leader_epoch, "leader_epoch");
    }
  };
  using Topic = TopicOf<Partition>;
  int32_t replica_id = -2;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(replica_id, "replica_id", Since(3));
    v(topics, "topics");
  }
};

struct OffsetForLeaderEpochResponse {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Partition {
    ErrorCode error_code = ErrorCode::kNone;
    int32_t partition = 0;
    int32_t leader_epoch = -1;
    int64_t end_offset = -1;
    template <class V> void Fields(V& v) {
      v(error_code, "error_code");
      v(partition, "partition");
      v(leader_epoch, "leader_epoch", Since(1));
      v(end_offset, "end_offset");
    }
  };
  using Topic = TopicOf<Partition>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(2));
    v(topics, "topics");
  }
};

}  // namespace brook::kafka
