// client/group_assignment.h: pure helpers of the group consumer for assignments: the wire form
// of partition lists, the revoke/add diff of a rebalance, and which assignors are cooperative.
//
// No I/O, no state: every function takes values and returns values. Partition lists are
// returned sorted and without duplicates. Thread-safety: none needed.
#pragma once

#include <string_view>
#include <vector>

#include "protocol/messages.h"
#include "protocol/types.h"

namespace brook::client {

// A partition list as JoinGroup carries it (`owned`, `assignment`): one entry per topic, topics
// and partitions in ascending order.
std::vector<TopicPartitions> ToWire(const std::vector<TopicPartition>& partitions);
// The inverse of ToWire: every (topic, partition) listed, sorted, duplicates dropped.
std::vector<TopicPartition> FromWire(const std::vector<TopicPartitions>& topics);

// What a rebalance changes for one member: `revoked` = before − after (the member must stop
// fetching them and commit), `added` = after − before (they need starting positions).
struct AssignmentDiff {
  std::vector<TopicPartition> revoked;
  std::vector<TopicPartition> added;
};
// REQUIRES: both lists sorted (as FromWire and Consumer::Assignment return them).
AssignmentDiff Diff(const std::vector<TopicPartition>& before,
                    const std::vector<TopicPartition>& after);

// True for assignors of the cooperative protocol (cooperative-sticky): a member keeps its
// partitions while it rejoins. False for the eager ones (range, roundrobin).
bool IsCooperative(std::string_view assignor);
// True when the broker serves `assignor` (range, roundrobin, cooperative-sticky).
bool IsKnownAssignor(std::string_view assignor);

}  // namespace brook::client
