// CompactTopic: queues the compaction with the log cleaner (its own thread) and waits for it on
// a timer that the cleaner cancels when the job is done, so no io thread blocks meanwhile.
#include "broker/handlers/cleaner_wait.h"
#include "broker/handlers/handlers.h"
#include "broker/log_cleaner.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook {
namespace {

CompactTopicResponse::Partition ToWire(const PartitionCompaction& outcome) {
  CompactTopicResponse::Partition out;
  out.partition = outcome.partition.value;
  out.error_code = CodeOf(outcome.result.status());
  if (!outcome.result.ok()) {
    out.error_message = std::string(MessageOf(outcome.result.status()));
    return out;
  }
  const storage::CompactionStats& stats = *outcome.result;
  out.bytes_read = stats.bytes_read;
  out.bytes_written = stats.bytes_written;
  out.records_removed = stats.records_removed;
  out.tombstones_removed = stats.tombstones_removed;
  out.cleaned_up_to = stats.cleaned_up_to.value;
  out.duration_ms = stats.duration.count();
  return out;
}

}  // namespace

HandlerResult<CompactTopicResponse> HandleCompactTopic(BrokerContext& ctx,
                                                       const CompactTopicRequest& request,
                                                       RequestScope&) {
  absl::StatusOr<storage::TopicInfo> topic = ctx.store.DescribeTopic(request.topic);
  if (!topic.ok()) co_return topic.status();
  if (!topic->config.compacts()) {
    co_return MakeError(ErrorCode::kInvalidRequest,
                        fmt::format("topic '{}' does not compact (cleanup.policy=delete)",
                                    request.topic));
  }
  CompactionJob job{request.topic, {}};
  if (request.partitions) {
    for (int32_t partition : *request.partitions) job.partitions.emplace_back(partition);
  } else {
    for (const storage::PartitionInfo& p : topic->partitions) job.partitions.push_back(p.partition);
  }

  std::optional<std::vector<PartitionCompaction>> results =
      co_await AwaitCleaner<std::vector<PartitionCompaction>>(
          [&](LogCleaner::Done done) { ctx.cleaner.Submit(std::move(job), std::move(done)); });
  CompactTopicResponse response;
  for (const PartitionCompaction& outcome : *results) {
    response.partitions.push_back(ToWire(outcome));
  }
  co_return response;
}

}  // namespace brook
