// Produce for Kafka clients: brook's own Produce (the same validation, appends and acks=all
// fsync wait), after creating topics the client names that do not exist yet when the listener
// auto-creates topics, as Kafka does. Versions 0-2 carry MessageSets, converted to one
// RecordBatch v2 per partition on the way in. zstd needs version 7 or later (KIP-110).
#include <set>

#include "broker/kafka/handlers.h"
#include "protocol/absl_compat.h"
#include "protocol/kafka/message_set.h"
#include "protocol/record_batch.h"

namespace brook::kafka_listener {
namespace {

// Kafka accepts zstd from Produce v7 on (KIP-110): a client that sends an older version could
// not read such batches back, so, as in Kafka, a partition whose records (or MessageSet) are
// zstd-compressed is refused with UNSUPPORTED_COMPRESSION_TYPE. Record sets that do not parse
// are left to brook's Produce to refuse.
absl::Status CheckCodecForVersion(std::string_view records, int16_t version) {
  if (version >= 7) return absl::OkStatus();
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(records);
  if (!batches.ok()) return absl::OkStatus();
  for (std::string_view batch : *batches) {
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
    if (header.ok() && header->compression() == Compression::kZstd) {
      return MakeError(ErrorCode::kUnsupportedCompressionType,
                       "zstd-compressed records need Produce v7 or later");
    }
  }
  return absl::OkStatus();
}

// A partition whose MessageSet did not convert, or whose codec its version does not allow:
// answered without reaching the store.
struct Refused {
  std::string topic;
  int32_t partition;
  absl::Status error;
};

ProduceRequest::Topic NativeTopic(const kafka::ProduceRequest::Topic& topic, int64_t now_ms,
                                  KafkaScope& scope, std::vector<Refused>* refused) {
  ProduceRequest::Topic out;
  out.name = topic.name;
  for (const kafka::ProduceRequest::Partition& partition : topic.partitions) {
    std::string_view records = partition.records.value_or(std::string_view());
    if (scope.version < 3) {
      absl::StatusOr<std::string> batch = kafka::MessageSetToBatch(records, now_ms);
      if (!batch.ok()) {
        refused->push_back({topic.name, partition.index, batch.status()});
        continue;
      }
      records = scope.request.buffers.emplace_back(*std::move(batch));
    }
    if (absl::Status allowed = CheckCodecForVersion(records, scope.version); !allowed.ok()) {
      refused->push_back({topic.name, partition.index, allowed});
      continue;
    }
    out.partitions.push_back({partition.index, records});
  }
  return out;
}

kafka::ProduceResponse::Partition KafkaPartition(const ProduceResponse::Partition& result) {
  kafka::ProduceResponse::Partition out;
  out.index = result.partition;
  out.error_code = KafkaCodeOf(result.error_code);
  out.error_message = result.error_message;
  out.base_offset = result.base_offset;
  out.log_start_offset = result.log_start_offset;
  return out;
}

// Every partition of `request` with the same error.
kafka::ProduceResponse AllFailed(const kafka::ProduceRequest& request, const absl::Status& error) {
  kafka::ProduceResponse response;
  for (const kafka::ProduceRequest::Topic& topic : request.topics) {
    kafka::ProduceResponse::Topic& out = response.responses.emplace_back();
    out.name = topic.name;
    for (const kafka::ProduceRequest::Partition& partition : topic.partitions) {
      kafka::ProduceResponse::Partition& result = out.partitions.emplace_back();
      result.index = partition.index;
      result.error_code = CodeOf(error);
      result.error_message = std::string(MessageOf(error));
    }
  }
  return response;
}

// The topics whose every partition failed with UNKNOWN_TOPIC_OR_PARTITION.
std::set<std::string> UnknownTopics(const ProduceResponse& response) {
  std::set<std::string> unknown;
  for (const ProduceResponse::Topic& topic : response.topics) {
    bool all_unknown = !topic.partitions.empty();
    for (const ProduceResponse::Partition& p : topic.partitions) {
      all_unknown = all_unknown && p.error_code == ErrorCode::kUnknownTopicOrPartition;
    }
    if (all_unknown) unknown.insert(topic.name);
  }
  return unknown;
}

}  // namespace

KafkaResult<kafka::ProduceResponse> HandleProduce(KafkaContext& ctx,
                                                  const kafka::ProduceRequest& request,
                                                  KafkaScope& scope) {
  scope.no_response = request.acks == kAcksNone;
  if (request.transactional_id) {
    co_return AllFailed(request, MakeError(ErrorCode::kInvalidRequest,
                                           "transactions are not supported by brook yet"));
  }
  ProduceRequest native;
  native.acks = request.acks;
  native.timeout_ms = request.timeout_ms;
  std::vector<Refused> refused;
  for (const kafka::ProduceRequest::Topic& topic : request.topics) {
    native.topics.push_back(NativeTopic(topic, ctx.broker.store.NowMs(), scope, &refused));
  }
  absl::StatusOr<ProduceResponse> produced =
      co_await brook::HandleProduce(ctx.broker, native, scope.request);
  if (!produced.ok()) co_return AllFailed(request, produced.status());
  // Topics that did not exist: create them (when allowed) and send their records again. The
  // common case, every topic known, costs nothing more.
  std::set<std::string> unknown = UnknownTopics(*produced);
  if (!unknown.empty()) {
    ProduceRequest retry = native;
    retry.topics.clear();
    for (const ProduceRequest::Topic& topic : native.topics) {
      if (unknown.contains(topic.name) && AutoCreateTopic(ctx, topic.name).ok()) {
        retry.topics.push_back(topic);
      }
    }
    if (!retry.topics.empty()) {
      absl::StatusOr<ProduceResponse> again =
          co_await brook::HandleProduce(ctx.broker, retry, scope.request);
      if (again.ok()) {
        for (ProduceResponse::Topic& topic : again->topics) {
          for (ProduceResponse::Topic& first : produced->topics) {
            if (first.name == topic.name) first = std::move(topic);
          }
        }
      }
    }
  }
  kafka::ProduceResponse response;
  for (const ProduceResponse::Topic& topic : produced->topics) {
    kafka::ProduceResponse::Topic& out = response.responses.emplace_back();
    out.name = topic.name;
    for (const ProduceResponse::Partition& partition : topic.partitions) {
      out.partitions.push_back(KafkaPartition(partition));
    }
    for (const Refused& r : refused) {
      if (r.topic != topic.name) continue;
      kafka::ProduceResponse::Partition& failed = out.partitions.emplace_back();
      failed.index = r.partition;
      failed.error_code = CodeOf(r.error);
      failed.error_message = std::string(MessageOf(r.error));
    }
  }
  co_return response;
}

}  // namespace brook::kafka_listener
