// ListOffsets: the earliest (log start), latest (log end) or first-at-or-after-T offset.
#include "broker/handlers/handlers.h"

namespace brook {

HandlerResult<ListOffsetsResponse> HandleListOffsets(BrokerContext& ctx,
                                                     const ListOffsetsRequest& request,
                                                     RequestScope&) {
  ListOffsetsResponse response;
  for (const ListOffsetsRequest::Topic& topic : request.topics) {
    ListOffsetsResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const ListOffsetsRequest::Partition& partition : topic.partitions) {
      ListOffsetsResponse::Partition& result = out.partitions.emplace_back();
      result.partition = partition.partition;
      const PartitionId id(partition.partition);
      if (partition.timestamp == kEarliestTimestamp || partition.timestamp == kLatestTimestamp) {
        absl::StatusOr<storage::PartitionInfo> offsets = ctx.store.Offsets(topic.name, id);
        if (!offsets.ok()) {
          result.error_code = CodeOf(offsets.status());
          continue;
        }
        result.offset = partition.timestamp == kEarliestTimestamp ? offsets->log_start.value
                                                                  : offsets->log_end.value;
        continue;
      }
      if (partition.timestamp < 0) {
        result.error_code = ErrorCode::kInvalidTimestamp;
        continue;
      }
      absl::StatusOr<storage::TimestampLookup> found =
          ctx.store.OffsetForTimestamp(topic.name, id, TimestampMs(partition.timestamp));
      if (!found.ok()) {
        result.error_code = CodeOf(found.status());
        continue;
      }
      result.offset = found->offset.value;
      result.timestamp = found->timestamp.value;
    }
  }
  co_return response;
}

}  // namespace brook
