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
#include "protocol/faults.h"

namespace brook {

enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kDescribeGroups = 15,
  kListGroups = 16,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kDeleteRecords = 21,
  kCreatePartitions = 37,
  kInitProducerId = 22,
  kDeleteGroups = 42,
  kAlterConfigs = 44,     // Kafka's IncrementalAlterConfigs number: only named keys change.
  kOffsetDelete = 47,
  kCompactTopic = 1000,   // brook's own APIs are numbered from 1000.
  kDeadLetter = 1001,
  kReplayDeadLetters = 1002,
  kDeadLetterStats = 1003,
  kResetBroker = 1004,
  kClock = 1005,
  kFaultAdd = 1006,       // 1004-1005: the clock's.
  kFaultList = 1007,
  kFaultClear = 1008,
  kEventAppend = 1010,    // 1010-1039: the event store's (docs/event-store.md).
  kEventRead = 1011,
  kEventSnapshotSave = 1012,
  kEventSnapshotLoad = 1013,
  kEventStreamDelete = 1014,
  kEventCheckpoint = 1015,
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

// ---- DeleteRecords (21): move partitions' log start forward, deleting what lies below. ----
// DeleteRecords' offset that means "every record": the high watermark (the log end).
inline constexpr int64_t kDeleteToHighWatermark = -1;

struct DeleteRecordsResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    int64_t low_watermark = -1;  // The partition's log start now; -1 on error.
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
      v(error_message, "error_message");
      v(low_watermark, "low_watermark");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct DeleteRecordsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteRecords;
  static constexpr int16_t kMaxVersion = 0;
  using Response = DeleteRecordsResponse;
  struct Partition {
    int32_t partition = 0;
    int64_t offset = kDeleteToHighWatermark;  // Records below it go; -1: every record.
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(offset, "offset");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  int32_t timeout_ms = 30000;
  template <class V> void Fields(V& v) {
    v(topics, "topics");
    v(timeout_ms, "timeout_ms");
  }
};

// ---- CreatePartitions (37): add partitions to existing topics. -----------------------------
struct CreatePartitionsResponse {
  std::vector<TopicResult> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct CreatePartitionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreatePartitions;
  static constexpr int16_t kMaxVersion = 0;
  using Response = CreatePartitionsResponse;
  struct Topic {
    std::string name;
    int32_t count = 0;  // The new total, more than the topic has.
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(count, "count");
    }
  };
  std::vector<Topic> topics;
  bool validate_only = false;
  template <class V> void Fields(V& v) {
    v(topics, "topics");
    v(validate_only, "validate_only");
  }
};

