// The range assignor: per topic, contiguous ranges in member-id order (docs/protocol.md §6.8).
#include "broker/group/assignor_input.h"

namespace brook::group {

PerMember AssignRange(const NormalizedInput& input) {
  PerMember per_member(input.members.size());
  // Topics in name order and partitions ascending keep every member's list sorted.
  for (const NormalizedInput::Topic& topic : input.topics) {
    const int32_t subscribers = static_cast<int32_t>(topic.subscribers.size());
    const int32_t share = topic.partitions / subscribers;
    const int32_t extra = topic.partitions % subscribers;
    int32_t next = 0;
    for (int32_t i = 0; i < subscribers; ++i) {
      const int32_t end = next + share + (i < extra ? 1 : 0);
      for (; next < end; ++next) {
        per_member[topic.subscribers[i]].push_back({std::string(topic.name), PartitionId(next)});
      }
    }
  }
  return per_member;
}

}  // namespace brook::group
