// Consumer::Impl, group side: Subscribe, joining and rebalancing, commits, Close.
#include <algorithm>

#include "client/consumer_impl.h"
#include "client/group_assignment.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {

absl::Status Consumer::Impl::CheckGroup() const {
  absl::Status status = CheckOpen();
  if (status.ok() && !committer_) {
    status = MakeError(ErrorCode::kInvalidRequest,
                       "the consumer has no group: set ConsumerOptions.group_id");
  }
  return status;
}

client::MemberIdentity Consumer::Impl::Identity() const {
  return member_ ? member_->identity() : client::MemberIdentity{};
}

absl::Status Consumer::Impl::Subscribe(std::vector<std::string> topics,
                                       RebalanceCallbacks callbacks) {
  absl::Status status = CheckGroup();
  if (!status.ok()) return status;
  if (topics.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "Subscribe needs at least one topic");
  }
  if (!member_ && !assignment_.empty()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "Subscribe cannot be used after Assign; Assign({}) first");
  }
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  subscription_ = std::move(topics);
  callbacks_ = std::move(callbacks);
  if (member_) {
    member_->RejoinSoon();
    return absl::OkStatus();
  }
  member_ = std::make_unique<client::GroupMember>(
      connection_, client::GroupMemberOptions{
                       .group_id = options_.group_id,
                       .assignor = options_.assignor,
                       .session_timeout = options_.session_timeout,
                       .heartbeat_interval = options_.heartbeat_interval,
                       .rebalance_timeout = options_.rebalance_timeout,
                       .request_timeout = options_.request_timeout,
                   });
  return absl::OkStatus();
}

// ---- Rebalancing ------------------------------------------------------------------------------

absl::Status Consumer::Impl::MaintainGroup() {
  for (;;) {
    DropIfLost();
    if (!member_->NeedsJoin()) return absl::OkStatus();
    absl::Status status = Rejoin();
    if (!status.ok()) return status;
  }
}

void Consumer::Impl::DropIfLost() {
  if (!member_->TakeLost()) return;
  std::vector<TopicPartition> lost = Assignment();
  Drop(lost);
  if (!lost.empty() && callbacks_.on_lost) callbacks_.on_lost(lost);
}

absl::Status Consumer::Impl::Rejoin() {
  in_flight_.reset();  // Fenced by the new generation anyway.
  std::vector<TopicPartition> owned = Assignment();
  if (!client::IsCooperative(options_.assignor) && !owned.empty()) {
    Revoke(owned);  // Eager: give everything up before joining.
    owned.clear();
  }
  absl::StatusOr<std::vector<TopicPartition>> assigned = member_->Join(subscription_, owned);
  if (!assigned.ok()) return assigned.status();
  // A fence reported before the join (the eager revoke's commit, a heartbeat) lost what was
  // held then, not the new assignment: settle it now, or the next DropIfLost drops the latter.
  DropIfLost();
  owned = Assignment();
  client::AssignmentDiff diff = client::Diff(owned, *assigned);
  if (!diff.revoked.empty()) {
    // The broker withheld these for another member: give them up, then rejoin at once so the
    // next generation can hand them over.
    Revoke(diff.revoked);
    member_->RejoinSoon();
  }
  for (const TopicPartition& tp : diff.added) assignment_.emplace(tp, PartitionState{});
  if (!diff.added.empty() && callbacks_.on_assigned) callbacks_.on_assigned(diff.added);
  return absl::OkStatus();
}

void Consumer::Impl::Revoke(const std::vector<TopicPartition>& partitions) {
  if (options_.enable_auto_commit) {
    (void)committer_->Commit(Identity(), PositionsOf(partitions));  // A fence triggers a rejoin.
  }
  if (callbacks_.on_revoked) callbacks_.on_revoked(partitions);
  Drop(partitions);
}

void Consumer::Impl::Drop(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) assignment_.erase(tp);
  in_flight_.reset();
}

// ---- Commits ----------------------------------------------------------------------------------

client::OffsetList Consumer::Impl::PositionsOf(const std::vector<TopicPartition>& partitions) const {
  client::OffsetList offsets;
  for (const TopicPartition& tp : partitions) {
    auto it = assignment_.find(tp);
    if (it != assignment_.end() && it->second.position) {
      offsets.emplace_back(tp, *it->second.position);
    }
  }
  return offsets;
}

void Consumer::Impl::AutoCommitIfDue() {
  if (!options_.enable_auto_commit || Clock::now() < next_auto_commit_) return;
  next_auto_commit_ = Clock::now() + options_.auto_commit_interval;
  (void)committer_->Commit(Identity(), PositionsOf(Assignment()));  // A fence triggers a rejoin.
}

absl::Status Consumer::Impl::Commit(const client::OffsetList& offsets) {
  absl::Status status = CheckGroup();
  if (status.ok()) status = EnsureConnected();
  if (!status.ok()) return status;
  committer_->DeliverCompleted();
  return committer_->Commit(Identity(), offsets);
}

absl::StatusOr<DeadLettered> Consumer::Impl::DeadLetter(const ConsumerRecord& record,
                                                        const RecordFailure& failure) {
  absl::Status status = CheckGroup();
  if (status.ok()) status = EnsureConnected();
  if (!status.ok()) return status;
  DeadLetterRequest request;
  request.topic = std::string(record.topic);
  request.partition = record.partition;
  request.offset = record.offset;
  request.reason = failure.reason;
  request.attempts = failure.attempts;
  request.first_failure_ms = failure.first_failure_ms;
  request.last_failure_ms = failure.last_failure_ms;
  absl::StatusOr<DeadLetterResponse> response =
      committer_->DeadLetter(Identity(), std::move(request));
  if (!response.ok()) return response.status();
  return DeadLettered{{response->dlq_topic, PartitionId(response->dlq_partition)},
                      response->dlq_offset,
                      response->duplicate};
}

absl::Status Consumer::Impl::CommitPositions() { return Commit(PositionsOf(Assignment())); }

void Consumer::Impl::CommitAsync(std::function<void(absl::Status)> done) {
  absl::Status status = CheckGroup();
  if (!status.ok()) {
    if (done) done(status);
    return;
  }
  committer_->CommitAsync(Identity(), PositionsOf(Assignment()), std::move(done));
}

absl::StatusOr<std::optional<int64_t>> Consumer::Impl::Committed(const TopicPartition& tp) {
  absl::Status status = CheckGroup();
  if (status.ok()) status = EnsureConnected();
  if (!status.ok()) return status;
  auto committed = committer_->Committed({tp});
  if (!committed.ok()) return committed.status();
  return committed->front();
}

// ---- Close ------------------------------------------------------------------------------------

void Consumer::Impl::Close() {
  if (closed_) return;
  if (member_) {
    DropIfLost();
    std::vector<TopicPartition> owned = Assignment();
    if (!owned.empty()) Revoke(owned);
    member_->Leave();
  } else if (committer_ && options_.enable_auto_commit) {
    (void)committer_->Commit(Identity(), PositionsOf(Assignment()));
  }
  closed_ = true;
  in_flight_.reset();
  if (committer_) committer_->AwaitPending(Clock::now() + options_.request_timeout);
  connection_.Close();  // Runs every callback still queued; none runs after.
  member_.reset();      // Stops the heartbeat thread.
  if (committer_) committer_->DeliverCompleted();
}

}  // namespace brook
