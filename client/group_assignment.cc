#include "client/group_assignment.h"

#include <algorithm>
#include <iterator>

namespace brook::client {

std::vector<TopicPartitions> ToWire(const std::vector<TopicPartition>& partitions) {
  std::vector<TopicPartition> sorted = partitions;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::vector<TopicPartitions> out;
  for (const TopicPartition& tp : sorted) {
    if (out.empty() || out.back().name != tp.topic) out.push_back({tp.topic, {}});
    out.back().partitions.push_back(tp.partition.value);
  }
  return out;
}

std::vector<TopicPartition> FromWire(const std::vector<TopicPartitions>& topics) {
  std::vector<TopicPartition> out;
  for (const TopicPartitions& topic : topics) {
    for (int32_t partition : topic.partitions) out.push_back({topic.name, PartitionId(partition)});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

AssignmentDiff Diff(const std::vector<TopicPartition>& before,
                    const std::vector<TopicPartition>& after) {
  AssignmentDiff diff;
  std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                      std::back_inserter(diff.revoked));
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(diff.added));
  return diff;
}

bool IsCooperative(std::string_view assignor) { return assignor == kCooperativeStickyAssignor; }

bool IsKnownAssignor(std::string_view assignor) {
  return assignor == kRangeAssignor || assignor == kRoundRobinAssignor ||
         assignor == kCooperativeStickyAssignor;
}

}  // namespace brook::client
