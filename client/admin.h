// client/admin.h: brook::Admin, which manages topics and consumer groups and inspects a broker.
//
//   auto admin = brook::Admin::Create({.bootstrap = "127.0.0.1:9292"});
//   absl::Status s = (*admin)->CreateTopic({.name = "orders", .partitions = 3,
//                                           .configs = {{"retention.ms", "86400000"}}});
//   // s: OK, or TOPIC_ALREADY_EXISTS "topic 'orders' already exists", ...
//
// Retention and compaction (docs/topics.md):
//
//   s = (*admin)->AlterTopicConfigs("orders", {{"cleanup.policy", "compact"}}, {"retention.ms"});
//   auto stats = (*admin)->CompactTopic("orders");  // waits; per partition: bytes, records
//
// Partitions and records (docs/protocol.md, CreatePartitions and DeleteRecords):
//
//   s = (*admin)->CreatePartitions("orders", 6);   // 6 partitions in all; never fewer
//   auto low = (*admin)->DeleteRecords({"orders", brook::PartitionId(0)}, 1000);
//   // low: the partition's new log start (1000); records below it are gone.
//
// Consumer groups (docs/consumer-groups.md):
//
//   auto group = (*admin)->DescribeGroup("billing");  // state, members, offsets and lag
//   auto plan = (*admin)->ResetGroupOffsets("billing", "orders",
//                                           brook::OffsetResetSpec::ToEarliest(), false);
//   // plan: per partition {partition, old committed offset, new offset}; or NON_EMPTY_GROUP
//   // while the group has live members.
//
// Tests (docs/testing.md): a fresh broker between tests, and time that passes on cue:
//
//   (*admin)->ResetBroker();                         // every topic, group, offset... gone
//   (*admin)->SetClockMode(brook::ClockMode::kManual);
//   (*admin)->AdvanceClock(std::chrono::days(8));    // retention.ms=7d: the records are gone
//
// Every method is one request (ResetGroupOffsets: a few) on the Admin's connection
// (reconnected on demand when it has dropped) and returns the broker's outcome: errors carry
// the broker's ErrorCode and message.
// Request-level failures: NETWORK_EXCEPTION (cannot reach the broker), REQUEST_TIMED_OUT.
//
// Thread-safety: every method may be called from any thread, concurrently.
// Lifecycle: Create connects (and fails if it cannot); Close (also run by the destructor)
// closes the connection; later calls fail with NETWORK_EXCEPTION.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/offset_reset.h"
#include "protocol/messages.h"
#include "protocol/faults.h"
#include "protocol/types.h"

