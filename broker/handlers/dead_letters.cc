// DeadLetter, ReplayDeadLetters and DeadLetterStats (docs/protocol.md 6.11). A dead letter's
// copy, the group's commit past the record, its mark and its count are one RocksDB write
// (LogStore::AppendDeadLetter), made under the group coordinator's check of the member, so a
// fenced member cannot dead-letter, and a retried request adds no second copy.
#include <limits>

#include "broker/dead_letters/dead_letter_topics.h"
#include "broker/handlers/handlers.h"
#include "broker/log.h"
#include "broker/metrics/broker_metrics.h"
#include "protocol/absl_compat.h"
#include "protocol/dead_letters.h"

namespace brook {
namespace {

// Replays of more offsets than this in one request are refused.
constexpr size_t kMaxReplayOffsets = 10000;

absl::Status ValidateDeadLetter(const DeadLetterRequest& request) {
  if (absl::Status s = group::ValidateGroupId(request.group_id); !s.ok()) return s;
  if (request.attempts < 1) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("attempts must be at least 1, not {}", request.attempts));
  }
  if (request.offset < 0 || request.offset == std::numeric_limits<int64_t>::max()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("offset {} is not a record's offset", request.offset));
  }
  if (request.reason.size() > kMaxDeadLetterReasonBytes) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("the reason is {} bytes; at most {} are allowed",
                                 request.reason.size(), kMaxDeadLetterReasonBytes));
  }
  return absl::OkStatus();
}

// Builds the copy of the request's record in its dead-letter topic, creating the topic if
// needed. Done before the coordinator's lock is taken, which the copy is not worth holding.
absl::StatusOr<storage::LogStore::DeadLetterCopy> MakeCopy(BrokerContext& ctx,
                                                           const DeadLetterRequest& request,
                                                           const RequestScope& scope,
                                                           const storage::TopicInfo& source,
                                                           const std::string& dlq_name) {
  const TopicPartition from{request.topic, PartitionId(request.partition)};
  StoredRecord original;
  if (absl::Status s = ReadRecord(ctx.store, from, request.offset, &original); !s.ok()) return s;
  absl::StatusOr<DeadLetterTopic> dlq = EnsureDeadLetterTopic(ctx.store, dlq_name, source);
  if (!dlq.ok()) return dlq.status();
  if (dlq->created) ctx.groups.OnTopicChanged(dlq_name);
  const DeadLetterInfo info{from,
                            request.offset,
                            original.record.timestamp,
                            request.reason,
                            request.attempts,
                            request.first_failure_ms,
                            request.last_failure_ms,
                            request.group_id,
                            request.member_id,
                            scope.client_id};
  return storage::LogStore::DeadLetterCopy{
      dlq_name, PlaceRecord(original.record.key, request.partition, dlq->partitions),
      BuildDeadLetterCopy(original.record, info, ctx.store.NowMs(), original.compression)};
}

// Replays one dead-letter record, brook's or a Kafka client's (or, with dry_run, says what a
// replay would do). A record whose origin is unknown is refused (INVALID_RECORD).
ReplayDeadLettersResponse::Record Replay(BrokerContext& ctx, const TopicPartition& dlq,
                                         int64_t offset, bool dry_run) {
  ReplayDeadLettersResponse::Record result;
  result.offset = offset;
  auto fail = [&](const absl::Status& status) {
    result.error_code = CodeOf(status);
    result.error_message = std::string(MessageOf(status));
    return result;
  };
  StoredRecord stored;
  if (absl::Status s = ReadRecord(ctx.store, dlq, offset, &stored); !s.ok()) return fail(s);
  absl::StatusOr<DeadLetterInfo> info = ParseDeadLetter(stored.record.headers);
  if (!info.ok()) return fail(info.status());
  if (info->convention == DeadLetterConvention::kUnknown) {
    return fail(MakeError(ErrorCode::kInvalidRecord,
                          "its origin is unknown (it has no brook.dlq.topic, "
                          "kafka_dlt-original-topic or __connect.errors.topic header): there is "
                          "nowhere to send it"));
  }
  absl::StatusOr<std::optional<storage::RecordLocation>> earlier =
      ctx.store.FindReplay(info->source, Offset(info->offset));
  if (!earlier.ok()) return fail(earlier.status());
  if (earlier->has_value()) {
    result.already_replayed = true;
    result.topic = (*earlier)->partition.topic;
    result.partition = (*earlier)->partition.partition.value;
    result.replayed_offset = (*earlier)->offset.value;
    return result;
  }
  absl::StatusOr<storage::TopicInfo> target = ctx.store.DescribeTopic(info->source.topic);
  if (!target.ok()) return fail(target.status());
  const auto partitions = static_cast<int32_t>(target->partitions.size());
  const TopicPartition to{
      info->source.topic,
      info->source.partition.value < partitions
          ? info->source.partition
          : PlaceRecord(stored.record.key, info->source.partition.value, partitions)};
  result.topic = to.topic;
  result.partition = to.partition.value;
  if (dry_run) return result;
  absl::StatusOr<storage::MarkedAppend> appended = ctx.store.AppendReplay(
      to,
      BuildReplay(stored.record, info->convention,
                  RecordName(dlq.topic, dlq.partition.value, offset), ctx.store.NowMs(),
                  stored.compression),
      storage::ReplayEntry{info->source, Offset(info->offset), info->group});
  if (!appended.ok()) return fail(appended.status());
  result.already_replayed = appended->duplicate;
  result.topic = appended->location.partition.topic;
  result.partition = appended->location.partition.partition.value;
  result.replayed_offset = appended->location.offset.value;
  return result;
}

}  // namespace