// ---- InitProducerId (22): a new producer id for an idempotent producer. --------------------
// The id is never handed out again, even across broker restarts and crashes; the epoch is 0.
struct InitProducerIdResponse {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  template <class V> void Fields(V& v) {
    v(producer_id, "producer_id");
    v(producer_epoch, "producer_epoch");
  }
};
struct InitProducerIdRequest {
  static constexpr ApiKey kApiKey = ApiKey::kInitProducerId;
  static constexpr int16_t kMaxVersion = 0;
  using Response = InitProducerIdResponse;
  template <class V> void Fields(V&) {}
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
  static constexpr int16_t kMaxVersion = 1;
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
  // Version 1: a fetch by a consumer-group member, fenced like OffsetCommit (null = none).
  std::optional<std::string> group_id;
  std::string member_id;
  int32_t generation_id = -1;
  template <class V> void Fields(V& v) {
    v(max_wait_ms, "max_wait_ms");
    v(min_bytes, "min_bytes");
    v(max_bytes, "max_bytes");
    v(topics, "topics");
    v(group_id, "group_id", 1);
    v(member_id, "member_id", 1);
    v(generation_id, "generation_id", 1);
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

// ---- Consumer groups ------------------------------------------------------------------------
// A topic and some of its partitions: assignments, owned partitions, offset queries.
struct TopicPartitions {
  std::string name;
  std::vector<int32_t> partitions;
  template <class V> void Fields(V& v) {
    v(name, "name");
    v(partitions, "partitions");
  }
};

// Group states, as DescribeGroups and ListGroups name them.
inline constexpr std::string_view kGroupEmpty = "Empty";
inline constexpr std::string_view kGroupPreparingRebalance = "PreparingRebalance";
inline constexpr std::string_view kGroupCompletingRebalance = "CompletingRebalance";  // Kafka groups.
inline constexpr std::string_view kGroupStable = "Stable";

// Assignors the broker runs (JoinGroup.assignor).
inline constexpr std::string_view kRangeAssignor = "range";
inline constexpr std::string_view kRoundRobinAssignor = "roundrobin";
inline constexpr std::string_view kCooperativeStickyAssignor = "cooperative-sticky";

// ---- JoinGroup (11): join (or rejoin) a group; answered when the rebalance completes. ------
struct JoinGroupResponse {
  int32_t generation_id = -1;
  std::string member_id;
  std::string leader_id;
  std::string assignor;
  std::vector<TopicPartitions> assignment;  // This member's partitions in this generation.
  template <class V> void Fields(V& v) {
    v(generation_id, "generation_id");
    v(member_id, "member_id");
    v(leader_id, "leader_id");
    v(assignor, "assignor");
    v(assignment, "assignment");
  }
};
struct JoinGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  static constexpr int16_t kMaxVersion = 0;
  using Response = JoinGroupResponse;
  std::string group_id;
  std::string member_id;  // Empty on the first join: the broker assigns one.
  int32_t session_timeout_ms = 10000;
  int32_t rebalance_timeout_ms = 30000;
  std::vector<std::string> topics;  // The subscription.
  std::string assignor = std::string(kCooperativeStickyAssignor);
  std::vector<TopicPartitions> owned;  // Partitions the member still owns (cooperative).
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(member_id, "member_id");
    v(session_timeout_ms, "session_timeout_ms");
    v(rebalance_timeout_ms, "rebalance_timeout_ms");
    v(topics, "topics");
    v(assignor, "assignor");
    v(owned, "owned");
  }
};

// ---- Heartbeat (12): keeps a member alive; tells it when to rejoin. -------------------------
struct HeartbeatResponse {
  template <class V> void Fields(V&) {}
};
struct HeartbeatRequest {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  static constexpr int16_t kMaxVersion = 0;
  using Response = HeartbeatResponse;
  std::string group_id;
  std::string member_id;
  int32_t generation_id = -1;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(member_id, "member_id");
    v(generation_id, "generation_id");
  }
};

// ---- LeaveGroup (13): leaves at once; the others rebalance without waiting for a timeout. --
struct LeaveGroupResponse {
  template <class V> void Fields(V&) {}
};
struct LeaveGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  static constexpr int16_t kMaxVersion = 0;
  using Response = LeaveGroupResponse;
  std::string group_id;
  std::string member_id;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(member_id, "member_id");
  }
};

// ---- OffsetCommit (8) ---------------------------------------------------------------------
struct OffsetCommitResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct OffsetCommitRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  static constexpr int16_t kMaxVersion = 0;
  using Response = OffsetCommitResponse;
  struct Partition {
    int32_t partition = 0;
    int64_t offset = 0;  // The next record the group will process.
    std::optional<std::string> metadata;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(offset, "offset");
      v(metadata, "metadata");
    }
  };
  using Topic = TopicOf<Partition>;
  std::string group_id;
  int32_t generation_id = -1;  // -1 with an empty member_id: a commit from outside the group.
  std::string member_id;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(generation_id, "generation_id");
    v(member_id, "member_id");
    v(topics, "topics");
  }
};