namespace brook {

struct AdminOptions {
  std::string bootstrap = "127.0.0.1:9292";          // The broker, host:port.
  std::string client_id = "brook-admin";             // Shown in the broker's logs.
  std::chrono::milliseconds request_timeout{30000};  // Per request; connect uses min(this, 10 s).
  // CompactTopic's timeout (it answers when the compaction is done, which takes as long as
  // reading and rewriting the dirty log at the broker's compaction rate): 1 hour, and never
  // less than request_timeout.
  std::chrono::milliseconds compact_timeout{std::chrono::hours(1)};
};

struct NewTopic {
  std::string name{};
  int32_t partitions = 1;
  std::map<std::string, std::string> configs{};  // Topic configs, e.g. retention.ms.
};

struct PartitionDescription {
  int32_t partition = 0;
  int64_t log_start_offset = 0;  // The first offset still in the partition.
  int64_t log_end_offset = 0;    // The offset the next record will get.
};

struct TopicDescription {
  std::string name;
  std::vector<PartitionDescription> partitions;  // By partition number.
  std::map<std::string, std::string> configs;
};

struct OffsetAndTimestamp {
  int64_t offset = -1;
  int64_t timestamp_ms = -1;  // The found record's timestamp; -1 for earliest/latest/none.
};

// What CompactTopic did to one partition (docs/protocol.md, CompactTopic).
struct PartitionCompactionStats {
  int32_t partition = 0;
  int64_t bytes_read = 0;          // Bytes of log examined.
  int64_t bytes_written = 0;       // Bytes of rewritten batches.
  int64_t records_removed = 0;     // Superseded records and expired tombstones.
  int64_t tombstones_removed = 0;  // The expired tombstones among them.
  int64_t cleaned_up_to = 0;       // Offsets below it are compacted.
  int64_t duration_ms = 0;         // Time the broker took, including waiting for a
                                   // background compaction of the partition to finish.
};

// What ResetBroker dropped.
struct BrokerResetSummary {
  int32_t topics_deleted = 0;
  int32_t groups_deleted = 0;  // Groups with members or committed offsets.
};

// The broker's clock (docs/testing.md, "Making time pass").
struct BrokerClockState {
  ClockMode mode = ClockMode::kSystem;
  int64_t now_ms = 0;  // The broker's time, ms since the epoch.
};

struct ApiVersionRange {
  int16_t api_key = 0;
  int16_t min_version = 0;
  int16_t max_version = 0;
};

struct BrokerVersions {
  std::string broker_version;
  std::vector<ApiVersionRange> apis;
};

// ---- Consumer groups ----------------------------------------------------------------------
struct GroupListing {
  std::string group_id;
  std::string state;    // "Empty", "PreparingRebalance" or "Stable".
  int32_t members = 0;  // Live members.
};

struct GroupMemberDescription {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::string> topics;         // The member's subscription.
  std::vector<TopicPartition> assignment;  // Sorted; empty while it has none.
};

struct GroupPartitionOffset {
  TopicPartition partition;
  int64_t committed_offset = -1;  // -1: no commit.
  int64_t log_end_offset = -1;    // -1: the partition no longer exists.
  int64_t lag = -1;               // log_end_offset - committed_offset; -1 if either is -1.
  std::optional<std::string> metadata;
};

struct GroupDescription {
  std::string group_id;
  std::string state;
  std::string assignor;       // Empty while the group is Empty.
  int32_t generation_id = -1;  // The last completed generation; -1 if none since broker start.
  std::vector<GroupMemberDescription> members;
  // Every partition the group has a commit for or has assigned, by topic then partition.
  std::vector<GroupPartitionOffset> offsets;
};

struct CommittedOffset {
  TopicPartition partition;
  int64_t offset = -1;
  std::optional<std::string> metadata;
};

// What DeleteGroupOffsets did with one partition.
struct OffsetDeletion {
  TopicPartition partition;
  // OK (deleted, or there was no commit), or GROUP_SUBSCRIBED_TO_TOPIC (a live member consumes
  // the topic), UNKNOWN_TOPIC_OR_PARTITION; with the broker's message.
  absl::Status status;
};

// One partition of a reset: where the group was and where it goes.
struct OffsetResetChange {
  int32_t partition = 0;
  int64_t current_offset = -1;  // -1: the group had no commit for it.
  int64_t new_offset = 0;
};

// What a replay did (or, in a dry run, would do) with one dead-letter record.
struct DeadLetterReplay {
  int64_t offset = 0;           // The dead-letter record's offset.
  absl::Status status;          // OK, or why it was not replayed (naming the record).
  bool already_replayed = false;  // An earlier replay copied it: not again.
  TopicPartition target;        // Where it went (or would go).
  int64_t replayed_offset = -1; // Its offset there; -1 in a dry run for a new replay.
};

// The broker's dead-letter counters for one (source topic, group).
struct DeadLetterCounter {
  std::string topic;
  std::string group;
  int64_t dead_lettered = 0;
  int64_t replayed = 0;
};

class Admin {
 public:
  // Validates the options and connects. Errors: INVALID_REQUEST (bad options); the errors of
  // connecting (NETWORK_EXCEPTION "cannot connect to ...", UNSUPPORTED_VERSION).
  static absl::StatusOr<std::unique_ptr<Admin>> Create(AdminOptions options);

  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // Creates a topic (or, with validate_only, only checks that it could be created). Errors:
  // TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION (bad name), INVALID_PARTITIONS,
  // INVALID_CONFIG, each with the broker's message.
  absl::Status CreateTopic(const NewTopic& topic, bool validate_only = false);
  // Deletes a topic and its records. Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::Status DeleteTopic(std::string_view name);
  // Grows a topic to `partitions` partitions in all (not the number added), or with
  // validate_only only checks that it could. The new partitions are empty; groups subscribed to
  // the topic rebalance. Errors: UNKNOWN_TOPIC_OR_PARTITION; INVALID_PARTITIONS (not more than
  // the topic has, or over the broker's limit); STORAGE_ERROR; each with the broker's message.
  absl::Status CreatePartitions(std::string_view topic, int32_t partitions,
                                bool validate_only = false);
  // Deletes the partition's records below `offset` (-1, kDeleteToHighWatermark: every record)
  // and returns its new log start (the low watermark): reads below it fail with
  // OFFSET_OUT_OF_RANGE from then on. An offset at or below the log start deletes nothing and
  // returns the log start. Errors: UNKNOWN_TOPIC_OR_PARTITION; OFFSET_OUT_OF_RANGE (above the
  // log end); POLICY_VIOLATION (the topic's cleanup.policy is compact only);
  // REQUEST_TIMED_OUT (the broker's log cleaner was busy for request_timeout: the deletion
  // happens later); STORAGE_ERROR; each with the broker's message.
  absl::StatusOr<int64_t> DeleteRecords(const TopicPartition& partition, int64_t offset);
  // Every topic name, sorted.
  absl::StatusOr<std::vector<std::string>> ListTopics();
  // One topic's partitions (with their log start/end offsets) and configs. Errors:
  // UNKNOWN_TOPIC_OR_PARTITION "topic 'x' does not exist".
  absl::StatusOr<TopicDescription> DescribeTopic(std::string_view name);
  // Every topic, sorted by name.
  absl::StatusOr<std::vector<TopicDescription>> DescribeTopics();
  // The offset for `timestamp_ms` in a partition: kEarliestTimestamp (-2) = the log start,
  // kLatestTimestamp (-1) = the log end, else the first record with timestamp >= it (the log
  // end and timestamp -1 when there is none). Errors: UNKNOWN_TOPIC_OR_PARTITION.
  absl::StatusOr<OffsetAndTimestamp> ListOffsets(const TopicPartition& partition,
                                                 int64_t timestamp_ms);
  // Changes a topic's configs at runtime (AlterConfigs): sets each key of `set` to its value
  // and removes the override of each key of `remove` (the broker default applies again);
  // other keys keep their values. The whole change is validated first and applied all or
  // nothing; with validate_only it is only validated. Keys and values are those of
  // CreateTopic (docs/topics.md). Errors: UNKNOWN_TOPIC_OR_PARTITION; INVALID_CONFIG with the
  // broker's message naming the key (unknown key, bad value, a key both set and removed);
  // STORAGE_ERROR.
  absl::Status AlterTopicConfigs(std::string_view name,
                                 const std::map<std::string, std::string>& set,
                                 const std::vector<std::string>& remove,
                                 bool validate_only = false);
  // Compacts every partition of a topic whose cleanup.policy includes compact, now, and
  // returns when the broker has finished: the stats per partition, by partition number.
  // Waits up to AdminOptions::compact_timeout (REQUEST_TIMED_OUT after it; the broker goes on
  // compacting). Errors: UNKNOWN_TOPIC_OR_PARTITION; INVALID_REQUEST (the topic does not
  // compact); when a partition fails, its error (STORAGE_ERROR, CORRUPT_MESSAGE,
  // BROKER_SHUTTING_DOWN, ...) with a message naming every failed partition, e.g.
  // "compacting t-1: ..." (what the other partitions did is not returned).
  absl::StatusOr<std::vector<PartitionCompactionStats>> CompactTopic(std::string_view name);

