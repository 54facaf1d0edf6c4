// DeleteRecords for Kafka clients, through brook's own handler: the log cleaner moves each
// partition's log start (the low watermark), as `brook topic delete-records` does.
#include "broker/kafka/handlers.h"

namespace brook::kafka_listener {

KafkaResult<kafka::DeleteRecordsResponse> HandleDeleteRecords(
    KafkaContext& ctx, const kafka::DeleteRecordsRequest& request, KafkaScope& scope) {
  DeleteRecordsRequest native;
  native.timeout_ms = request.timeout_ms;
  for (const kafka::DeleteRecordsRequest::Topic& topic : request.topics) {
    DeleteRecordsRequest::Topic& out = native.topics.emplace_back();
    out.name = topic.name;
    for (const auto& p : topic.partitions) out.partitions.push_back({p.partition_index, p.offset});
  }
  absl::StatusOr<DeleteRecordsResponse> deleted =
      co_await brook::HandleDeleteRecords(ctx.broker, native, scope.request);
  kafka::DeleteRecordsResponse response;
  for (size_t t = 0; t < request.topics.size(); ++t) {
    kafka::DeleteRecordsResponse::Topic& out = response.topics.emplace_back();
    out.name = request.topics[t].name;
    for (size_t p = 0; p < request.topics[t].partitions.size(); ++p) {
      kafka::DeleteRecordsResponse::Partition& result = out.partitions.emplace_back();
      result.partition_index = request.topics[t].partitions[p].partition_index;
      if (!deleted.ok()) {
        result.error_code = KafkaCodeOf(deleted.status());
        continue;
      }
      const DeleteRecordsResponse::Partition& done = deleted->topics[t].partitions[p];
      result.error_code = KafkaCodeOf(done.error_code);
      result.low_watermark = done.low_watermark;
    }
  }
  co_return response;
}

}  // namespace brook::kafka_listener