// ---- OffsetFetch (9) ----------------------------------------------------------------------
struct OffsetFetchResponse {
  struct Partition {
    int32_t partition = 0;
    int64_t committed_offset = -1;  // -1: the group has no commit for the partition.
    std::optional<std::string> metadata;
    ErrorCode error_code = ErrorCode::kNone;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(committed_offset, "committed_offset");
      v(metadata, "metadata");
      v(error_code, "error_code");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct OffsetFetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  static constexpr int16_t kMaxVersion = 0;
  using Response = OffsetFetchResponse;
  std::string group_id;
  std::optional<std::vector<TopicPartitions>> topics;  // null = every commit of the group.
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(topics, "topics");
  }
};

// ---- DescribeGroups (15): state, members, assignments, and offsets with lag. ---------------
struct DescribeGroupsResponse {
  struct Member {
    std::string member_id;
    std::string client_id;
    std::string client_host;
    std::vector<std::string> topics;
    std::vector<TopicPartitions> assignment;
    template <class V> void Fields(V& v) {
      v(member_id, "member_id");
      v(client_id, "client_id");
      v(client_host, "client_host");
      v(topics, "topics");
      v(assignment, "assignment");
    }
  };
  struct PartitionOffset {
    int32_t partition = 0;
    int64_t committed_offset = -1;  // -1: no commit.
    int64_t log_end_offset = -1;    // -1: the partition no longer exists.
    int64_t lag = -1;               // log_end_offset - committed_offset; -1 if either is.
    std::optional<std::string> metadata;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(committed_offset, "committed_offset");
      v(log_end_offset, "log_end_offset");
      v(lag, "lag");
      v(metadata, "metadata");
    }
  };
  struct Group {
    std::string group_id;
    ErrorCode error_code = ErrorCode::kNone;
    std::string state;
    std::string assignor;
    int32_t generation_id = -1;
    std::vector<Member> members;
    std::vector<TopicOf<PartitionOffset>> offsets;
    template <class V> void Fields(V& v) {
      v(group_id, "group_id");
      v(error_code, "error_code");
      v(state, "state");
      v(assignor, "assignor");
      v(generation_id, "generation_id");
      v(members, "members");
      v(offsets, "offsets");
    }
  };
  std::vector<Group> groups;
  template <class V> void Fields(V& v) { v(groups, "groups"); }
};
struct DescribeGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  static constexpr int16_t kMaxVersion = 0;
  using Response = DescribeGroupsResponse;
  std::vector<std::string> groups;
  template <class V> void Fields(V& v) { v(groups, "groups"); }
};

// ---- ListGroups (16): groups with live members or committed offsets. -----------------------
struct ListGroupsResponse {
  struct Group {
    std::string group_id;
    std::string state;
    int32_t members = 0;
    template <class V> void Fields(V& v) {
      v(group_id, "group_id");
      v(state, "state");
      v(members, "members");
    }
  };
  std::vector<Group> groups;
  template <class V> void Fields(V& v) { v(groups, "groups"); }
};
struct ListGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  static constexpr int16_t kMaxVersion = 0;
  using Response = ListGroupsResponse;
  template <class V> void Fields(V&) {}
};

// ---- DeleteGroups (42): removes groups' committed offsets; refused while members live. ----
struct DeleteGroupsResponse {
  struct Result {
    std::string group_id;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    template <class V> void Fields(V& v) {
      v(group_id, "group_id");
      v(error_code, "error_code");
      v(error_message, "error_message");
    }
  };
  std::vector<Result> results;
  template <class V> void Fields(V& v) { v(results, "results"); }
};
struct DeleteGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteGroups;
  static constexpr int16_t kMaxVersion = 0;
  using Response = DeleteGroupsResponse;
  std::vector<std::string> groups;
  template <class V> void Fields(V& v) { v(groups, "groups"); }
};

