// DeleteRecords: the log cleaner (its own thread, where retention and compaction run) moves
// each partition's log start; the handler waits for it on a timer, at most the request's
// timeout, so no io thread blocks meanwhile.
#include <chrono>

#include "broker/handlers/cleaner_wait.h"
#include "broker/handlers/handlers.h"
#include "broker/log_cleaner.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook {

HandlerResult<DeleteRecordsResponse> HandleDeleteRecords(BrokerContext& ctx,
                                                         const DeleteRecordsRequest& request,
                                                         RequestScope&) {
  std::vector<RecordDeletion> deletions;
  for (const DeleteRecordsRequest::Topic& topic : request.topics) {
    for (const DeleteRecordsRequest::Partition& p : topic.partitions) {
      deletions.push_back({topic.name, PartitionId(p.partition), Offset(p.offset)});
    }
  }
  // 0 or less: no limit.
  const auto deadline =
      request.timeout_ms > 0
          ? std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms)
          : std::chrono::steady_clock::time_point::max();
  std::optional<DeletionResults> results = co_await AwaitCleaner<DeletionResults>(
      [&](LogCleaner::DeletionsDone done) { ctx.cleaner.SubmitDeletions(deletions, done); },
      deadline);
  const absl::Status timed_out = MakeError(
      ErrorCode::kRequestTimedOut,
      fmt::format("not done within {} ms (the broker's log cleaner was busy); the deletion "
                  "stays queued and happens later",
                  request.timeout_ms));
  DeleteRecordsResponse response;
  size_t i = 0;
  for (const DeleteRecordsRequest::Topic& topic : request.topics) {
    DeleteRecordsResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const DeleteRecordsRequest::Partition& p : topic.partitions) {
      const absl::StatusOr<storage::RetentionResult> result =
          results ? (*results)[i++] : absl::StatusOr<storage::RetentionResult>(timed_out);
      DeleteRecordsResponse::Partition& partition = out.partitions.emplace_back();
      partition.partition = p.partition;
      partition.error_code = CodeOf(result.status());
      if (result.ok()) {
        partition.low_watermark = result->new_log_start.value;
      } else {
        partition.error_message = std::string(MessageOf(result.status()));
      }
    }
  }
  co_return response;
}

}  // namespace brook