  // Replays dead-letter records of one partition of a dead-letter topic to the topics they
  // came from, each at most once ever (docs/dead-letters.md); with dry_run, says what it
  // would do and changes nothing. One result per offset, in order. At most 10,000 offsets
  // per call. Errors (request-level): UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST, request
  // errors; per record (in DeadLetterReplay::status): OFFSET_OUT_OF_RANGE, INVALID_RECORD (not
  // a dead letter), UNKNOWN_TOPIC_OR_PARTITION (its topic is gone), STORAGE_ERROR.
  absl::StatusOr<std::vector<DeadLetterReplay>> ReplayDeadLetters(
      const TopicPartition& dlq, const std::vector<int64_t>& offsets, bool dry_run = false);
  // The dead-letter counters of `topics` (source topics; empty = every topic), by topic then
  // group. Errors: request errors, STORAGE_ERROR.
  absl::StatusOr<std::vector<DeadLetterCounter>> DeadLetterStats(
      const std::vector<std::string>& topics = {});

  // Fault injection (docs/testing.md, "Injecting faults"): arms a rule that makes matching
  // requests of either listener fail, wait or lose their connection, e.g.
  //   admin->AddFault({.api = "Produce", .listener = brook::FaultListener::kKafka,
  //                    .topic = "orders", .error_code = 6 /* NOT_LEADER_OR_FOLLOWER */,
  //                    .count = 3});
  // Returns the rule's id. Errors: INVALID_REQUEST saying what is wrong with the rule.
  absl::StatusOr<int32_t> AddFault(const FaultRule& rule);
  // Every rule in id order (spent ones too), with what each matched and fired.
  absl::StatusOr<std::vector<FaultState>> ListFaults();
  // Removes rule `id`, or every rule (kClearAllFaults); returns how many.
  // Errors: INVALID_REQUEST when no rule has this id.
  absl::StatusOr<int32_t> ClearFaults(int32_t id = kClearAllFaults);

