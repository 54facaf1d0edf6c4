// CollectGroups (collectors.h).
#include <algorithm>
#include <string>

#include "broker/group/group_coordinator.h"
#include "broker/metrics/collectors.h"
#include "protocol/record_batch.h"
#include "storage/log_store.h"

namespace brook::metrics {
namespace {

constexpr group::GroupState kStates[] = {
    group::GroupState::kEmpty, group::GroupState::kPreparingRebalance,
    group::GroupState::kCompletingRebalance, group::GroupState::kStable};

double Seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

// The timestamp of the record at `offset` (or the first one after it: compaction leaves
// gaps), or nullopt when it cannot be read.
std::optional<int64_t> TimestampAt(const storage::LogStore& store, const TopicPartition& tp,
                                   Offset offset) {
  absl::StatusOr<storage::ReadResult> read =
      store.Read(tp.topic, tp.partition, offset, /*max_bytes=*/1);
  if (!read.ok() || read->records.empty()) return std::nullopt;
  absl::StatusOr<BatchHeader> header = ParseBatchHeader(read->records);
  if (!header.ok()) return std::nullopt;
  if (header->base_offset >= offset.value) return header->base_timestamp;
  // The batch starts before the offset: find the record in it.
  std::string scratch;
  std::vector<RecordView> records;
  if (!DecodeRecords(read->records.substr(0, header->total_size()), &scratch, &records).ok()) {
    return header->base_timestamp;
  }
  for (const RecordView& record : records) {
    if (record.offset >= offset.value) return record.timestamp;
  }
  return std::nullopt;
}

const storage::PartitionStats* FindPartition(
    const std::vector<storage::PartitionStats>& partitions, const TopicPartition& tp) {
  auto it = std::lower_bound(partitions.begin(), partitions.end(), tp,
                             [](const storage::PartitionStats& p, const TopicPartition& key) {
                               return std::tie(p.topic, p.partition.value) <
                                      std::tie(key.topic, key.partition.value);
                             });
  if (it == partitions.end() || it->topic != tp.topic || it->partition != tp.partition) {
    return nullptr;
  }
  return &*it;
}

void CollectMembership(group::GroupCoordinator& groups, Families& out) {
  auto& members = out.Gauge("brook_group_members", "Members of the consumer group now");
  auto& state = out.Gauge("brook_group_state",
                          "1 for the group's current state (Empty, PreparingRebalance, "
                          "CompletingRebalance, Stable), 0 for the others");
  auto& generation = out.Gauge("brook_group_generation", "The group's generation");
  auto& rebalances = out.Counter("brook_group_rebalances_total",
                                 "Rebalances the group completed since the broker started");
  auto& rebalance_time = out.Counter(
      "brook_group_rebalance_seconds_total",
      "Time the group spent rebalancing (from the start of a rebalance until Stable), summed");
  auto& last_rebalance = out.Gauge("brook_group_last_rebalance_seconds",
                                   "How long the group's last completed rebalance took");
  for (const group::GroupView& view : groups.AllGroups()) {
    const std::string_view kind = group::KindName(view.kind);
    const std::initializer_list<Label> labels = {{"group", view.group_id}, {"kind", kind}};
    Families::Add(members, labels, static_cast<double>(view.member_count()));
    for (group::GroupState s : kStates) {
      Families::Add(state,
                    {{"group", view.group_id}, {"kind", kind}, {"state", group::StateName(s)}},
                    s == view.state ? 1 : 0);
    }
    Families::Add(generation, labels, static_cast<double>(view.generation.value));
    Families::Add(rebalances, labels, static_cast<double>(view.rebalances));
    Families::Add(rebalance_time, labels, Seconds(view.rebalance_time));
    Families::Add(last_rebalance, labels, Seconds(view.last_rebalance));
  }
}

}  // namespace

void CollectGroups(storage::LogStore& store, group::GroupCoordinator& groups,
                   const std::vector<storage::PartitionStats>& partitions, int64_t now_ms,
                   Families& out) {
  CollectMembership(groups, out);
  auto& committed = out.Gauge("brook_group_committed_offset",
                              "The group's committed offset (the next record it will process)");
  auto& lag = out.Gauge("brook_group_lag_records",
                        "Records between the group's committed offset and the log end");
  auto& lag_seconds = out.Gauge(
      "brook_group_lag_seconds",
      "How old the oldest record the group has not consumed is (0 when it is caught up)");
  absl::StatusOr<std::vector<std::string>> names = store.offsets().Groups();
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    absl::StatusOr<std::vector<storage::CommittedOffset>> commits = store.offsets().FetchAll(name);
    if (!commits.ok()) continue;
    for (const storage::CommittedOffset& commit : *commits) {
      const storage::PartitionStats* partition = FindPartition(partitions, commit.partition);
      if (partition == nullptr || commit.offset.value < 0) continue;  // No position.
      const std::string number = std::to_string(commit.partition.partition.value);
      const std::initializer_list<Label> labels = {
          {"group", name}, {"topic", commit.partition.topic}, {"partition", number}};
      Families::Add(committed, labels, static_cast<double>(commit.offset.value));
      const Offset from(std::max(commit.offset.value, partition->log_start.value));
      const int64_t behind = std::max<int64_t>(partition->log_end.value - commit.offset.value, 0);
      Families::Add(lag, labels, static_cast<double>(behind));
      double age = 0;
      if (from.value < partition->log_end.value) {
        if (std::optional<int64_t> ts = TimestampAt(store, commit.partition, from)) {
          age = static_cast<double>(std::max<int64_t>(now_ms - *ts, 0)) / 1000.0;
        }
      }
      Families::Add(lag_seconds, labels, age);
    }
  }
}

}  // namespace brook::metrics
