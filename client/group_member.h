// client/group_member.h: one consumer's membership in a consumer group (docs/protocol.md §6.8):
// its member id and generation, JoinGroup / LeaveGroup, and a heartbeat thread.
//
// Operation: the consumer calls Join() (blocking: the broker answers when the rebalance
// completes) whenever NeedsJoin() says so, and gets its assignment for the new generation.
// Between joins a background thread sends a Heartbeat every heartbeat_interval, so the session
// lives while the application processes records slowly. Answers that say the member must
// rejoin — from heartbeats, or reported by the consumer from fetches and commits through
// OnFenced() — set a flag that NeedsJoin() returns:
//   REBALANCE_IN_PROGRESS   rejoin, keeping the member id and (cooperative) the partitions;
//   ILLEGAL_GENERATION      rejoin; the partitions are lost (TakeLost());
//   UNKNOWN_MEMBER_ID       rejoin with an empty member id; the partitions are lost.
// Answers about an older generation than the current one are ignored (they are stale).
// Max poll interval: when the application has not called Poll (PollStarted/PollEnded) for
// longer than rebalance_timeout, the heartbeat thread sends LeaveGroup and marks the partitions
// lost, as Kafka's max.poll.interval.ms does; the next Poll rejoins.
//
// identity() keeps the last member id and generation even after the member left or was
// expelled, so a commit from a zombie is sent with them and fenced by the broker.
//
// Thread-safety: every method is thread-safe; Join and Leave are meant for the application
// thread. Lifecycle: the heartbeat thread starts with the constructor and stops (joined) in
// the destructor. `connection` must outlive the GroupMember; once it is closed, heartbeats
// fail at once and change nothing.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/error_codes.h"
#include "protocol/types.h"

namespace brook::client {

class Connection;

struct GroupMemberOptions {
  std::string group_id;
  std::string assignor;
  std::chrono::milliseconds session_timeout{10000};
  std::chrono::milliseconds heartbeat_interval{3000};
  std::chrono::milliseconds rebalance_timeout{30000};  // Also the max time between Polls.
  std::chrono::milliseconds request_timeout{30000};    // Heartbeat, LeaveGroup; JoinGroup
                                                       // waits rebalance_timeout + this.
};

// The member's identity within its group; generation -1 before the first join.
struct MemberIdentity {
  std::string member_id;
  int32_t generation = -1;
};

// True for the request-level errors that fence a member: REBALANCE_IN_PROGRESS,
// ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID.
bool IsGroupFenceError(ErrorCode code);

class GroupMember {
 public:
  GroupMember(Connection& connection, GroupMemberOptions options);
  ~GroupMember();
  GroupMember(const GroupMember&) = delete;
  GroupMember& operator=(const GroupMember&) = delete;

  // Sends JoinGroup for `topics` with the partitions still `owned` (cooperative) and waits for
  // the rebalance to complete. Returns this member's sorted assignment for the new generation.
  // Errors: the broker's (INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, INCONSISTENT_GROUP_PROTOCOL,
  // INVALID_REQUEST; UNKNOWN_MEMBER_ID — the member id is reset and the partitions are lost,
  // join again; REBALANCE_IN_PROGRESS — join again); request errors (NETWORK_EXCEPTION,
  // REQUEST_TIMED_OUT). NeedsJoin() stays true after an error.
  absl::StatusOr<std::vector<TopicPartition>> Join(const std::vector<std::string>& topics,
                                                   const std::vector<TopicPartition>& owned);
  // Sends LeaveGroup (when joined) and waits for the answer; errors are ignored (the session
  // expires anyway). Afterwards NeedsJoin() is true and the next Join starts as a new member.
  void Leave();

  // True before the first Join, after a failed one, and after a fence or a rejoin request.
  bool NeedsJoin() const;
  // Makes NeedsJoin() true (a cooperative member that gave partitions up rejoins at once).
  void RejoinSoon();
  // Reports a fence error of a request sent with `generation` (see the top comment); other
  // codes, and stale generations, are ignored.
  void OnFenced(ErrorCode code, int32_t generation);
  // True (once) when the member lost its partitions since the last call: expelled, a stale
  // generation, or left for exceeding the poll interval. The consumer drops them (on_lost).
  bool TakeLost();
  // Blocks until NeedsJoin() is true or `deadline` passes.
  void WaitForRejoin(std::chrono::steady_clock::time_point deadline) const;

  MemberIdentity identity() const;

  // The application is in Poll between these calls; the poll interval runs from PollEnded.
  void PollStarted();
  void PollEnded();

 private:
  struct State;
  void HeartbeatLoop();
  void Tick();

  Connection& connection_;
  const GroupMemberOptions options_;
  std::shared_ptr<State> state_;  // Shared with callbacks on the I/O thread.
  std::thread heartbeat_thread_;
};

}  // namespace brook::client
