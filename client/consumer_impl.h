// client/consumer_impl.h: Consumer::Impl, the state behind brook::Consumer (internal header).
//
// Split over two files by concern: consumer.cc has the assignment, positions and fetching;
// consumer_group.cc has the group side (Subscribe, joining and rebalancing, commits, Close).
// Thread-safety and lifecycle: those of Consumer (one application thread at a time); the
// GroupMember's heartbeat thread and the connection's I/O thread touch only their own,
// synchronized state.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/connection.h"
#include "client/consumer.h"
#include "client/fetch_slot.h"
#include "client/group_member.h"
#include "client/offset_committer.h"
#include "client/sync.h"

namespace brook {

class Consumer::Impl {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Impl(ConsumerOptions options);

  absl::Status Connect() { return connection_.Connect(); }
  const ConsumerOptions& options() const { return options_; }

  absl::Status Subscribe(std::vector<std::string> topics, RebalanceCallbacks callbacks);
  absl::Status Assign(std::vector<TopicPartition> partitions);
  std::vector<TopicPartition> Assignment() const;
  client::MemberIdentity Identity() const;
  absl::Status Seek(const TopicPartition& tp, int64_t offset);
  absl::Status SeekTo(std::vector<TopicPartition> partitions, int64_t timestamp);
  absl::StatusOr<int64_t> Position(const TopicPartition& tp);
  absl::Status SetPaused(const std::vector<TopicPartition>& partitions, bool paused);
  std::vector<TopicPartition> Paused() const;
  absl::StatusOr<DeadLettered> DeadLetter(const ConsumerRecord& record,
                                          const RecordFailure& failure);
  absl::StatusOr<ConsumerRecords> Poll(std::chrono::milliseconds timeout);
  absl::Status Commit(const client::OffsetList& offsets);
  absl::Status CommitPositions();
  void CommitAsync(std::function<void(absl::Status)> done);
  absl::StatusOr<std::optional<int64_t>> Committed(const TopicPartition& tp);
  void Close();

 private:
  struct PartitionState {
    std::optional<int64_t> position;
    bool paused = false;
  };
  using FetchSlot = client::FetchSlot;

  // ---- consumer.cc: positions and fetching ----
  absl::Status EnsureConnected();
  // Gives every assigned partition without a position one: the group's committed offset
  // (with a group_id), else per auto_offset_reset.
  absl::Status ResolvePositions();
  // One ListOffsets request; returns an offset per partition, in order.
  absl::StatusOr<std::vector<int64_t>> ListOffsets(const std::vector<TopicPartition>& tps,
                                                   int64_t timestamp);
  // Poll's loop, between the group's PollStarted and PollEnded.
  absl::StatusOr<ConsumerRecords> PollUntil(Clock::time_point deadline);
  // For a retriable `error` with time left before `deadline`: sleeps a little, returns true.
  static bool BackOff(const absl::Status& error, Clock::time_point deadline);
  void SendFetch(std::chrono::milliseconds max_wait);
  // The offsets a fetch would ask for now: every assigned, unpaused partition's position.
  std::map<TopicPartition, int64_t> FetchOffsets() const;
  // The fetch read ahead after `answered` (fetch_slot.h), if it asks for what a fetch sent
  // now would; else null (and the read-ahead is dropped).
  std::shared_ptr<FetchSlot> AdoptReadAhead(FetchSlot& answered);
  // Waits for the fetch in flight until `deadline`; nullopt if it has not answered by then.
  std::optional<absl::StatusOr<client::Reply<FetchResponse>>> Await(Clock::time_point deadline);
  // Turns an answer into records and moves the positions; on error nothing moves. Sets
  // *retry_later when a partition had a retriable error (it is asked again next time).
  absl::Status Consume(client::Reply<FetchResponse> reply, const FetchSlot& slot,
                       ConsumerRecords* records, bool* retry_later);
  absl::Status CheckOpen() const;
  absl::Status CheckGroup() const;

  // ---- consumer_group.cc: membership ----
  // Before fetching: handles lost partitions, rejoins when needed, auto-commits when due.
  absl::Status MaintainGroup();
  // When the member lost its partitions: drops them and runs on_lost.
  void DropIfLost();
  // Joins (again) and applies the new assignment: revokes what is gone, adds what is new.
  absl::Status Rejoin();
  // Commits `partitions` (auto-commit), runs on_revoked, and drops them.
  void Revoke(const std::vector<TopicPartition>& partitions);
  // Drops partitions from the assignment, and the fetch in flight.
  void Drop(const std::vector<TopicPartition>& partitions);
  // The positions of `partitions` that have one.
  client::OffsetList PositionsOf(const std::vector<TopicPartition>& partitions) const;
  void AutoCommitIfDue();

  const ConsumerOptions options_;
  client::Connection connection_;
  std::map<TopicPartition, PartitionState> assignment_;
  std::shared_ptr<FetchSlot> in_flight_;  // Dropping it abandons the fetch.
  size_t fetch_rotation_ = 0;  // Which partition goes first in the next fetch.
  bool closed_ = false;

  // Groups. committer_ exists with a group_id; member_ from the first Subscribe.
  std::vector<std::string> subscription_;
  RebalanceCallbacks callbacks_;
  std::unique_ptr<client::GroupMember> member_;
  std::unique_ptr<client::OffsetCommitter> committer_;
  Clock::time_point next_auto_commit_;
};

}  // namespace brook
