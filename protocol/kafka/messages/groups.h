// protocol/kafka/messages/groups.h: the classic consumer-group protocol: JoinGroup (key 11,
// versions 0-9, flexible from 6), SyncGroup (14, 0-5, from 4), Heartbeat (12, 0-4, from 4) and
// LeaveGroup (13, 0-5, from 4). Member metadata and assignments are opaque bytes to the broker
// (protocol/consumer_protocol.h reads the "consumer" protocol's for tools).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

struct JoinGroupRequest {
  static constexpr int16_t kFlexibleFrom = 6;
  struct Protocol {
    std::string name;
    std::string_view metadata;
    template <class V> void Fields(V& v) {
      v(name, "name");
      v(metadata, "metadata");
    }
  };
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  // v1+; v0 uses the session timeout.
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  std::optional<std::string> reason;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(session_timeout_ms, "session_timeout_ms");
    v(rebalance_timeout_ms, "rebalance_timeout_ms", Since(1));
    v(member_id, "member_id");
    v(group_instance_id, "group_instance_id", Since(5));
    v(protocol_type, "protocol_type");
    v(protocols, "protocols");
    v(reason, "reason", Since(8));
  }
};

struct JoinGroupResponse {
  static constexpr int16_t kFlexibleFrom = 6;
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string_view metadata;
    template <class V> void Fields(V& v) {
      v(member_id, "member_id");
      v(group_instance_id, "group_instance_id", Since(5));
      v(metadata, "metadata");
    }
  };
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  bool skip_assignment = false;
  std::string member_id;
  std::vector<Member> members;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(2));
    v(error_code, "error_code");
    v(generation_id, "generation_id");
    v(protocol_type, "protocol_type", Since(7));
    v(protocol_name, "protocol_name");
    v(leader, "leader");
    v(skip_assignment, "skip_assignment", Since(9));
    v(member_id, "member_id");
    v(members, "members");
  }
};

struct SyncGroupRequest {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Assignment {
    std::string member_id;
    std::string_view assignment;
    template <class V> void Fields(V& v) {
      v(member_id, "member_id");
      v(assignment, "assignment");
    }
  };
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<Assignment> assignments;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(generation_id, "generation_id");
    v(member_id, "member_id");
    v(group_instance_id, "group_instance_id", Since(3));
    v(protocol_type, "protocol_type", Since(5));
    v(protocol_name, "protocol_name", Since(5));
    v(assignments, "assignments");
  }
};

struct SyncGroupResponse {
  static constexpr int16_t kFlexibleFrom = 4;
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string_view assignment;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(error_code, "error_code");
    v(protocol_type, "protocol_type", Since(5));
    v(protocol_name, "protocol_name", Since(5));
    v(assignment, "assignment");
  }
};

struct HeartbeatRequest {
  static constexpr int16_t kFlexibleFrom = 4;
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(generation_id, "generation_id");
    v(member_id, "member_id");
    v(group_instance_id, "group_instance_id", Since(3));
  }
};

// Answers that are only an error code (after the throttle time from version 1).
template <int16_t FlexibleFrom>
struct ErrorOnlyResponse {
  static constexpr int16_t kFlexibleFrom = FlexibleFrom;
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(error_code, "error_code");
  }
};
using HeartbeatResponse = ErrorOnlyResponse<4>;

struct LeaveGroupRequest {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::optional<std::string> reason;
    template <class V> void Fields(V& v) {
      v(member_id, "member_id");
      v(group_instance_id, "group_instance_id");
      v(reason, "reason", Since(5));
    }
  };
  std::string group_id;
  std::string member_id;        // v0-2.
  std::vector<Member> members;  // v3+.
  template <class V> void Fields(V& v) {
    v(group_id, "group_id");
    v(member_id, "member_id", Until(2));
    v(members, "members", Since(3));
  }
};

struct LeaveGroupResponse {
  static constexpr int16_t kFlexibleFrom = 4;
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    ErrorCode error_code = ErrorCode::kNone;
    template <class V> void Fields(V& v) {
      v(member_id, "member_id");
      v(group_instance_id, "group_instance_id");
      v(error_code, "error_code");
    }
  };
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  std::vector<Member> members;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(error_code, "error_code");
    v(members, "members", Since(3));
  }
};

struct DescribeGroupsRequest {
  static constexpr int16_t kFlexibleFrom = 5;
  std::vector<std::string> groups;
  bool include_authorized_operations = false;
  template <class V> void Fields(V& v) {
    v(groups, "groups");
    v(include_authorized_operations, "include_authorized_operations", Since(3));
  }
};

struct DescribeGroupsResponse {
  static constexpr int16_t kFlexibleFrom = 5;
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    std::string_view member_metadata;
    std::string_view member_assignment;
    template <class V> void Fields(V& v) {
      v(member_id, "member_id");
      v(group_instance_id, "group_instance_id", Since(4));
      v(client_id, "client_id");
      v(client_host, "client_host");
      v(member_metadata, "member_metadata");
      v(member_assignment, "member_assignment");
    }
  };
  struct Group {
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    std::string group_id;
    std::string group_state;
    std::string protocol_type;
    std::string protocol_data;  // The chosen protocol's name.
    std::vector<Member> members;
    int32_t authorized_operations = INT32_MIN;
    template <class V> void Fields(V& v) {
      v(error_code, "error_code");
      v(error_message, "error_message", Since(6));
      v(group_id, "group_id");
      v(group_state, "group_state");
      v(protocol_type, "protocol_type");
      v(protocol_data, "protocol_data");
      v(members, "members");
      v(authorized_operations, "authorized_operations", Since(3));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Group> groups;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(groups, "groups");
  }
};

struct ListGroupsRequest {
  static constexpr int16_t kFlexibleFrom = 3;
  std::vector<std::string> states_filter;
  std::vector<std::string> types_filter;
  template <class V> void Fields(V& v) {
    v(states_filter, "states_filter", Since(4));
    v(types_filter, "types_filter", Since(5));
  }
};

struct ListGroupsResponse {
  static constexpr int16_t kFlexibleFrom = 3;
  struct Group {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;
    std::string group_type;
    template <class V> void Fields(V& v) {
      v(group_id, "group_id");
      v(protocol_type, "protocol_type");
      v(group_state, "group_state", Since(4));
      v(group_type, "group_type", Since(5));
    }
  };
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  std::vector<Group> groups;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(error_code, "error_code");
    v(groups, "groups");
  }
};

struct DeleteGroupsRequest {
  static constexpr int16_t kFlexibleFrom = 2;
  std::vector<std::string> groups_names;
  template <class V> void Fields(V& v) { v(groups_names, "groups_names"); }
};

struct DeleteGroupsResponse {
  static constexpr int16_t kFlexibleFrom = 2;
  struct Result {
    std::string group_id;
    ErrorCode error_code = ErrorCode::kNone;
    template <class V> void Fields(V& v) {
      v(group_id, "group_id");
      v(error_code, "error_code");
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Result> results;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms");
    v(results, "results");
  }
};

}  // namespace brook::kafka
