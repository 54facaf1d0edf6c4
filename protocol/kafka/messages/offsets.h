// protocol/kafka/messages/offsets.h: committed offsets of consumer groups: OffsetCommit (key 8,
// versions 0-8, flexible from 8), OffsetFetch (key 9, versions 0-8, flexible from 6; version 8
// asks for several groups at once) and OffsetDelete (key 47, version 0).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

struct OffsetCommitRequest {
  static constexpr int16_t kFlexibleFrom = 8;
  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;
    int64_t commit_timestamp = -1;  // v1 only.
    std::optional<std::string> committed_metadata;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(committed_offset, "committed_offset");
      v(committed_leader_epoch, "committed_leader_epoch", Since(6));
      v(commit_timestamp, "commit_timestamp", Versions{1, 1});
      v(committed_metadata, "committed_metadata");
    }
  };
  using Topic = TopicOf<Partition>;
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int64_t retention_time_ms = -1;  // v2-4.
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(generation_id, "generation_id", Since(1));
    v(member_id, "member_id", Since(1));
    v(group_instance_id, "group_instance_id", Since(7));
    v(retention_time_ms, "retention_time_ms", Versions{2, 4});
    v(topics, "topics");
  }
};

// A partition and its error: OffsetCommit's and OffsetDelete's answers.
struct PartitionError {
  int32_t partition_index = 0;
  ErrorCode error_code = ErrorCode::kNone;
  template <class V> void Fields(V& v) {
    v(partition_index, "partition_index");
    v(error_code, "error_code");
  }
};

struct OffsetCommitResponse {
  static constexpr int16_t kFlexibleFrom = 8;
  using Topic = TopicOf<PartitionError>;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(3));
    v(topics, "topics");
  }
};

struct OffsetFetchRequest {
  static constexpr int16_t kFlexibleFrom = 6;
  using Topic = TopicOf<int32_t>;
  struct Group {
    std::string group_id;
    std::optional<std::vector<Topic>> topics;  // Null: every partition the group committed.
    template <class V> void Fields(V& v) {
      v(group_id, "group_id");
      v(topics, "topics");
    }
  };
  std::string group_id;                       // v0-7.
  std::optional<std::vector<Topic>> topics;   // v0-7; null (v2+): every committed partition.
  std::vector<Group> groups;                  // v8+.
  bool require_stable = false;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id", Until(7));
    v(topics, "topics", Until(7));
    v(groups, "groups", Since(8));
    v(require_stable, "require_stable", Since(7));
  }
};

struct OffsetFetchResponse {
  static constexpr int16_t kFlexibleFrom = 6;
  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = -1;
    int32_t committed_leader_epoch = -1;
    std::optional<std::string> metadata;
    ErrorCode error_code = ErrorCode::kNone;
    template <class V> void Fields(V& v) {
      v(partition_index, "partition_index");
      v(committed_offset, "committed_offset");
      v(committed_leader_epoch, "committed_leader_epoch", Since(5));
      v(metadata, "metadata");
      v(error_code, "error_code");
    }
  };
  using Topic = TopicOf<Partition>;
  struct Group {
    std::string group_id;
    std::vector<Topic> topics;
    ErrorCode error_code = ErrorCode::kNone;
    template <class V> void Fields(V& v) {
      v(group_id, "group_id");
      v(topics, "topics");
      v(error_code, "error_code");
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;         // v0-7.
  ErrorCode error_code = ErrorCode::kNone;  // v2-7.
  std::vector<Group> groups;         // v8+.
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(3));
    v(topics, "topics", Until(7));
    v(error_code, "error_code", Versions{2, 7});
    v(groups, "groups", Since(8));
  }
};

struct OffsetDeleteRequest {
  static constexpr int16_t kFlexibleFrom = kNeverFlexible;
  using Topic = TopicOf<int32_t>;
  std::string group_id;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(topics, "topics");
  }
};

struct OffsetDeleteResponse {
  static constexpr int16_t kFlexibleFrom = kNeverFlexible;
  using Topic = TopicOf<PartitionError>;
  ErrorCode error_code = ErrorCode::kNone;
  int32_t throttle_time_ms = 0;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(error_code, "error_code");
    v(throttle_time_ms, "throttle_time_ms");
    v(topics, "topics");
  }
};

}  // namespace brook::kafka