  // The API versions the broker serves, and its version string.
  absl::StatusOr<BrokerVersions> ApiVersions();

  // Every group with live members or committed offsets, sorted by id.
  absl::StatusOr<std::vector<GroupListing>> ListGroups();
  // A group's state, members with their assignments, and committed offsets with lag.
  // Errors: GROUP_ID_NOT_FOUND "group 'g' does not exist" (neither members nor commits);
  // INVALID_GROUP_ID.
  absl::StatusOr<GroupDescription> DescribeGroup(std::string_view group);
  // Deletes a group's committed offsets. Errors: NON_EMPTY_GROUP (it has live members: stop
  // them first), GROUP_ID_NOT_FOUND, INVALID_GROUP_ID, STORAGE_ERROR; each with the broker's
  // message naming the group.
  absl::Status DeleteGroup(std::string_view group);
  // Deletes the group's committed offsets of `partitions` (a group with live members keeps
  // those of topics a member subscribes to); one result per partition, sorted by topic then
  // partition (duplicates once). Errors
  // (nothing deleted): GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (Kafka members of a protocol type
  // other than "consumer"), INVALID_GROUP_ID, STORAGE_ERROR; each with the broker's message.
  absl::StatusOr<std::vector<OffsetDeletion>> DeleteGroupOffsets(
      std::string_view group, const std::vector<TopicPartition>& partitions);
  // Every committed offset of the group, sorted by topic then partition (empty for a group
  // that does not exist). Errors: INVALID_GROUP_ID, STORAGE_ERROR.
  absl::StatusOr<std::vector<CommittedOffset>> ListGroupOffsets(std::string_view group);
  // Commits `offsets` for the group from outside it (generation -1, no member id): all the
  // accepted partitions are stored together. Errors: NON_EMPTY_GROUP while the group has live
  // members (nothing stored); INVALID_GROUP_ID; STORAGE_ERROR; and when some partitions are
  // refused (the others are stored), their error (UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST
  // for a negative offset, ...) with a message naming every refused partition.
  absl::Status AlterGroupOffsets(std::string_view group,
                                 const std::vector<std::pair<TopicPartition, int64_t>>& offsets);
  // Moves the group's committed offsets of every partition of `topic` as `spec` says
  // (client/offset_reset.h: targets clamped to [log start, log end]) and returns the changes,
  // by partition. With dry_run it only computes them. A group that does not exist yet gets
  // the commits (so a consumer group can be pointed somewhere before it first starts).
  // Requests: DescribeGroups, Metadata, ListOffsets per partition (to-datetime only), and
  // OffsetCommit unless dry_run. Errors: NON_EMPTY_GROUP "group 'g' has N live member(s); stop
  // them before resetting its offsets" (also when a member joins before the commit: the
  // broker refuses it); UNKNOWN_TOPIC_OR_PARTITION; INVALID_REQUEST for shift-by on a
  // partition without a committed offset (nothing changes then); the errors of
  // AlterGroupOffsets.
  absl::StatusOr<std::vector<OffsetResetChange>> ResetGroupOffsets(std::string_view group,
                                                                   std::string_view topic,
                                                                   const OffsetResetSpec& spec,
                                                                   bool dry_run);

  // Test controls (docs/testing.md). ResetBroker drops every topic, group, committed offset,
  // dead-letter mark and counter and producer state, as if the broker were new, while it
  // keeps serving (other clients then get UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_MEMBER_ID...).
  // Errors: STORAGE_ERROR, request errors.
  absl::StatusOr<BrokerResetSummary> ResetBroker();
  // The broker's clock.
  absl::StatusOr<BrokerClockState> GetClock();
  // Switches the broker's clock: kManual stands still from now on (until AdvanceClock),
  // kSystem runs on at real speed from where it stands.
  absl::StatusOr<BrokerClockState> SetClockMode(ClockMode mode);
  // Moves a manual clock forward, and returns once the broker acted at the new time: group
  // sessions and deadlines, then retention, compaction and producer expiry (waits up to
  // AdminOptions::compact_timeout). Errors: INVALID_REQUEST (negative `by`; the clock is the
  // system clock), request errors.
  absl::StatusOr<BrokerClockState> AdvanceClock(std::chrono::milliseconds by);

  // Closes the connection. Idempotent.
  void Close();

 private:
  class Impl;
  explicit Admin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook
