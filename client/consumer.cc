#include "client/consumer.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <thread>

#include "client/consumer_impl.h"
#include "client/fetch_decoder.h"
#include "client/group_assignment.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"

namespace brook {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string Name(const TopicPartition& tp) {
  return fmt::format("{}-{}", tp.topic, tp.partition.value);
}

absl::Status Closed() { return MakeError(ErrorCode::kInvalidRequest, "the consumer is closed"); }

absl::Status NotAssigned(const TopicPartition& tp) {
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("{} is not assigned to this consumer", Name(tp)));
}

absl::Status Validate(const ConsumerOptions& o) {
  auto invalid = [](std::string_view field, std::string_view why) {
    return MakeError(ErrorCode::kInvalidRequest, fmt::format("ConsumerOptions.{} {}", field, why));
  };
  if (o.fetch_min_bytes < 0) return invalid("fetch_min_bytes", "must not be negative");
  if (o.fetch_max_bytes <= 0 || o.fetch_max_bytes > (1 << 30)) {
    return invalid("fetch_max_bytes", "must be in 1..1 GiB");
  }
  if (o.max_partition_fetch_bytes <= 0) {
    return invalid("max_partition_fetch_bytes", "must be positive");
  }
  if (o.fetch_max_wait.count() < 0 || o.fetch_max_wait.count() > INT32_MAX) {
    return invalid("fetch_max_wait", "must be in 0..INT32_MAX ms");
  }
  if (o.request_timeout.count() <= 0 || o.request_timeout.count() > INT32_MAX) {
    return invalid("request_timeout", "must be in 1..INT32_MAX ms");
  }
  if (o.group_id.empty()) return absl::OkStatus();
  if (!client::IsKnownAssignor(o.assignor)) {
    return invalid("assignor", "must be range, roundrobin or cooperative-sticky");
  }
  if (o.session_timeout.count() <= 0 || o.session_timeout.count() > INT32_MAX) {
    return invalid("session_timeout", "must be in 1..INT32_MAX ms");
  }
  if (o.heartbeat_interval.count() <= 0 || o.heartbeat_interval >= o.session_timeout) {
    return invalid("heartbeat_interval", "must be positive and below session_timeout");
  }
  if (o.rebalance_timeout.count() <= 0 || o.rebalance_timeout.count() > INT32_MAX) {
    return invalid("rebalance_timeout", "must be in 1..INT32_MAX ms");
  }
  if (o.auto_commit_interval.count() <= 0) {
    return invalid("auto_commit_interval", "must be positive");
  }
  return absl::OkStatus();
}

// Room for a whole response: the first batch may exceed fetch_max_bytes.
client::ConnectionOptions ConnectionOptionsFor(const ConsumerOptions& options) {
  client::ConnectionOptions connection = client::ClientConnectionOptions(
      options.bootstrap, options.client_id, options.request_timeout);
  connection.max_response_bytes =
      static_cast<uint32_t>(std::max<int64_t>(256 << 20, 2 * int64_t{options.fetch_max_bytes}));
  return connection;
}

}  // namespace

Consumer::Impl::Impl(ConsumerOptions options)
    : options_(std::move(options)),
      connection_(ConnectionOptionsFor(options_)),
      next_auto_commit_(Clock::now() + options_.auto_commit_interval) {
  if (!options_.group_id.empty()) {
    committer_ = std::make_unique<client::OffsetCommitter>(
        connection_, options_.group_id, options_.request_timeout,
        [this](ErrorCode code, int32_t generation) {
          if (member_) member_->OnFenced(code, generation);
        });
  }
}

absl::Status Consumer::Impl::CheckOpen() const {
  return closed_ ? Closed() : absl::OkStatus();
}

// ---- Assignment and positions -----------------------------------------------------------------

absl::Status Consumer::Impl::EnsureConnected() {
  if (closed_) return Closed();
  if (connection_.connected()) return absl::OkStatus();
  in_flight_.reset();  // It failed with the connection.
  return connection_.Connect();
}

