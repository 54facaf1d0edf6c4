// DescribeProducers: the producers each partition remembers (their epoch, last sequence and
// last timestamp), from the same state.
//
// InitProducerId: an idempotent producer's id (never reused, across restarts and kill -9) and
// epoch 0, from storage, which then deduplicates and orders the producer's batches. As Kafka
// does for a producer without a transactional id, an id and epoch given to bump (KIP-360) get
// a fresh id. brook has no transactions yet: a transactional id is refused (INVALID_REQUEST,
// which clients treat as fatal, rather than a retriable code they would wait on).
#include "broker/kafka/handlers.h"
#include "broker/log.h"
#include "protocol/absl_compat.h"

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

KafkaResult<kafka::DescribeProducersResponse> HandleDescribeProducers(
    KafkaContext& ctx, const kafka::DescribeProducersRequest& request, KafkaScope&) {
  kafka::DescribeProducersResponse response;
  for (const kafka::DescribeProducersRequest::Topic& topic : request.topics) {
    kafka::DescribeProducersResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (int32_t partition : topic.partitions) {
      kafka::DescribeProducersResponse::Partition& result = out.partitions.emplace_back();
      result.partition_index = partition;
      absl::StatusOr<storage::ProducerEntries> producers =
          ctx.broker.store.Producers(topic.name, PartitionId(partition));
      if (!producers.ok()) {
        result.error_code = KafkaCodeOf(producers.status());
        result.error_message = std::string(MessageOf(producers.status()));
        continue;
      }
      for (const auto& [id, entry] : *producers) {
        kafka::DescribeProducersResponse::Producer& p = result.active_producers.emplace_back();
        p.producer_id = id.value;
        p.producer_epoch = entry.epoch.value;
        if (!entry.batches.empty()) {
          p.last_sequence = entry.batches.back().last_sequence;
          p.last_timestamp = entry.batches.back().max_timestamp;
        }
      }
    }
  }
  co_return response;
}

}  // namespace brook::kafka_listener