// ---- OffsetDelete (47): removes some committed offsets of a group. -------------------------
struct OffsetDeleteResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
      v(error_message, "error_message");
    }
  };
  using Topic = TopicOf<Partition>;
  std::vector<Topic> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct OffsetDeleteRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetDelete;
  static constexpr int16_t kMaxVersion = 0;
  using Response = OffsetDeleteResponse;
  std::string group_id;
  std::vector<TopicPartitions> topics;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(topics, "topics");
  }
};

// ---- AlterConfigs (44): change topic configs at runtime. ------------------------------------
struct AlterConfigsResponse {
  std::vector<TopicResult> topics;
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};
struct AlterConfigsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kAlterConfigs;
  static constexpr int16_t kMaxVersion = 0;
  using Response = AlterConfigsResponse;
  struct Config {
    std::string name;
    std::optional<std::string> value;  // null: remove the override (back to the default).
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(value, "value");
    }
  };
  struct Topic {
    std::string name;
    std::vector<Config> configs;
    template <class V> void Fields(V& v) {
      v(name, "name");
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

// ---- CompactTopic (1000): compact a compacted topic now, and wait for it. -----------------
struct CompactTopicResponse {
  struct Partition {
    int32_t partition = 0;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    int64_t bytes_read = 0;
    int64_t bytes_written = 0;
    int64_t records_removed = 0;  // Superseded records and expired tombstones.
    int64_t tombstones_removed = 0;
    int64_t cleaned_up_to = 0;    // Offsets below it are compacted.
    int64_t duration_ms = 0;
    template <class V> void Fields(V& v) {
      v(partition, "partition");
      v(error_code, "error_code");
      v(error_message, "error_message");
      v(bytes_read, "bytes_read");
      v(bytes_written, "bytes_written");
      v(records_removed, "records_removed");
      v(tombstones_removed, "tombstones_removed");
      v(cleaned_up_to, "cleaned_up_to");
      v(duration_ms, "duration_ms");
    }
  };
  std::vector<Partition> partitions;
  template <class V> void Fields(V& v) { v(partitions, "partitions"); }
};
struct CompactTopicRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCompactTopic;
  static constexpr int16_t kMaxVersion = 0;
  using Response = CompactTopicResponse;
  std::string topic;
  std::optional<std::vector<int32_t>> partitions;  // null = every partition.
  template <class V> void Fields(V& v) {
    v(topic, "topic");
    v(partitions, "partitions");
  }
};

// ---- DeadLetter (1001): a group member gives up on a record; the broker copies it to the ----
// ---- dead-letter topic and commits past it, in one atomic write (docs/protocol.md 6.11). ---
inline constexpr size_t kMaxDeadLetterReasonBytes = 16 << 10;

struct DeadLetterResponse {
  std::string dlq_topic;     // Where the copy is.
  int32_t dlq_partition = 0;
  int64_t dlq_offset = 0;
  bool duplicate = false;    // The group had dead-lettered this record before: nothing new.
  template <class V> void Fields(V& v) {
    v(dlq_topic, "dlq_topic");
    v(dlq_partition, "dlq_partition");
    v(dlq_offset, "dlq_offset");
    v(duplicate, "duplicate");
  }
};
struct DeadLetterRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeadLetter;
  static constexpr int16_t kMaxVersion = 0;
  using Response = DeadLetterResponse;
  std::string group_id;
  std::string member_id;       // "" with generation -1: a commit from outside the group.
  int32_t generation_id = -1;
  std::string topic;           // The record that failed.
  int32_t partition = 0;
  int64_t offset = 0;
  std::string reason;          // Why it failed (at most kMaxDeadLetterReasonBytes).
  int32_t attempts = 1;        // How many times it was tried (>= 1).
  int64_t first_failure_ms = 0;
  int64_t last_failure_ms = 0;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(member_id, "member_id");
    v(generation_id, "generation_id");
    v(topic, "topic");
    v(partition, "partition");
    v(offset, "offset");
    v(reason, "reason");
    v(attempts, "attempts");
    v(first_failure_ms, "first_failure_ms");
    v(last_failure_ms, "last_failure_ms");
  }
};