absl::Status Consumer::Impl::Assign(std::vector<TopicPartition> partitions) {
  if (member_) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "Assign cannot be used after Subscribe: the group assigns the partitions");
  }
  absl::Status status = EnsureConnected();
  if (!status.ok()) return status;
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  if (!partitions.empty()) {
    MetadataRequest request;
    request.topics.emplace();
    for (const TopicPartition& tp : partitions) {
      if (request.topics->empty() || request.topics->back() != tp.topic) {
        request.topics->push_back(tp.topic);
      }
    }
    auto reply = connection_.Call(request, options_.request_timeout);
    if (!reply.ok()) return reply.status();
    for (const TopicPartition& tp : partitions) {
      const auto& topics = reply->message.topics;
      auto it = std::find_if(topics.begin(), topics.end(),
                             [&](const MetadataResponse::Topic& t) { return t.name == tp.topic; });
      if (it == topics.end() || it->error_code == ErrorCode::kUnknownTopicOrPartition) {
        return MakeError(ErrorCode::kUnknownTopicOrPartition,
                         fmt::format("topic '{}' does not exist", tp.topic));
      }
      if (it->error_code != ErrorCode::kNone) {
        return MakeError(it->error_code,
                         fmt::format("topic '{}': {}", tp.topic, ErrorDescription(it->error_code)));
      }
      const auto count = static_cast<int32_t>(it->partitions.size());
      if (tp.partition.value < 0 || tp.partition.value >= count) {
        return MakeError(ErrorCode::kUnknownTopicOrPartition,
                         fmt::format("topic '{}' has {} partition(s); partition {} does not exist",
                                     tp.topic, count, tp.partition.value));
      }
    }
  }
  std::map<TopicPartition, PartitionState> next;
  for (TopicPartition& tp : partitions) {
    auto it = assignment_.find(tp);
    next.emplace(std::move(tp), it == assignment_.end() ? PartitionState{} : it->second);
  }
  assignment_ = std::move(next);
  in_flight_.reset();
  return absl::OkStatus();
}

std::vector<TopicPartition> Consumer::Impl::Assignment() const {
  std::vector<TopicPartition> out;
  out.reserve(assignment_.size());
  for (const auto& [tp, state] : assignment_) out.push_back(tp);
  return out;
}

absl::Status Consumer::Impl::Seek(const TopicPartition& tp, int64_t offset) {
  if (closed_) return Closed();
  auto it = assignment_.find(tp);
  if (it == assignment_.end()) return NotAssigned(tp);
  if (offset < 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("cannot seek {} to negative offset {}", Name(tp), offset));
  }
  it->second.position = offset;
  in_flight_.reset();
  return absl::OkStatus();
}

absl::Status Consumer::Impl::SetPaused(const std::vector<TopicPartition>& partitions,
                                       bool paused) {
  if (closed_) return Closed();
  for (const TopicPartition& tp : partitions) {
    if (!assignment_.contains(tp)) return NotAssigned(tp);
  }
  bool resumed = false;
  for (const TopicPartition& tp : partitions) {
    PartitionState& state = assignment_[tp];
    resumed |= state.paused && !paused;
    state.paused = paused;
  }
  // The fetch in flight lacks resumed partitions and may wait long for the others: ask anew.
  if (resumed) in_flight_.reset();
  return absl::OkStatus();
}

std::vector<TopicPartition> Consumer::Impl::Paused() const {
  std::vector<TopicPartition> paused;
  for (const auto& [tp, state] : assignment_) {
    if (state.paused) paused.push_back(tp);
  }
  return paused;
}

absl::Status Consumer::Impl::SeekTo(std::vector<TopicPartition> partitions, int64_t timestamp) {
  if (closed_) return Closed();
  if (partitions.empty()) partitions = Assignment();
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  for (const TopicPartition& tp : partitions) {
    if (!assignment_.contains(tp)) return NotAssigned(tp);
  }
  absl::Status status = EnsureConnected();
  if (!status.ok()) return status;
  absl::StatusOr<std::vector<int64_t>> offsets = ListOffsets(partitions, timestamp);
  if (!offsets.ok()) return offsets.status();
  for (size_t i = 0; i < partitions.size(); ++i) {
    assignment_[partitions[i]].position = (*offsets)[i];
  }
  in_flight_.reset();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Consumer::Impl::Position(const TopicPartition& tp) {
  if (closed_) return Closed();
  auto it = assignment_.find(tp);
  if (it == assignment_.end()) return NotAssigned(tp);
  if (!it->second.position) {
    absl::Status status = EnsureConnected();
    if (status.ok()) status = ResolvePositions();
    if (!status.ok()) return status;
  }
  return *it->second.position;
}

absl::Status Consumer::Impl::ResolvePositions() {
  std::vector<TopicPartition> missing;
  for (const auto& [tp, state] : assignment_) {
    if (!state.position) missing.push_back(tp);
  }
  if (missing.empty()) return absl::OkStatus();
  if (committer_) {  // The group's committed offsets come first.
    absl::StatusOr<std::vector<std::optional<int64_t>>> committed = committer_->Committed(missing);
    if (!committed.ok()) return committed.status();
    std::vector<TopicPartition> uncommitted;
    for (size_t i = 0; i < missing.size(); ++i) {
      if ((*committed)[i]) {
        assignment_[missing[i]].position = *(*committed)[i];
      } else {
        uncommitted.push_back(std::move(missing[i]));
      }
    }
    missing = std::move(uncommitted);
    if (missing.empty()) return absl::OkStatus();
  }
  if (options_.auto_offset_reset == OffsetReset::kNone) {
    return MakeError(ErrorCode::kOffsetOutOfRange,
                     fmt::format("{} has no {}position and auto_offset_reset is none; call Seek "
                                 "first",
                                 Name(missing.front()), committer_ ? "committed " : ""));
  }
  const int64_t timestamp =
      options_.auto_offset_reset == OffsetReset::kEarliest ? kEarliestTimestamp : kLatestTimestamp;
  absl::StatusOr<std::vector<int64_t>> offsets = ListOffsets(missing, timestamp);
  if (!offsets.ok()) return offsets.status();
  for (size_t i = 0; i < missing.size(); ++i) assignment_[missing[i]].position = (*offsets)[i];
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> Consumer::Impl::ListOffsets(
    const std::vector<TopicPartition>& tps, int64_t timestamp) {
  ListOffsetsRequest request;
  for (const TopicPartition& tp : tps) {
    if (request.topics.empty() || request.topics.back().name != tp.topic) {
      request.topics.push_back({tp.topic, {}});
    }
    request.topics.back().partitions.push_back({tp.partition.value, timestamp});
  }
  auto reply = connection_.Call(request, options_.request_timeout);
  if (!reply.ok()) return reply.status();
  std::vector<int64_t> offsets;
  offsets.reserve(tps.size());
  for (const TopicPartition& tp : tps) {
    const ListOffsetsResponse::Partition* found = nullptr;
    for (const auto& t : reply->message.topics) {
      if (t.name != tp.topic) continue;
      for (const auto& p : t.partitions) {
        if (p.partition == tp.partition.value) found = &p;
      }
    }
    if (found == nullptr) {
      return MakeError(ErrorCode::kUnknownServerError,
                       fmt::format("the ListOffsets response has no result for {}", Name(tp)));
    }
    if (found->error_code != ErrorCode::kNone) {
      return MakeError(found->error_code,
                       fmt::format("cannot look up an offset of {}: {}", Name(tp),
                                   ErrorDescription(found->error_code)));
    }
    offsets.push_back(found->offset);
  }
  return offsets;
}

// ---- Fetching ---------------------------------------------------------------------------------

std::map<TopicPartition, int64_t> Consumer::Impl::FetchOffsets() const {
  std::map<TopicPartition, int64_t> offsets;
  for (const auto& [tp, state] : assignment_) {
    if (state.position && !state.paused) offsets.emplace(tp, *state.position);
  }
  return offsets;
}

void Consumer::Impl::SendFetch(milliseconds max_wait) {
  const std::map<TopicPartition, int64_t> offsets = FetchOffsets();
  if (offsets.empty()) return;
  // Each fetch starts one partition further on, so that when max_bytes runs out before the
  // last partition, every partition takes its turn at the front and none starves.
  std::vector<std::pair<TopicPartition, int64_t>> order(offsets.begin(), offsets.end());
  std::rotate(order.begin(),
              order.begin() + static_cast<std::ptrdiff_t>(fetch_rotation_++ % order.size()),
              order.end());
  FetchRequest request;
  request.max_wait_ms = static_cast<int32_t>(
      std::clamp<int64_t>(max_wait.count(), 0, std::numeric_limits<int32_t>::max()));
  request.min_bytes = options_.fetch_min_bytes;
  request.max_bytes = options_.fetch_max_bytes;
  int32_t generation = -1;
  if (member_) {  // A member's fetch: fenced by its generation, woken by a rebalance.
    client::MemberIdentity identity = member_->identity();
    request.group_id = options_.group_id;
    request.member_id = std::move(identity.member_id);
    request.generation_id = generation = identity.generation;
  }
  in_flight_ = client::MakeFetchSlot(std::move(request), order,
                                     options_.max_partition_fetch_bytes, generation);
  client::SendFetch(connection_, in_flight_, options_.request_timeout, options_.fetch_max_wait);
}

std::shared_ptr<client::FetchSlot> Consumer::Impl::AdoptReadAhead(FetchSlot& answered) {
  std::shared_ptr<FetchSlot> next;
  {
    client::MutexLock lock(&answered.mu);
    next = std::move(answered.next);
  }
  if (!next) return nullptr;
  const int32_t generation = member_ ? member_->identity().generation : -1;
  if (next->generation != generation || next->offsets != FetchOffsets()) return nullptr;
  ++fetch_rotation_;  // The read-ahead took this fetch's turn in the rotation.
  return next;
}

std::optional<absl::StatusOr<client::Reply<FetchResponse>>> Consumer::Impl::Await(
    Clock::time_point deadline) {
  FetchSlot& slot = *in_flight_;
  client::MutexLock lock(&slot.mu);
  while (!slot.done && Clock::now() < deadline) slot.cv.WaitUntil(&slot.mu, deadline);
  if (!slot.done) return std::nullopt;
  return std::move(slot.result);
}

absl::Status Consumer::Impl::Consume(client::Reply<FetchResponse> reply, const FetchSlot& slot,
                                     ConsumerRecords* records, bool* retry_later) {
  *retry_later = false;
  // The reply moves to the heap first: the records' topic views point into its strings.
  auto owned = std::make_shared<const client::Reply<FetchResponse>>(std::move(reply));
  client::ConsumerRecordsBuilder builder(records);
  builder.Own(owned);
  std::vector<std::pair<PartitionState*, int64_t>> moves;  // Applied only on success.
  for (const FetchResponse::Topic& topic : owned->message.topics) {
    for (const FetchResponse::Partition& p : topic.partitions) {
      TopicPartition tp{topic.name, PartitionId(p.partition)};
      auto asked = slot.offsets.find(tp);
      auto it = assignment_.find(tp);
      // Not asked for, unassigned since, moved by a Seek since, or paused since: not ours
      // (now).
      if (asked == slot.offsets.end() || it == assignment_.end() ||
          it->second.position != asked->second || it->second.paused) {
        continue;
      }
      switch (p.error_code) {
        case ErrorCode::kNone: {
          int64_t position = asked->second;
          absl::Status status =
              builder.AppendPartition(topic.name, p.partition, p.records, &position);
          if (!status.ok()) return status;
          moves.emplace_back(&it->second, position);
          break;
        }
        case ErrorCode::kOffsetOutOfRange:
          if (options_.auto_offset_reset == OffsetReset::kNone) {
            return MakeError(
                ErrorCode::kOffsetOutOfRange,
                fmt::format("offset {} of {} is outside the log [{}, {}] and "
                            "auto_offset_reset is none; call Seek",
                            asked->second, Name(tp), p.log_start_offset, p.log_end_offset));
          }
          moves.emplace_back(&it->second, options_.auto_offset_reset == OffsetReset::kEarliest
                                              ? p.log_start_offset
                                              : p.log_end_offset);
          break;
        case ErrorCode::kUnknownTopicOrPartition:
          return MakeError(
              ErrorCode::kUnknownTopicOrPartition,
              fmt::format("{} does not exist (was topic '{}' deleted?)", Name(tp), tp.topic));
        default:
          if (IsRetriable(p.error_code)) {  // Asked again by the next fetch.
            *retry_later = true;
            break;
          }
          return MakeError(p.error_code, fmt::format("cannot fetch {}: {}", Name(tp),
                                                     ErrorDescription(p.error_code)));
      }
    }
  }
  for (auto [state, position] : moves) state->position = position;
  return absl::OkStatus();
}

bool Consumer::Impl::BackOff(const absl::Status& error, Clock::time_point deadline) {
  const auto left = deadline - Clock::now();
  if (!IsRetriable(CodeOf(error)) || left <= Clock::duration::zero()) return false;
  std::this_thread::sleep_for(std::min<Clock::duration>(left, milliseconds(50)));
  return true;
}

absl::StatusOr<ConsumerRecords> Consumer::Impl::Poll(milliseconds timeout) {
  if (closed_) return Closed();
  if (assignment_.empty() && !member_) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "no partitions are assigned; call Assign or Subscribe first");
  }
  const Clock::time_point deadline =
      Clock::now() +
      std::clamp<milliseconds>(timeout, milliseconds(0), std::chrono::hours(24 * 365));
  if (committer_) committer_->DeliverCompleted();
  if (!member_) return PollUntil(deadline);
  member_->PollStarted();
  absl::StatusOr<ConsumerRecords> records = PollUntil(deadline);
  member_->PollEnded();
  return records;
}

absl::StatusOr<ConsumerRecords> Consumer::Impl::PollUntil(Clock::time_point deadline) {
  for (;;) {
    absl::Status status = EnsureConnected();
    // Auto-commit first: a commit that finds the member expelled then makes MaintainGroup drop
    // the lost partitions before a fetch answered earlier can return their records.
    if (status.ok() && committer_) AutoCommitIfDue();
    if (status.ok() && member_) status = MaintainGroup();
    if (!status.ok()) {
      // A fenced join is tried again at once (or by the next Poll when the time is up); a
      // transient error after a short pause.
      if (client::IsGroupFenceError(CodeOf(status))) {
        if (Clock::now() < deadline) continue;
        return ConsumerRecords();
      }
      if (BackOff(status, deadline)) continue;
      return status;
    }
    if (assignment_.empty()) {  // A member without partitions: wait for the next rebalance.
      member_->WaitForRejoin(deadline);
      if (Clock::now() >= deadline) return ConsumerRecords();
      continue;
    }
    status = ResolvePositions();
    if (!status.ok()) return status;
    if (!in_flight_) {
      SendFetch(std::chrono::ceil<milliseconds>(deadline - Clock::now()));
    }
    if (!in_flight_) {  // Every partition is paused: nothing to fetch until the deadline.
      if (member_) {
        member_->WaitForRejoin(deadline);
      } else {
        std::this_thread::sleep_until(deadline);
      }
      if (Clock::now() >= deadline) return ConsumerRecords();
      continue;
    }
    std::optional<absl::StatusOr<client::Reply<FetchResponse>>> answer = Await(deadline);
    if (!answer) return ConsumerRecords();  // Nothing yet; the fetch stays in flight.
    std::shared_ptr<FetchSlot> slot = std::move(in_flight_);
    if (!answer->ok()) {
      const absl::Status& error = answer->status();
      if (member_ && client::IsGroupFenceError(CodeOf(error))) {  // Rejoin in the next round.
        member_->OnFenced(CodeOf(error), slot->generation);
        continue;
      }
      // Back off a little before asking again (reconnecting first if the connection fell).
      if (BackOff(error, deadline)) continue;
      return error;
    }
    ConsumerRecords records;
    bool retry_later = false;
    status = Consume(**std::move(answer), *slot, &records, &retry_later);
    if (!status.ok()) return status;
    in_flight_ = AdoptReadAhead(*slot);
    if (!records.empty() || Clock::now() >= deadline) {
      // One fetch ahead while the caller works.
      if (!in_flight_) SendFetch(options_.fetch_max_wait);
      return records;
    }
    if (retry_later) {  // An empty answer with a transient error: do not spin on it.
      std::this_thread::sleep_for(
          std::min<Clock::duration>(deadline - Clock::now(), milliseconds(50)));
    }
  }
}

// ---- Consumer ---------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(ConsumerOptions options) {
  absl::Status status = Validate(options);
  if (!status.ok()) return status;
  auto impl = std::make_unique<Impl>(std::move(options));
  status = impl->Connect();
  if (!status.ok()) return status;
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() { impl_->Close(); }

absl::Status Consumer::Assign(std::vector<TopicPartition> partitions) {
  return impl_->Assign(std::move(partitions));
}
std::vector<TopicPartition> Consumer::Assignment() const { return impl_->Assignment(); }
absl::Status Consumer::Seek(const TopicPartition& partition, int64_t offset) {
  return impl_->Seek(partition, offset);
}
absl::Status Consumer::SeekToBeginning(const std::vector<TopicPartition>& partitions) {
  return impl_->SeekTo(partitions, kEarliestTimestamp);
}
absl::Status Consumer::SeekToEnd(const std::vector<TopicPartition>& partitions) {
  return impl_->SeekTo(partitions, kLatestTimestamp);
}
absl::Status Consumer::SeekToTimestamp(const TopicPartition& partition, int64_t timestamp_ms) {
  if (timestamp_ms < 0) {
    return MakeError(ErrorCode::kInvalidTimestamp,
                     fmt::format("cannot seek to negative timestamp {}", timestamp_ms));
  }
  return impl_->SeekTo({partition}, timestamp_ms);
}
absl::StatusOr<int64_t> Consumer::Position(const TopicPartition& partition) {
  return impl_->Position(partition);
}
absl::StatusOr<ConsumerRecords> Consumer::Poll(std::chrono::milliseconds timeout) {
  return impl_->Poll(timeout);
}
absl::Status Consumer::Subscribe(std::vector<std::string> topics, RebalanceCallbacks callbacks) {
  return impl_->Subscribe(std::move(topics), std::move(callbacks));
}
std::string Consumer::member_id() const { return impl_->Identity().member_id; }
int32_t Consumer::generation_id() const { return impl_->Identity().generation; }
absl::Status Consumer::Commit() { return impl_->CommitPositions(); }
absl::Status Consumer::Commit(const std::vector<std::pair<TopicPartition, int64_t>>& offsets) {
  return impl_->Commit(offsets);
}
void Consumer::CommitAsync(std::function<void(absl::Status)> done) {
  impl_->CommitAsync(std::move(done));
}
absl::Status Consumer::Pause(const std::vector<TopicPartition>& partitions) {
  return impl_->SetPaused(partitions, true);
}
absl::Status Consumer::Resume(const std::vector<TopicPartition>& partitions) {
  return impl_->SetPaused(partitions, false);
}
std::vector<TopicPartition> Consumer::Paused() const { return impl_->Paused(); }
absl::StatusOr<DeadLettered> Consumer::DeadLetter(const ConsumerRecord& record,
                                                  const RecordFailure& failure) {
  return impl_->DeadLetter(record, failure);
}
absl::StatusOr<std::optional<int64_t>> Consumer::Committed(const TopicPartition& partition) {
  return impl_->Committed(partition);
}
void Consumer::Close() { impl_->Close(); }
const ConsumerOptions& Consumer::options() const { return impl_->options(); }

}  // namespace brook
