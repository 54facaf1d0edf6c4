// ListOffsets and OffsetForLeaderEpoch for Kafka clients. ListOffsets goes through brook's own
// (earliest, latest, by timestamp), answered in Kafka's shapes: version 0's list of offsets,
// and offset -1 when no record is at or after the timestamp. The largest timestamp (-3, v7+)
// is the segments' largest, found like any other timestamp. brook has one leader epoch, 0, for
// every partition, so OffsetForLeaderEpoch answers epoch 0 ending at the log end.
#include <algorithm>

#include "broker/kafka/handlers.h"

namespace brook::kafka_listener {
namespace {

// The partition's largest record timestamp, to look up as a time; -1 when it has no records.
absl::StatusOr<int64_t> LargestTimestamp(KafkaContext& ctx, const std::string& topic,
                                         int32_t partition) {
  absl::StatusOr<std::vector<storage::Segment>> segments =
      ctx.broker.store.Segments(topic, PartitionId(partition));
  if (!segments.ok()) return segments.status();
  int64_t largest = -1;
  for (const storage::Segment& segment : *segments) {
    largest = std::max(largest, segment.max_timestamp);
  }
  return largest;
}

}  // namespace

KafkaResult<kafka::ListOffsetsResponse> HandleListOffsets(KafkaContext& ctx,
                                                          const kafka::ListOffsetsRequest& request,
                                                          KafkaScope& scope) {
  ListOffsetsRequest native;
  for (const kafka::ListOffsetsRequest::Topic& topic : request.topics) {
    ListOffsetsRequest::Topic& out = native.topics.emplace_back();
    out.name = topic.name;
    for (const kafka::ListOffsetsRequest::Partition& p : topic.partitions) {
      int64_t timestamp = p.timestamp;
      if (timestamp == kafka::kMaxTimestamp) {
        // An empty or unknown partition: asked as "latest", which answers -1 or the error.
        absl::StatusOr<int64_t> largest = LargestTimestamp(ctx, topic.name, p.partition_index);
        timestamp = largest.ok() && *largest >= 0 ? *largest : kLatestTimestamp;
      }
      out.partitions.push_back({p.partition_index, timestamp});
    }
  }
  absl::StatusOr<ListOffsetsResponse> listed =
      co_await brook::HandleListOffsets(ctx.broker, native, scope.request);
  kafka::ListOffsetsResponse response;
  for (size_t t = 0; t < request.topics.size(); ++t) {
    kafka::ListOffsetsResponse::Topic& out = response.topics.emplace_back();
    out.name = request.topics[t].name;
    for (size_t p = 0; p < request.topics[t].partitions.size(); ++p) {
      const kafka::ListOffsetsRequest::Partition& asked = request.topics[t].partitions[p];
      kafka::ListOffsetsResponse::Partition& result = out.partitions.emplace_back();
      result.partition_index = asked.partition_index;
      if (!listed.ok()) {
        result.error_code = CodeOf(listed.status());
        continue;
      }
      const ListOffsetsResponse::Partition& found = listed->topics[t].partitions[p];
      result.error_code = found.error_code;
      if (found.error_code != ErrorCode::kNone) continue;
      const bool by_time = asked.timestamp >= 0 || asked.timestamp == kafka::kMaxTimestamp;
      if (by_time && found.timestamp < 0) continue;  // No record at or after it: -1, -1.
      result.offset = found.offset;
      result.timestamp = by_time ? found.timestamp : -1;
      result.leader_epoch = 0;
      result.old_style_offsets = {found.offset};
    }
  }
  co_return response;
}

KafkaResult<kafka::OffsetForLeaderEpochResponse> HandleOffsetForLeaderEpoch(
    KafkaContext& ctx, const kafka::OffsetForLeaderEpochRequest& request, KafkaScope&) {
  kafka::OffsetForLeaderEpochResponse response;
  for (const kafka::OffsetForLeaderEpochRequest::Topic& topic : request.topics) {
    kafka::OffsetForLeaderEpochResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const kafka::OffsetForLeaderEpochRequest::Partition& p : topic.partitions) {
      kafka::OffsetForLeaderEpochResponse::Partition& result = out.partitions.emplace_back();
      result.partition = p.partition;
      absl::StatusOr<storage::PartitionInfo> offsets =
          ctx.broker.store.Offsets(topic.name, PartitionId(p.partition));
      if (!offsets.ok()) {
        result.error_code = CodeOf(offsets.status());
        continue;
      }
      result.leader_epoch = 0;
      result.end_offset = offsets->log_end.value;
    }
  }
  co_return response;
}

}  // namespace brook::kafka_listener
