// Admin's dead-letter calls (declared in admin.h): ReplayDeadLetters and DeadLetterStats.
#include "client/admin_impl.h"
#include "fmt/format.h"
#include "protocol/dead_letters.h"

namespace brook {

absl::StatusOr<std::vector<DeadLetterReplay>> Admin::ReplayDeadLetters(
    const TopicPartition& dlq, const std::vector<int64_t>& offsets, bool dry_run) {
  ReplayDeadLettersRequest request;
  request.dlq_topic = dlq.topic;
  request.partition = dlq.partition.value;
  request.offsets = offsets;
  request.dry_run = dry_run;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  if (reply->message.records.size() != offsets.size()) {
    return MakeError(ErrorCode::kUnknownServerError,
                     fmt::format("the broker answered {} of {} replays",
                                 reply->message.records.size(), offsets.size()));
  }
  std::vector<DeadLetterReplay> out;
  for (const ReplayDeadLettersResponse::Record& r : reply->message.records) {
    DeadLetterReplay& replay = out.emplace_back();
    replay.offset = r.offset;
    if (r.error_code != ErrorCode::kNone) {
      replay.status = MakeError(
          r.error_code,
          fmt::format("replaying {}: {}", RecordName(dlq.topic, dlq.partition.value, r.offset),
                      r.error_message ? *r.error_message : ErrorDescription(r.error_code)));
    }
    replay.already_replayed = r.already_replayed;
    replay.target = {r.topic, PartitionId(r.partition)};
    replay.replayed_offset = r.replayed_offset;
  }
  return out;
}

absl::StatusOr<std::vector<DeadLetterCounter>> Admin::DeadLetterStats(
    const std::vector<std::string>& topics) {
  DeadLetterStatsRequest request;
  if (!topics.empty()) request.topics = topics;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  std::vector<DeadLetterCounter> out;
  for (const DeadLetterStatsResponse::Counter& c : reply->message.counters) {
    out.push_back({c.topic, c.group_id, c.dead_lettered, c.replayed});
  }
  return out;
}

}  // namespace brook
