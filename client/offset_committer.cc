#include "client/offset_committer.h"

#include <deque>

#include "client/connection.h"
#include "client/group_assignment.h"
#include "client/sync.h"
#include "fmt/format.h"

namespace brook::client {
namespace {

using Clock = std::chrono::steady_clock;

// Reports a request-level fence error to `on_fenced`.
template <class Response>
void ReportFence(const absl::StatusOr<Reply<Response>>& reply, int32_t generation,
                 const OffsetCommitter::FenceHook& on_fenced) {
  if (!reply.ok() && on_fenced && IsGroupFenceError(CodeOf(reply.status()))) {
    on_fenced(CodeOf(reply.status()), generation);
  }
}

// The outcome of an OffsetCommit answer; reports a fence to `on_fenced`.
absl::Status Outcome(const absl::StatusOr<Reply<OffsetCommitResponse>>& reply,
                     int32_t generation, const OffsetCommitter::FenceHook& on_fenced) {
  ReportFence(reply, generation, on_fenced);
  if (!reply.ok()) return reply.status();
  return CommitOutcome(reply->message);
}

}  // namespace

OffsetCommitRequest MakeCommitRequest(const std::string& group_id, const MemberIdentity& member,
                                      const OffsetList& offsets) {
  OffsetCommitRequest request;
  request.group_id = group_id;
  request.generation_id = member.generation;
  request.member_id = member.member_id;
  for (const auto& [tp, offset] : offsets) {
    const std::string& name = tp.topic;  // A lambda may not capture a binding (clang 14).
    auto topic = std::find_if(request.topics.begin(), request.topics.end(),
                              [&](const OffsetCommitRequest::Topic& t) { return t.name == name; });
    if (topic == request.topics.end()) {
      request.topics.push_back({tp.topic, {}});
      topic = request.topics.end() - 1;
    }
    topic->partitions.push_back({tp.partition.value, offset, std::nullopt});
  }
  return request;
}

absl::Status CommitOutcome(const OffsetCommitResponse& response) {
  for (const auto& topic : response.topics) {
    for (const auto& p : topic.partitions) {
      if (p.error_code == ErrorCode::kNone) continue;
      return MakeError(p.error_code, fmt::format("cannot commit the offset of {}-{}: {}",
                                                 topic.name, p.partition,
                                                 ErrorDescription(p.error_code)));
    }
  }
  return absl::OkStatus();
}

OffsetFetchRequest MakeOffsetFetchRequest(const std::string& group_id,
                                          const std::vector<TopicPartition>& partitions) {
  OffsetFetchRequest request;
  request.group_id = group_id;
  request.topics = ToWire(partitions);
  return request;
}

absl::StatusOr<std::vector<std::optional<int64_t>>> CommittedOffsets(
    const OffsetFetchResponse& response, const std::vector<TopicPartition>& partitions) {
  std::vector<std::optional<int64_t>> out;
  out.reserve(partitions.size());
  for (const TopicPartition& tp : partitions) {
    const OffsetFetchResponse::Partition* found = nullptr;
    for (const auto& topic : response.topics) {
      if (topic.name != tp.topic) continue;
      for (const auto& p : topic.partitions) {
        if (p.partition == tp.partition.value) found = &p;
      }
    }
    if (found == nullptr) {
      return MakeError(ErrorCode::kUnknownServerError,
                       fmt::format("the OffsetFetch response has no result for {}-{}", tp.topic,
                                   tp.partition.value));
    }
    if (found->error_code != ErrorCode::kNone) {
      return MakeError(found->error_code,
                       fmt::format("cannot read the committed offset of {}-{}: {}", tp.topic,
                                   tp.partition.value, ErrorDescription(found->error_code)));
    }
    out.push_back(found->committed_offset < 0 ? std::nullopt
                                              : std::optional<int64_t>(found->committed_offset));
  }
  return out;
}

// ---- OffsetCommitter --------------------------------------------------------------------------

struct OffsetCommitter::Pending {
  Mutex mu;
  CondVar cv;  // Signalled when an async commit is answered.
  int outstanding ABSL_GUARDED_BY(mu) = 0;
  std::deque<std::pair<std::function<void(absl::Status)>, absl::Status>> answered
      ABSL_GUARDED_BY(mu);
};

OffsetCommitter::OffsetCommitter(Connection& connection, std::string group_id,
                                 std::chrono::milliseconds request_timeout, FenceHook on_fenced)
    : connection_(connection),
      group_id_(std::move(group_id)),
      request_timeout_(request_timeout),
      on_fenced_(std::move(on_fenced)),
      pending_(std::make_shared<Pending>()) {}

absl::Status OffsetCommitter::Commit(const MemberIdentity& member, const OffsetList& offsets) {
  if (offsets.empty()) return absl::OkStatus();
  return Outcome(connection_.Call(MakeCommitRequest(group_id_, member, offsets), request_timeout_),
                 member.generation, on_fenced_);
}

absl::StatusOr<DeadLetterResponse> OffsetCommitter::DeadLetter(const MemberIdentity& member,
                                                               DeadLetterRequest request) {
  request.group_id = group_id_;
  request.member_id = member.member_id;
  request.generation_id = member.generation;
  absl::StatusOr<Reply<DeadLetterResponse>> reply = connection_.Call(request, request_timeout_);
  ReportFence(reply, member.generation, on_fenced_);
  if (!reply.ok()) return reply.status();
  return std::move(reply->message);
}

void OffsetCommitter::CommitAsync(const MemberIdentity& member, const OffsetList& offsets,
                                  std::function<void(absl::Status)> done) {
  {
    MutexLock lock(&pending_->mu);
    if (offsets.empty()) {  // Nothing to send: answered at once.
      pending_->answered.emplace_back(std::move(done), absl::OkStatus());
      return;
    }
    ++pending_->outstanding;
  }
  connection_.CallAsync(
      MakeCommitRequest(group_id_, member, offsets), request_timeout_,
      [pending = pending_, on_fenced = on_fenced_, generation = member.generation,
       done = std::move(done)](absl::StatusOr<Reply<OffsetCommitResponse>> reply) mutable {
        absl::Status status = Outcome(reply, generation, on_fenced);
        MutexLock lock(&pending->mu);
        --pending->outstanding;
        pending->answered.emplace_back(std::move(done), std::move(status));
        pending->cv.SignalAll();
      });
}

void OffsetCommitter::DeliverCompleted() {
  for (;;) {
    std::pair<std::function<void(absl::Status)>, absl::Status> next;
    {
      MutexLock lock(&pending_->mu);
      if (pending_->answered.empty()) return;
      next = std::move(pending_->answered.front());
      pending_->answered.pop_front();
    }
    if (next.first) next.first(std::move(next.second));
  }
}

void OffsetCommitter::AwaitPending(Clock::time_point deadline) {
  MutexLock lock(&pending_->mu);
  while (pending_->outstanding > 0 && Clock::now() < deadline) {
    pending_->cv.WaitUntil(&pending_->mu, deadline);
  }
}

absl::StatusOr<std::vector<std::optional<int64_t>>> OffsetCommitter::Committed(
    const std::vector<TopicPartition>& partitions) {
  if (partitions.empty()) return std::vector<std::optional<int64_t>>();
  auto reply =
      connection_.Call(MakeOffsetFetchRequest(group_id_, partitions), request_timeout_);
  if (!reply.ok()) return reply.status();
  return CommittedOffsets(reply->message, partitions);
}

}  // namespace brook::client