// ---- ReplayDeadLetters (1002): re-produce dead-letter records to their original topic, ----
// ---- each at most once. -----------------------------------------------------------------
struct ReplayDeadLettersResponse {
  struct Record {
    int64_t offset = 0;  // The dead-letter record's offset, as requested.
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    bool already_replayed = false;  // Replayed by an earlier request: not again.
    std::string topic;              // Where it went (or, in a dry run, would go).
    int32_t partition = 0;
    int64_t replayed_offset = -1;   // -1 in a dry run for a record not yet replayed.
    template <class V> void Fields(V& v) {
      v(offset, "offset");
      v(error_code, "error_code");
      v(error_message, "error_message");
      v(already_replayed, "already_replayed");
      v(topic, "topic");
      v(partition, "partition");
      v(replayed_offset, "replayed_offset");
    }
  };
  std::vector<Record> records;
  template <class V> void Fields(V& v) { v(records, "records"); }
};
struct ReplayDeadLettersRequest {
  static constexpr ApiKey kApiKey = ApiKey::kReplayDeadLetters;
  static constexpr int16_t kMaxVersion = 0;
  using Response = ReplayDeadLettersResponse;
  std::string dlq_topic;
  int32_t partition = 0;
  std::vector<int64_t> offsets;
  bool dry_run = false;  // Answer as if replaying; change nothing.
  template <class V> void Fields(V& v) {
    v(dlq_topic, "dlq_topic");
    v(partition, "partition");
    v(offsets, "offsets");
    v(dry_run, "dry_run");
  }
};

// ---- DeadLetterStats (1003): the dead-letter counters per source topic and group. -------
struct DeadLetterStatsResponse {
  struct Counter {
    std::string topic;     // The source topic.
    std::string group_id;  // The group that dead-lettered its records.
    int64_t dead_lettered = 0;
    int64_t replayed = 0;
    template <class V> void Fields(V& v) {
      v(topic, "topic");
      v(group_id, "group_id");
      v(dead_lettered, "dead_lettered");
      v(replayed, "replayed");
    }
  };
  std::vector<Counter> counters;
  template <class V> void Fields(V& v) { v(counters, "counters"); }
};
struct DeadLetterStatsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeadLetterStats;
  static constexpr int16_t kMaxVersion = 0;
  using Response = DeadLetterStatsResponse;
  std::optional<std::vector<std::string>> topics;  // null = every topic.
  template <class V> void Fields(V& v) { v(topics, "topics"); }
};

// ---- ResetBroker (1004): drop everything a test could leave behind, in one operation. ----
struct ResetBrokerResponse {
  int32_t topics_deleted = 0;  // Topics that existed.
  int32_t groups_deleted = 0;  // Groups with members or committed offsets.
  template <class V> void Fields(V& v) {
    v(topics_deleted, "topics_deleted");
    v(groups_deleted, "groups_deleted");
  }
};
struct ResetBrokerRequest {
  static constexpr ApiKey kApiKey = ApiKey::kResetBroker;
  static constexpr int16_t kMaxVersion = 0;
  using Response = ResetBrokerResponse;
  template <class V> void Fields(V&) {}
};

// ---- Clock (1005): read the broker's clock, switch its mode, advance a manual clock. ----
// The clock's modes on the wire.
enum class ClockMode : int8_t {
  kSystem = 0,  // The system's wall clock.
  kManual = 1,  // Stands still until advanced.
};
inline constexpr int8_t kClockModeUnchanged = -1;

