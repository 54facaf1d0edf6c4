// Fetch for Kafka clients: brook's own Fetch (the same reads, byte budgets and long poll). The
// high watermark and the last stable offset are the log end: brook has no replicas and no
// transactions yet. Fetch sessions (KIP-227) are declined (session id 0), so clients send full
// fetches. Versions 0-3 predate RecordBatch v2: their records are down-converted to a
// MessageSet, of magic 0 for versions 0-1 and magic 1 for 2-3, as Kafka does (and, as in
// Kafka, a partition holding zstd batches answers UNSUPPORTED_COMPRESSION_TYPE instead).
#include "absl/container/flat_hash_set.h"
#include "broker/kafka/handlers.h"
#include "protocol/absl_compat.h"
#include "protocol/kafka/message_set.h"

namespace brook::kafka_listener {

KafkaResult<kafka::FetchResponse> HandleFetch(KafkaContext& ctx, const kafka::FetchRequest& request,
                                              KafkaScope& scope) {
  FetchRequest native;
  native.max_wait_ms = request.max_wait_ms;
  native.min_bytes = request.min_bytes;
  native.max_bytes = std::max(request.max_bytes, 1);
  // A partition named twice is fetched once, as Kafka (which keys the request by partition)
  // does; brook's own Fetch refuses such a request.
  absl::flat_hash_set<std::pair<std::string_view, int32_t>> named;
  for (const kafka::FetchRequest::Topic& topic : request.topics) {
    FetchRequest::Topic& out = native.topics.emplace_back();
    out.name = topic.name;
    for (const kafka::FetchRequest::Partition& p : topic.partitions) {
      if (!named.emplace(topic.name, p.partition).second) continue;
      out.partitions.push_back({p.partition, p.fetch_offset, std::max(p.partition_max_bytes, 0)});
    }
  }
  absl::StatusOr<FetchResponse> fetched =
      co_await brook::HandleFetch(ctx.broker, native, scope.request);
  kafka::FetchResponse response;
  if (!fetched.ok()) {
    response.error_code = CodeOf(fetched.status());
    co_return response;
  }
  for (const FetchResponse::Topic& topic : fetched->topics) {
    kafka::FetchResponse::Topic& out = response.responses.emplace_back();
    out.name = topic.name;
    for (const FetchResponse::Partition& p : topic.partitions) {
      kafka::FetchResponse::Partition& result = out.partitions.emplace_back();
      result.partition_index = p.partition;
      result.error_code = p.error_code;
      result.high_watermark = p.log_end_offset;
      result.last_stable_offset = p.log_end_offset;
      result.log_start_offset = p.log_start_offset;
      result.records = p.records;
      if (scope.version < 4 && !p.records.empty()) {
        std::string& converted = scope.request.buffers.emplace_back();
        absl::Status s =
            kafka::BatchesToMessageSet(p.records, scope.version < 2 ? 0 : 1, &converted);
        if (!s.ok()) {
          result.error_code = CodeOf(s);
          result.records.reset();
          continue;
        }
        result.records = converted;
      }
    }
  }
  co_return response;
}

}  // namespace brook::kafka_listener
