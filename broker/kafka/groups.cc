// The classic consumer-group protocol for Kafka clients: JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, DescribeGroups and ListGroups, on the same GroupCoordinator as brook's own
// groups (broker/group/classic_group.h has the rules). Member metadata and assignments are
// opaque bytes the coordinator keeps; answers copy them into the request's scope.
#include <chrono>
#include <set>

#include "broker/kafka/handlers.h"
#include "protocol/absl_compat.h"

namespace brook::kafka_listener {
namespace {

using std::chrono::milliseconds;

// The client's host, from its "host:port".
std::string HostOf(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  return colon == std::string::npos ? peer : peer.substr(0, colon);
}

std::string_view Keep(KafkaScope& scope, std::string bytes) {
  return scope.request.buffers.emplace_back(std::move(bytes));
}

// The protocol name a JoinGroup/SyncGroup answer carries: nullable from v7 (JoinGroup) / v5
// (SyncGroup), an empty string before.
std::optional<std::string> ProtocolName(const std::optional<std::string>& name, bool nullable) {
  if (name || nullable) return name;
  return std::string();
}

}  // namespace

KafkaResult<kafka::JoinGroupResponse> HandleJoinGroup(KafkaContext& ctx,
                                                      const kafka::JoinGroupRequest& request,
                                                      KafkaScope& scope) {
  group::ClassicJoin join;
  join.member_id = request.member_id;
  join.group_instance_id = request.group_instance_id;
  join.client_id = scope.request.client_id;
  join.client_host = HostOf(scope.request.peer);
  join.session_timeout = milliseconds(request.session_timeout_ms);
  join.rebalance_timeout =
      milliseconds(scope.version >= 1 ? request.rebalance_timeout_ms : request.session_timeout_ms);
  join.protocol_type = request.protocol_type;
  for (const kafka::JoinGroupRequest::Protocol& protocol : request.protocols) {
    join.protocols.push_back({protocol.name, std::string(protocol.metadata)});
  }
  join.require_known_member_id = scope.version >= 4;
  join.supports_skip_assignment = scope.version >= 9;
  absl::StatusOr<group::ClassicJoinResult> joined =
      co_await ctx.broker.groups.JoinClassic(request.group_id, std::move(join));
  kafka::JoinGroupResponse response;
  const bool nullable_name = scope.version >= 7;
  if (!joined.ok()) {
    response.error_code = KafkaCodeOf(joined.status());
    response.member_id = group::RequiredMemberId(joined.status()).value_or(request.member_id);
    response.protocol_name = ProtocolName(std::nullopt, nullable_name);
    co_return response;
  }
  response.generation_id = joined->generation.value;
  response.protocol_type = joined->protocol_type;
  response.protocol_name = ProtocolName(joined->protocol_name, nullable_name);
  response.leader = joined->leader_id;
  response.skip_assignment = joined->skip_assignment;
  response.member_id = joined->member_id;
  for (group::ClassicMemberMetadata& member : joined->members) {
    response.members.push_back(
        {member.member_id, member.group_instance_id, Keep(scope, std::move(member.metadata))});
  }
  co_return response;
}

KafkaResult<kafka::SyncGroupResponse> HandleSyncGroup(KafkaContext& ctx,
                                                      const kafka::SyncGroupRequest& request,
                                                      KafkaScope& scope) {
  group::ClassicSync sync;
  sync.member_id = request.member_id;
  sync.group_instance_id = request.group_instance_id;
  sync.generation = group::Generation(request.generation_id);
  sync.protocol_type = request.protocol_type;
  sync.protocol_name = request.protocol_name;
  for (const kafka::SyncGroupRequest::Assignment& a : request.assignments) {
    sync.assignments.emplace_back(a.member_id, std::string(a.assignment));
  }
  absl::StatusOr<group::ClassicSyncResult> synced =
      co_await ctx.broker.groups.SyncClassic(request.group_id, std::move(sync));
  kafka::SyncGroupResponse response;
  if (!synced.ok()) {
    response.error_code = KafkaCodeOf(synced.status());
    co_return response;
  }
  response.protocol_type = synced->protocol_type;
  response.protocol_name = synced->protocol_name;
  response.assignment = Keep(scope, std::move(synced->assignment));
  co_return response;
}

KafkaResult<kafka::HeartbeatResponse> HandleHeartbeat(KafkaContext& ctx,
                                                      const kafka::HeartbeatRequest& request,
                                                      KafkaScope&) {
  kafka::HeartbeatResponse response;
  response.error_code = KafkaCodeOf(ctx.broker.groups.HeartbeatClassic(
      request.group_id, request.member_id, request.group_instance_id,
      group::Generation(request.generation_id)));
  co_return response;
}

KafkaResult<kafka::LeaveGroupResponse> HandleLeaveGroup(KafkaContext& ctx,
                                                        const kafka::LeaveGroupRequest& request,
                                                        KafkaScope& scope) {
  std::vector<group::ClassicLeaver> leavers;
  if (scope.version < 3) {
    leavers.push_back({request.member_id, std::nullopt});
  } else {
    for (const kafka::LeaveGroupRequest::Member& m : request.members) {
      leavers.push_back({m.member_id, m.group_instance_id});
    }
  }
  absl::StatusOr<std::vector<absl::Status>> left =
      ctx.broker.groups.LeaveClassic(request.group_id, leavers);
  kafka::LeaveGroupResponse response;
  if (!left.ok()) {
    response.error_code = KafkaCodeOf(left.status());
    co_return response;
  }
  if (scope.version < 3) {
    response.error_code = KafkaCodeOf(left->at(0));
    co_return response;
  }
  for (size_t i = 0; i < leavers.size(); ++i) {
    response.members.push_back(
        {leavers[i].member_id, leavers[i].group_instance_id, KafkaCodeOf((*left)[i])});
  }
  co_return response;
}

KafkaResult<kafka::DescribeGroupsResponse> HandleDescribeGroups(
    KafkaContext& ctx, const kafka::DescribeGroupsRequest& request, KafkaScope& scope) {
  kafka::DescribeGroupsResponse response;
  for (const std::string& group_id : request.groups) {
    kafka::DescribeGroupsResponse::Group& out = response.groups.emplace_back();
    out.group_id = group_id;
    if (absl::Status valid = group::ValidateGroupId(group_id); !valid.ok()) {
      out.error_code = KafkaCodeOf(valid);
      out.error_message = std::string(MessageOf(valid));
      continue;
    }
    std::optional<group::GroupView> view = ctx.broker.groups.Describe(group_id);
    if (!view) {
      out.group_state = "Dead";  // Kafka's answer for a group it does not know.
      continue;
    }
    out.group_state = std::string(group::StateName(view->state));
    out.protocol_type = view->kind == group::GroupKind::kKafkaClassic
                            ? view->protocol_type
                            : std::string(group::KindName(view->kind));
    // As Kafka: the protocol, and the members' metadata and assignments, only when Stable.
    const bool stable = view->state == group::GroupState::kStable;
    if (stable) out.protocol_data = view->assignor;
    for (group::ClassicMemberView& member : view->classic_members) {
      out.members.push_back(
          {member.member_id, member.group_instance_id, member.client_id, member.client_host,
           stable ? Keep(scope, std::move(member.metadata)) : std::string_view(),
           stable ? Keep(scope, std::move(member.assignment)) : std::string_view()});
    }
    for (const group::Member& member : view->members) {
      out.members.push_back({member.id, std::nullopt, member.client_id, member.client_host,
                             std::string_view(), std::string_view()});
    }
  }
  co_return response;
}

KafkaResult<kafka::ListGroupsResponse> HandleListGroups(KafkaContext& ctx,
                                                        const kafka::ListGroupsRequest& request,
                                                        KafkaScope&) {
  kafka::ListGroupsResponse response;
  std::set<std::string> listed;
  auto add = [&](const std::string& id, std::string protocol_type, std::string_view state) {
    listed.insert(id);
    if (!request.states_filter.empty() &&
        std::find(request.states_filter.begin(), request.states_filter.end(), state) ==
            request.states_filter.end()) {
      return;
    }
    if (!request.types_filter.empty() &&
        std::find(request.types_filter.begin(), request.types_filter.end(), "classic") ==
            request.types_filter.end()) {
      return;
    }
    response.groups.push_back({id, std::move(protocol_type), std::string(state), "classic"});
  };
  for (const group::GroupView& view : ctx.broker.groups.AllGroups()) {
    add(view.group_id,
        view.kind == group::GroupKind::kKafkaClassic ? view.protocol_type
                                                     : std::string(group::KindName(view.kind)),
        group::StateName(view.state));
  }
  // Groups with commits and no members since the broker started are Empty, as in Kafka.
  absl::StatusOr<std::vector<std::string>> committed = ctx.broker.store.offsets().Groups();
  if (!committed.ok()) {
    response.error_code = KafkaCodeOf(committed.status());
    co_return response;
  }
  for (const std::string& id : *committed) {
    if (!listed.contains(id)) add(id, "", "Empty");
  }
  co_return response;
}

}  // namespace brook::kafka_listener
