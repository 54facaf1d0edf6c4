// FindCoordinator: this node coordinates every group. brook has no transaction coordinator
// yet, so transactional ids get COORDINATOR_NOT_AVAILABLE.
#include "broker/kafka/handlers.h"

namespace brook::kafka_listener {
namespace {

kafka::FindCoordinatorResponse::Coordinator Find(const KafkaContext& ctx, std::string key,
                                                 int8_t key_type) {
  kafka::FindCoordinatorResponse::Coordinator out;
  out.key = std::move(key);
  if (key_type != kafka::kCoordinatorGroup) {
    out.node_id = -1;
    out.port = -1;
    out.error_code = ErrorCode::kCoordinatorNotAvailable;
    out.error_message = "brook does not support transactions yet";
    return out;
  }
  out.node_id = ctx.node.node_id;
  out.host = ctx.node.host;
  out.port = ctx.node.port;
  return out;
}

}  // namespace

KafkaResult<kafka::FindCoordinatorResponse> HandleFindCoordinator(
    KafkaContext& ctx, const kafka::FindCoordinatorRequest& request, KafkaScope& scope) {
  kafka::FindCoordinatorResponse response;
  if (scope.version >= 4) {
    for (const std::string& key : request.coordinator_keys) {
      response.coordinators.push_back(Find(ctx, key, request.key_type));
    }
    co_return response;
  }
  kafka::FindCoordinatorResponse::Coordinator one = Find(ctx, request.key, request.key_type);
  response.error_code = one.error_code;
  response.error_message = one.error_message;
  response.node_id = one.node_id;
  response.host = one.host;
  response.port = one.port;
  co_return response;
}

}  // namespace brook::kafka_listener
