// The roundrobin assignor: every subscribed partition, ordered by topic then partition, dealt
// in turn to the members in member-id order, skipping members not subscribed to its topic
// (Kafka's RoundRobinAssignor; docs/protocol.md §6.8).
#include <algorithm>

#include "broker/group/assignor_input.h"

namespace brook::group {

PerMember AssignRoundRobin(const NormalizedInput& input) {
  PerMember per_member(input.members.size());
  int turn = 0;  // The member whose turn it is, if it subscribes.
  for (const NormalizedInput::Topic& topic : input.topics) {
    const std::vector<int>& subscribers = topic.subscribers;
    for (int32_t p = 0; p < topic.partitions; ++p) {
      // The first subscriber at or after `turn`, wrapping around.
      auto it = std::lower_bound(subscribers.begin(), subscribers.end(), turn);
      const int member = it != subscribers.end() ? *it : subscribers.front();
      per_member[member].push_back({std::string(topic.name), PartitionId(p)});
      turn = (member + 1) % static_cast<int>(input.members.size());
    }
  }
  return per_member;
}

}  // namespace brook::group
