// InitProducerId: an idempotent producer's id (never reused, across restarts and kill -9) and
// epoch 0, from storage, which then deduplicates and orders the producer's batches. As Kafka
// does for a producer without a transactional id, an id and epoch given to bump (KIP-360) get
// a fresh id. brook has no transactions yet: a transactional id is refused (INVALID_REQUEST,
// which clients treat as fatal, rather than a retriable code they would wait on).
#include "broker/kafka/handlers.h"
#include "broker/log.h"

namespace brook::kafka_listener {

KafkaResult<kafka::InitProducerIdResponse> HandleInitProducerId(
    KafkaContext& ctx, const kafka::InitProducerIdRequest& request, KafkaScope& scope) {
  kafka::InitProducerIdResponse response;
  if (request.transactional_id) {
    Log(LogLevel::kWarn, "refused a transactional producer: brook has no transactions yet",
        "peer", scope.request.peer, "transactional_id", *request.transactional_id);
    response.error_code = ErrorCode::kInvalidRequest;
    co_return response;
  }
  absl::StatusOr<storage::ProducerIdAndEpoch> id = ctx.broker.store.InitProducerId();
  if (!id.ok()) {
    response.error_code = KafkaCodeOf(id.status());
    co_return response;
  }
  response.producer_id = id->producer_id.value;
  response.producer_epoch = id->epoch.value;
  co_return response;
}

}  // namespace brook::kafka_listener
