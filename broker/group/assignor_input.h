// broker/group/assignor_input.h: internal to the assignors (not for the coordinator): an
// assignor's input normalized once, so that every assignor sees members in member-id order
// and each topic with its subscribers, and the algorithms that work on it.
//
// A NormalizedInput borrows the members it was built from: it must not outlive them. Pure
// data, no synchronization.
#pragma once

#include <string_view>
#include <vector>

#include "broker/group/assignor.h"

namespace brook::group {

struct NormalizedInput {
  struct Topic {
    std::string_view name;
    int32_t partitions = 0;
    std::vector<int> subscribers;  // Indexes into `members`, ascending, no duplicates.
  };
  std::vector<const AssignorMember*> members;  // Sorted by member id.
  // Sorted by name: the topics of `counts` with at least one partition and one subscriber.
  std::vector<Topic> topics;

  // The index in `topics` of the topic named `name`, or -1.
  int FindTopic(std::string_view name) const;
  // Whether member `member` subscribes to topics[topic].
  bool Subscribes(int topic, int member) const;
};

// REQUIRES: member ids are unique. A member may name a topic twice; topics absent from
// `counts` are left out.
NormalizedInput NormalizeInput(const std::vector<AssignorMember>& members,
                               const PartitionCounts& counts);

// The built-in assignors' algorithms (range_assignor.cc, roundrobin_assignor.cc,
// sticky_assignor.cc). Each returns, parallel to input.members, every member's partitions
// sorted by topic then partition.
using PerMember = std::vector<std::vector<TopicPartition>>;
PerMember AssignRange(const NormalizedInput& input);
PerMember AssignRoundRobin(const NormalizedInput& input);
PerMember AssignCooperativeSticky(const NormalizedInput& input);

}  // namespace brook::group