struct ClockResponse {
  int8_t mode = 0;      // ClockMode, after the request.
  int64_t now_ms = 0;   // The broker's time after the request, ms since the epoch.
  template <class V> void Fields(V& v) {
    v(mode, "mode");
    v(now_ms, "now_ms");
  }
};
struct ClockRequest {
  static constexpr ApiKey kApiKey = ApiKey::kClock;
  static constexpr int16_t kMaxVersion = 0;
  using Response = ClockResponse;
  int8_t set_mode = kClockModeUnchanged;  // A ClockMode, or kClockModeUnchanged.
  int64_t advance_ms = 0;                 // >= 0; > 0 needs the manual mode.
  template <class V> void Fields(V& v) {
    v(set_mode, "set_mode");
    v(advance_ms, "advance_ms");
  }
};

// ---- Fault injection (1006-1008): arm, list and clear fault rules (protocol/faults.h). ----
struct FaultAddResponse {
  int32_t id = 0;  // The new rule's id: FaultList shows it, FaultClear takes it.
  template <class V> void Fields(V& v) { v(id, "id"); }
};
struct FaultAddRequest : FaultRule {
  static constexpr ApiKey kApiKey = ApiKey::kFaultAdd;
  static constexpr int16_t kMaxVersion = 0;
  using Response = FaultAddResponse;
};

struct FaultListResponse {
  std::vector<FaultState> faults;  // In id order, spent rules included.
  template <class V> void Fields(V& v) { v(faults, "faults"); }
};
struct FaultListRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFaultList;
  static constexpr int16_t kMaxVersion = 0;
  using Response = FaultListResponse;
  template <class V> void Fields(V&) {}
};

struct FaultClearResponse {
  int32_t cleared = 0;  // How many rules were removed.
  template <class V> void Fields(V& v) { v(cleared, "cleared"); }
};
struct FaultClearRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFaultClear;
  static constexpr int16_t kMaxVersion = 0;
  using Response = FaultClearResponse;
  int32_t id = kClearAllFaults;  // One rule, or kClearAllFaults.
  template <class V> void Fields(V& v) { v(id, "id"); }
};

// ---- Event store (1010-1015): streams of events in event-store topics. ------------------
// ---- See docs/event-store.md for the model and docs/protocol.md 6.18 for each API. -------
// EventAppend's expected revision: one of these, or the stream's exact last revision (>= 0).
inline constexpr int64_t kExpectAny = -2;           // Whatever state the stream is in.
inline constexpr int64_t kExpectNoStream = -1;      // The stream has no events (or was deleted).
inline constexpr int64_t kExpectStreamExists = -4;  // The stream has events.
// The store topic a request names with "" (made on first use).
inline constexpr std::string_view kDefaultEventStore = "events";
// EventRead's stream that reads every stream of the store in one global order.
inline constexpr std::string_view kAllStream = "$all";

// An event read back: where it is in its stream and in the store's global order.
struct RecordedEvent {
  std::string stream;
  int64_t revision = 0;      // In its stream, contiguous from 0.
  int64_t position = 0;      // In the store's global order ($all), contiguous from 0.
  std::string id;            // The event id, canonical UUID text.
  std::string type;
  std::string content_type;  // "" when the appender gave none.
  std::string_view data;
  std::string_view metadata;
  int64_t timestamp_ms = 0;  // When the broker appended it.
  template <class V> void Fields(V& v) {
    v(stream, "stream");
    v(revision, "revision");
    v(position, "position");
    v(id, "id");
    v(type, "type");
    v(content_type, "content_type");
    v(data, "data");
    v(metadata, "metadata");
    v(timestamp_ms, "timestamp_ms");
  }
};

