// JoinGroup, Heartbeat and LeaveGroup: membership of consumer groups, decided by the
// GroupCoordinator.
#include <chrono>

#include "broker/handlers/handlers.h"
#include "broker/handlers/topic_partitions.h"

namespace brook {

HandlerResult<JoinGroupResponse> HandleJoinGroup(BrokerContext& ctx,
                                                 const JoinGroupRequest& request,
                                                 RequestScope& scope) {
  group::MemberJoin join{.member_id = request.member_id,
                         .client_id = scope.client_id,
                         .client_host = scope.peer,
                         .session_timeout = std::chrono::milliseconds(request.session_timeout_ms),
                         .rebalance_timeout =
                             std::chrono::milliseconds(request.rebalance_timeout_ms),
                         .topics = request.topics,
                         .assignor = request.assignor,
                         .owned = FromWire(request.owned)};
  absl::StatusOr<group::JoinResult> joined =
      co_await ctx.groups.Join(request.group_id, std::move(join));
  if (!joined.ok()) co_return joined.status();
  JoinGroupResponse response;
  response.generation_id = joined->generation.value;
  response.member_id = std::move(joined->member_id);
  response.leader_id = std::move(joined->leader_id);
  response.assignor = std::move(joined->assignor);
  response.assignment = ToWire(joined->assignment);
  co_return response;
}

HandlerResult<HeartbeatResponse> HandleHeartbeat(BrokerContext& ctx,
                                                 const HeartbeatRequest& request,
                                                 RequestScope&) {
  absl::Status status = ctx.groups.CheckActive(request.group_id, request.member_id,
                                               group::Generation(request.generation_id));
  if (!status.ok()) co_return status;
  co_return HeartbeatResponse{};
}

HandlerResult<LeaveGroupResponse> HandleLeaveGroup(BrokerContext& ctx,
                                                   const LeaveGroupRequest& request,
                                                   RequestScope&) {
  absl::Status status = ctx.groups.Leave(request.group_id, request.member_id);
  if (!status.ok()) co_return status;
  co_return LeaveGroupResponse{};
}

}  // namespace brook
