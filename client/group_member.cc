#include "client/group_member.h"

#include "client/connection.h"
#include "client/group_assignment.h"
#include "client/sync.h"
#include "protocol/messages.h"

namespace brook::client {
namespace {

using Clock = std::chrono::steady_clock;

int32_t Millis(std::chrono::milliseconds d) {
  return static_cast<int32_t>(std::clamp<int64_t>(d.count(), 0, INT32_MAX));
}

}  // namespace

bool IsGroupFenceError(ErrorCode code) {
  return code == ErrorCode::kRebalanceInProgress || code == ErrorCode::kIllegalGeneration ||
         code == ErrorCode::kUnknownMemberId;
}

struct GroupMember::State {
  mutable Mutex mu;
  mutable CondVar cv;  // Signalled when needs_join turns true or on shutdown.
  MemberIdentity identity ABSL_GUARDED_BY(mu);
  bool joined ABSL_GUARDED_BY(mu) = false;      // Holds an assignment of identity.generation.
  bool needs_join ABSL_GUARDED_BY(mu) = true;
  bool reset_member ABSL_GUARDED_BY(mu) = false;  // Join next with an empty member id.
  bool lost ABSL_GUARDED_BY(mu) = false;
  bool in_poll ABSL_GUARDED_BY(mu) = false;
  Clock::time_point last_poll ABSL_GUARDED_BY(mu) = Clock::now();
  bool stopping ABSL_GUARDED_BY(mu) = false;

  // Applies a fence error about `generation`. REQUIRES: mu held.
  void Fence(ErrorCode code, int32_t generation) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (!joined || generation != identity.generation || !IsGroupFenceError(code)) return;
    needs_join = true;
    if (code != ErrorCode::kRebalanceInProgress) {
      joined = false;
      lost = true;
      reset_member = reset_member || code == ErrorCode::kUnknownMemberId;
    }
    cv.SignalAll();
  }
};

GroupMember::GroupMember(Connection& connection, GroupMemberOptions options)
    : connection_(connection), options_(std::move(options)), state_(std::make_shared<State>()) {
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
}

GroupMember::~GroupMember() {
  {
    MutexLock lock(&state_->mu);
    state_->stopping = true;
    state_->cv.SignalAll();
  }
  heartbeat_thread_.join();
}

absl::StatusOr<std::vector<TopicPartition>> GroupMember::Join(
    const std::vector<std::string>& topics, const std::vector<TopicPartition>& owned) {
  JoinGroupRequest request;
  request.group_id = options_.group_id;
  request.session_timeout_ms = Millis(options_.session_timeout);
  request.rebalance_timeout_ms = Millis(options_.rebalance_timeout);
  request.topics = topics;
  request.assignor = options_.assignor;
  request.owned = ToWire(owned);
  {
    MutexLock lock(&state_->mu);
    if (state_->reset_member) state_->identity.member_id.clear();
    state_->reset_member = false;
    state_->joined = false;  // Heartbeats pause while the join is in progress.
    request.member_id = state_->identity.member_id;
  }
  auto reply =
      connection_.Call(request, options_.rebalance_timeout + options_.request_timeout);
  MutexLock lock(&state_->mu);
  state_->needs_join = true;
  if (!reply.ok()) {
    if (CodeOf(reply.status()) == ErrorCode::kUnknownMemberId) {
      state_->reset_member = true;
      state_->lost = true;
    }
    return reply.status();
  }
  state_->identity = {reply->message.member_id, reply->message.generation_id};
  state_->joined = true;
  state_->needs_join = false;
  state_->last_poll = Clock::now();
  return FromWire(reply->message.assignment);
}

void GroupMember::Leave() {
  LeaveGroupRequest request;
  {
    MutexLock lock(&state_->mu);
    // Known to the broker unless it never joined or was removed already.
    const bool was_member = !state_->identity.member_id.empty() && !state_->reset_member;
    state_->joined = false;
    state_->needs_join = true;
    state_->reset_member = true;
    if (!was_member) return;
    request = {options_.group_id, state_->identity.member_id};
  }
  (void)connection_.Call(request, options_.request_timeout);
}

bool GroupMember::NeedsJoin() const {
  MutexLock lock(&state_->mu);
  return state_->needs_join;
}

void GroupMember::RejoinSoon() {
  MutexLock lock(&state_->mu);
  state_->needs_join = true;
  state_->cv.SignalAll();
}

void GroupMember::OnFenced(ErrorCode code, int32_t generation) {
  MutexLock lock(&state_->mu);
  state_->Fence(code, generation);
}

bool GroupMember::TakeLost() {
  MutexLock lock(&state_->mu);
  const bool lost = state_->lost;
  state_->lost = false;
  return lost;
}

void GroupMember::WaitForRejoin(Clock::time_point deadline) const {
  MutexLock lock(&state_->mu);
  while (!state_->needs_join && !state_->stopping && Clock::now() < deadline) {
    state_->cv.WaitUntil(&state_->mu, deadline);
  }
}

MemberIdentity GroupMember::identity() const {
  MutexLock lock(&state_->mu);
  return state_->identity;
}

void GroupMember::PollStarted() {
  MutexLock lock(&state_->mu);
  state_->in_poll = true;
}

void GroupMember::PollEnded() {
  MutexLock lock(&state_->mu);
  state_->in_poll = false;
  state_->last_poll = Clock::now();
}

// ---- Heartbeat thread -------------------------------------------------------------------------

void GroupMember::HeartbeatLoop() {
  for (;;) {
    {
      MutexLock lock(&state_->mu);
      const Clock::time_point wake = Clock::now() + options_.heartbeat_interval;
      while (!state_->stopping && Clock::now() < wake) state_->cv.WaitUntil(&state_->mu, wake);
      if (state_->stopping) return;
    }
    Tick();
  }
}

void GroupMember::Tick() {
  HeartbeatRequest heartbeat;
  {
    MutexLock lock(&state_->mu);
    if (!state_->joined) return;
    heartbeat = {options_.group_id, state_->identity.member_id, state_->identity.generation};
    if (!state_->in_poll && Clock::now() - state_->last_poll > options_.rebalance_timeout) {
      // The application stopped polling: leave so the others get the partitions.
      state_->joined = false;
      state_->needs_join = true;
      state_->reset_member = true;
      state_->lost = true;
      state_->cv.SignalAll();
      connection_.CallAsync(LeaveGroupRequest{options_.group_id, heartbeat.member_id},
                            options_.request_timeout,
                            [](absl::StatusOr<Reply<LeaveGroupResponse>>) {});
      return;
    }
  }
  connection_.CallAsync(heartbeat, options_.request_timeout,
                        [state = state_, generation = heartbeat.generation_id](
                            absl::StatusOr<Reply<HeartbeatResponse>> reply) {
                          if (reply.ok()) return;
                          MutexLock lock(&state->mu);
                          state->Fence(CodeOf(reply.status()), generation);
                        });
}

}  // namespace brook::client
