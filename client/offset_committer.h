// client/offset_committer.h: a consumer's committed offsets in its group: OffsetCommit (blocking
// and asynchronous) and OffsetFetch (docs/protocol.md §6.8), and the pure helpers that build
// those requests and read their answers.
//
// Commits carry the member's identity (member id + generation), so the broker fences commits
// of members that are no longer in the group; a consumer that is not a member (manual
// assignment with a group id) commits with an empty member id and generation -1, which the
// broker accepts only while the group has no members. A request-level fence error
// (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS) is also passed to the
// `on_fenced` hook with the generation the commit was sent with.
//
// Thread-safety: Commit, CommitAsync and Committed may be called from any thread; the `done`
// callbacks of CommitAsync run only inside DeliverCompleted, on the thread that calls it.
// Lifecycle: the connection must outlive the committer; `on_fenced` (copied into each async
// commit) must stay callable until the connection is closed (answers arrive on its I/O thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/group_member.h"
#include "protocol/messages.h"
#include "protocol/types.h"

namespace brook::client {

class Connection;

using OffsetList = std::vector<std::pair<TopicPartition, int64_t>>;

// The OffsetCommit of `offsets` (grouped by topic) for `member` of `group_id`.
OffsetCommitRequest MakeCommitRequest(const std::string& group_id, const MemberIdentity& member,
                                      const OffsetList& offsets);
// OK when every partition was stored; otherwise the first partition's error, naming it.
absl::Status CommitOutcome(const OffsetCommitResponse& response);
// The OffsetFetch of `partitions` of `group_id`.
OffsetFetchRequest MakeOffsetFetchRequest(const std::string& group_id,
                                          const std::vector<TopicPartition>& partitions);
// The committed offset of each of `partitions`, in order (nullopt: no commit). Errors: a
// partition's error code; UNKNOWN_SERVER_ERROR when the response lacks a partition.
absl::StatusOr<std::vector<std::optional<int64_t>>> CommittedOffsets(
    const OffsetFetchResponse& response, const std::vector<TopicPartition>& partitions);

class OffsetCommitter {
 public:
  using FenceHook = std::function<void(ErrorCode code, int32_t generation)>;

  OffsetCommitter(Connection& connection, std::string group_id,
                  std::chrono::milliseconds request_timeout, FenceHook on_fenced);

  // Commits `offsets` and waits for the answer. OK for an empty list (nothing is sent).
  // Errors: request-level (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, NON_EMPTY_GROUP,
  // INVALID_GROUP_ID, STORAGE_ERROR, NETWORK_EXCEPTION, REQUEST_TIMED_OUT) or the first
  // per-partition error (UNKNOWN_TOPIC_OR_PARTITION, ...).
  absl::Status Commit(const MemberIdentity& member, const OffsetList& offsets);
  // As Commit without waiting; `done` (may be empty) gets the outcome inside a later
  // DeliverCompleted.
  void CommitAsync(const MemberIdentity& member, const OffsetList& offsets,
                   std::function<void(absl::Status)> done);
  // Runs the `done` callbacks of the async commits answered so far, in answer order.
  void DeliverCompleted();
  // Waits until every async commit is answered, or `deadline`.
  void AwaitPending(std::chrono::steady_clock::time_point deadline);

  // Sends `request` (a DeadLetter: an atomic dead-letter copy and commit) as `member` and waits.
  // Errors: request-level ones (fence errors are passed to on_fenced, as for commits).
  absl::StatusOr<DeadLetterResponse> DeadLetter(const MemberIdentity& member,
                                                DeadLetterRequest request);

  // The group's committed offsets of `partitions` (OffsetFetch); see CommittedOffsets.
  // Errors: also INVALID_GROUP_ID, STORAGE_ERROR and request errors.
  absl::StatusOr<std::vector<std::optional<int64_t>>> Committed(
      const std::vector<TopicPartition>& partitions);

 private:
  struct Pending;

  Connection& connection_;
  const std::string group_id_;
  const std::chrono::milliseconds request_timeout_;
  const FenceHook on_fenced_;
  std::shared_ptr<Pending> pending_;  // Shared with answers on the I/O thread.
};

}  // namespace brook::client