HandlerResult<DeadLetterResponse> HandleDeadLetter(BrokerContext& ctx,
                                                   const DeadLetterRequest& request,
                                                   RequestScope& scope) {
  if (absl::Status s = ValidateDeadLetter(request); !s.ok()) co_return s;
  absl::StatusOr<storage::TopicInfo> source = ctx.store.DescribeTopic(request.topic);
  if (!source.ok()) co_return source.status();
  if (request.partition < 0 ||
      request.partition >= static_cast<int32_t>(source->partitions.size())) {
    co_return MakeError(ErrorCode::kUnknownTopicOrPartition,
                        fmt::format("topic '{}' has {} partition(s); partition {} does not exist",
                                    request.topic, source->partitions.size(), request.partition));
  }
  absl::StatusOr<std::string> dlq_name = DeadLetterTopicOf(*source);
  if (!dlq_name.ok()) co_return dlq_name.status();

  const TopicPartition from{request.topic, PartitionId(request.partition)};
  const storage::DeadLetterEntry entry{
      request.group_id, from, Offset(request.offset),
      storage::CommittedOffset{
          from, Offset(request.offset + 1),
          fmt::format("dead-lettered {}", RecordName(request.topic, request.partition,
                                                     request.offset)),
          ctx.store.NowMs()}};
  // A fenced member is refused before anything is created (and checked again under the lock).
  const group::Generation generation(request.generation_id);
  if (absl::Status s = ctx.groups.Commit(request.group_id, request.member_id, generation, {});
      !s.ok()) {
    co_return s;
  }
  // Built before the lock; a record that is gone may still have a copy (a repeated request).
  absl::StatusOr<storage::LogStore::DeadLetterCopy> copy =
      MakeCopy(ctx, request, scope, *source, *dlq_name);
  if (!copy.ok() && CodeOf(copy.status()) != ErrorCode::kOffsetOutOfRange) co_return copy.status();
  absl::StatusOr<storage::MarkedAppend> result;
  absl::Status status =
      ctx.groups.CommitWith(request.group_id, request.member_id, generation, [&] {
        result = ctx.store.AppendDeadLetter(entry, [&] { return copy; });
        return result.status();
      });
  if (!status.ok()) co_return status;
  if (!result->duplicate) {
    if (ctx.metrics != nullptr) {
      ctx.metrics->CountDeadLetter(request.topic, request.group_id, request.reason);
    }
    Log(LogLevel::kInfo, "record dead-lettered", "record",
        RecordName(request.topic, request.partition, request.offset), "group", request.group_id,
        "to",
        RecordName(result->location.partition.topic, result->location.partition.partition.value,
                   result->location.offset.value),
        "reason", request.reason);
  }
  co_return DeadLetterResponse{result->location.partition.topic,
                               result->location.partition.partition.value,
                               result->location.offset.value, result->duplicate};
}

HandlerResult<ReplayDeadLettersResponse> HandleReplayDeadLetters(
    BrokerContext& ctx, const ReplayDeadLettersRequest& request, RequestScope&) {
  if (request.offsets.size() > kMaxReplayOffsets) {
    co_return MakeError(ErrorCode::kInvalidRequest,
                        fmt::format("{} offsets in one replay; at most {} are allowed",
                                    request.offsets.size(), kMaxReplayOffsets));
  }
  const TopicPartition dlq{request.dlq_topic, PartitionId(request.partition)};
  if (absl::Status s = ctx.store.Offsets(dlq.topic, dlq.partition).status(); !s.ok()) co_return s;
  ReplayDeadLettersResponse response;
  for (int64_t offset : request.offsets) {
    response.records.push_back(Replay(ctx, dlq, offset, request.dry_run));
  }
  co_return response;
}

HandlerResult<DeadLetterStatsResponse> HandleDeadLetterStats(BrokerContext& ctx,
                                                             const DeadLetterStatsRequest& request,
                                                             RequestScope&) {
  std::vector<storage::DlqCounters> counters;
  auto add = [&](std::optional<std::string_view> topic) -> absl::Status {
    absl::StatusOr<std::vector<storage::DlqCounters>> found = ctx.store.DeadLetterCounters(topic);
    if (!found.ok()) return found.status();
    counters.insert(counters.end(), found->begin(), found->end());
    return absl::OkStatus();
  };
  if (!request.topics) {
    if (absl::Status s = add(std::nullopt); !s.ok()) co_return s;
  } else {
    for (const std::string& topic : *request.topics) {
      if (absl::Status s = add(topic); !s.ok()) co_return s;
    }
  }
  DeadLetterStatsResponse response;
  for (const storage::DlqCounters& c : counters) {
    response.counters.push_back({c.topic, c.group, c.dead_lettered, c.replayed});
  }
  co_return response;
}

}  // namespace brook