struct EventAppendResponse {
  ErrorCode error_code = ErrorCode::kNone;  // WRONG_EXPECTED_VERSION, EVENT_ID_CONFLICT, ...
  std::optional<std::string> error_message;
  // The stream's last revision: after the append, or (WRONG_EXPECTED_VERSION) the actual one
  // (-1: no stream).
  int64_t actual_revision = -1;
  int64_t first_revision = 0;  // The appended events' revisions and positions (a duplicate:
  int64_t first_position = 0;  // the first append's).
  int64_t last_position = 0;
  bool duplicate = false;  // Every event id was appended before here: nothing appended now.
  template <class V> void Fields(V& v) {
    v(error_code, "error_code");
    v(error_message, "error_message");
    v(actual_revision, "actual_revision");
    v(first_revision, "first_revision");
    v(first_position, "first_position");
    v(last_position, "last_position");
    v(duplicate, "duplicate");
  }
};
struct EventAppendRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEventAppend;
  static constexpr int16_t kMaxVersion = 0;
  using Response = EventAppendResponse;
  struct Event {
    std::string id;            // Canonical UUID text; "" = the broker makes one.
    std::string type;          // Not empty.
    std::string content_type;  // e.g. "application/json"; may be "".
    std::string_view data;
    std::string_view metadata;
    template <class V> void Fields(V& v) {
      v(id, "id");
      v(type, "type");
      v(content_type, "content_type");
      v(data, "data");
      v(metadata, "metadata");
    }
  };
  std::string store;   // The store topic; "" = kDefaultEventStore.
  std::string stream;
  int64_t expected_revision = kExpectAny;
  int16_t acks = kAcksAll;  // As Produce's: 0 and 1 answer once in the WAL, -1 once fsynced.
  int32_t timeout_ms = 30000;
  std::vector<Event> events;
  template <class V> void Fields(V& v) {
    v(store, "store");
    v(stream, "stream");
    v(expected_revision, "expected_revision");
    v(acks, "acks");
    v(timeout_ms, "timeout_ms");
    v(events, "events");
  }
};

// EventRead's filters of $all.
enum class EventFilter : int8_t {
  kNone = 0,
  kCategory = 1,   // Streams "<filter>-...".
  kEventType = 2,  // Events of type <filter>.
};

struct EventReadResponse {
  std::vector<RecordedEvent> events;
  // Where the next read goes on from: a revision (a stream) or a position ($all).
  int64_t next = 0;
  // A stream's last revision, or $all's last position (-1: none), when this was read.
  int64_t head = -1;
  // Version 1, when the request asked for batches: instead of `events`, whole record batches
  // of the store topic holding them, as stored; the read's events are those
  // EventSelection{stream, first, end, backwards} takes (protocol/event_record.h).
  int64_t first = 0;
  int64_t end = 0;
  std::string_view records;
  template <class V> void Fields(V& v) {
    v(events, "events");
    v(next, "next");
    v(head, "head");
    v(first, "first", 1);
    v(end, "end", 1);
    v(records, "records", 1);
  }
};
struct EventReadRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEventRead;
  static constexpr int16_t kMaxVersion = 1;
  using Response = EventReadResponse;
  std::string store;          // "" = kDefaultEventStore.
  std::string stream;         // A stream id, or kAllStream.
  int64_t from = 0;           // A revision or a position; backwards, -1 = from the end.
  bool backwards = false;     // Streams only.
  int32_t limit = 1000;       // At most this many events (1 to 10000).
  int8_t filter = 0;          // EventFilter, $all only.
  std::string filter_value;
  int32_t max_wait_ms = 0;    // Forwards: wait this long for an event when there is none yet.
  // Version 1: answer a stream's read or an unfiltered $all read with the response's
  // `records` (the stored batches, which the reader decodes and checks) instead of `events`.
  bool batches = false;
  template <class V> void Fields(V& v) {
    v(store, "store");
    v(stream, "stream");
    v(from, "from");
    v(backwards, "backwards");
    v(limit, "limit");
    v(filter, "filter");
    v(filter_value, "filter_value");
    v(max_wait_ms, "max_wait_ms");
    v(batches, "batches", 1);
  }
};

