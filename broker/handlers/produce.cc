// Produce: validate and append each partition's batches, then wait for the fsync when acks=all.
#include "broker/handlers/handlers.h"
#include "broker/handlers/wait_durable.h"
#include "storage/event_store/event_store.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook {
namespace {

// A store topic's records may be events with expected revisions (event_store/produced_events.h).
absl::StatusOr<storage::AppendResult> AppendPartition(BrokerContext& ctx, std::string_view topic,
                                                      const ProduceRequest::Partition& partition) {
  if (ctx.events != nullptr && ctx.store.IsEventStore(topic)) {
    return ctx.events->AppendProduced(topic, PartitionId(partition.partition), partition.records);
  }
  return ctx.store.Append(topic, PartitionId(partition.partition), partition.records);
}

}  // namespace

HandlerResult<ProduceResponse> HandleProduce(BrokerContext& ctx, const ProduceRequest& request,
                                             RequestScope& scope) {
  if (request.acks != kAcksNone && request.acks != kAcksLeader && request.acks != kAcksAll) {
    co_return MakeError(ErrorCode::kInvalidRequiredAcks,
                        fmt::format("acks={} is not valid: use 0, 1 or -1 (all)", request.acks));
  }
  ProduceResponse response;
  bool appended = false;
  for (const ProduceRequest::Topic& topic : request.topics) {
    ProduceResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const ProduceRequest::Partition& partition : topic.partitions) {
      ProduceResponse::Partition& result = out.partitions.emplace_back();
      result.partition = partition.partition;
      absl::StatusOr<storage::AppendResult> append = AppendPartition(ctx, topic.name, partition);
      if (!append.ok()) {
        result.error_code = CodeOf(append.status());
        result.error_message = std::string(MessageOf(append.status()));
        continue;
      }
      appended = true;
      result.base_offset = append->base_offset.value;
      result.log_start_offset = append->log_start.value;
    }
  }
  if (request.acks == kAcksAll && appended) {
    absl::Status durable = co_await WaitDurable(
        ctx.store, std::chrono::milliseconds(request.timeout_ms > 0 ? request.timeout_ms : 30000));
    if (!durable.ok()) {
      for (ProduceResponse::Topic& topic : response.topics) {
        for (ProduceResponse::Partition& partition : topic.partitions) {
          if (partition.error_code != ErrorCode::kNone) continue;
          partition.error_code = CodeOf(durable);
          partition.error_message = std::string(MessageOf(durable));
        }
      }
    }
  }
  co_return response;
}

}  // namespace brook