struct EventSnapshotSaveResponse {
  template <class V> void Fields(V&) {}
};
struct EventSnapshotSaveRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEventSnapshotSave;
  static constexpr int16_t kMaxVersion = 0;
  using Response = EventSnapshotSaveResponse;
  std::string store;
  std::string stream;
  int64_t revision = 0;  // The stream's revision the state is at (<= its last revision).
  std::string_view data;
  int16_t acks = kAcksAll;
  template <class V> void Fields(V& v) {
    v(store, "store");
    v(stream, "stream");
    v(revision, "revision");
    v(data, "data");
    v(acks, "acks");
  }
};

struct EventSnapshotLoadResponse {
  bool found = false;     // A snapshot exists; else the events start at the stream's start.
  int64_t revision = -1;  // The snapshot's revision.
  std::string_view data;
  std::vector<RecordedEvent> events;  // The events after the snapshot, in order.
  int64_t next = 0;                   // The revision to read on from when `limit` cut them.
  int64_t head = -1;                  // The stream's last revision.
  template <class V> void Fields(V& v) {
    v(found, "found");
    v(revision, "revision");
    v(data, "data");
    v(events, "events");
    v(next, "next");
    v(head, "head");
  }
};
struct EventSnapshotLoadRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEventSnapshotLoad;
  static constexpr int16_t kMaxVersion = 0;
  using Response = EventSnapshotLoadResponse;
  std::string store;
  std::string stream;
  int32_t limit = 10000;  // At most this many events after the snapshot.
  template <class V> void Fields(V& v) {
    v(store, "store");
    v(stream, "stream");
    v(limit, "limit");
  }
};

struct EventStreamDeleteResponse {
  int64_t revision = -1;  // The stream's last revision (it goes on from there).
  template <class V> void Fields(V& v) { v(revision, "revision"); }
};
struct EventStreamDeleteRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEventStreamDelete;
  static constexpr int16_t kMaxVersion = 0;
  using Response = EventStreamDeleteResponse;
  std::string store;
  std::string stream;
  int64_t expected_revision = kExpectAny;
  // -1: delete the stream (soft); >= 0: hide its events below this revision (truncate).
  int64_t truncate_before = -1;
  template <class V> void Fields(V& v) {
    v(store, "store");
    v(stream, "stream");
    v(expected_revision, "expected_revision");
    v(truncate_before, "truncate_before");
  }
};

// A named subscription's checkpoint on the broker: stored when `position` >= 0, read always.
struct EventCheckpointResponse {
  bool found = false;
  int64_t position = -1;  // The checkpoint after the request: the next position to read.
  template <class V> void Fields(V& v) {
    v(found, "found");
    v(position, "position");
  }
};
struct EventCheckpointRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEventCheckpoint;
  static constexpr int16_t kMaxVersion = 0;
  using Response = EventCheckpointResponse;
  std::string store;
  std::string name;        // The subscription's name.
  int64_t position = -1;   // -1: only read it.
  template <class V> void Fields(V& v) {
    v(store, "store");
    v(name, "name");
    v(position, "position");
  }
};

// Every request type, in API-key order; ApiVersions and the docs enumerate it.
using AllRequests =
    std::tuple<ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest,
               OffsetCommitRequest, OffsetFetchRequest, JoinGroupRequest, HeartbeatRequest,
               LeaveGroupRequest, DescribeGroupsRequest, ListGroupsRequest, ApiVersionsRequest,
               CreateTopicsRequest, DeleteTopicsRequest, DeleteRecordsRequest,
               InitProducerIdRequest, CreatePartitionsRequest, DeleteGroupsRequest,
               AlterConfigsRequest, OffsetDeleteRequest, CompactTopicRequest, DeadLetterRequest,
               ReplayDeadLettersRequest, DeadLetterStatsRequest, ResetBrokerRequest,
               ClockRequest, FaultAddRequest, FaultListRequest, FaultClearRequest,
               EventAppendRequest, EventReadRequest, EventSnapshotSaveRequest,
               EventSnapshotLoadRequest, EventStreamDeleteRequest, EventCheckpointRequest>;

std::string_view ApiName(ApiKey key);

}  // namespace brook
