// broker/group/assignor.h: the partition assignors a consumer group's members choose from.
//
// An assignor maps the members of a group (their subscriptions, and for cooperative groups the
// partitions they own) and the partition counts of the subscribed topics to one assignment: for
// every member, the partitions it consumes in the next generation. Assignors are pure functions
// of their input (deterministic: members are taken in member-id order), which is what lets the
// group coordinator run them and lets the Kafka classic protocol's client-side leader be
// plugged in instead later (docs/protocol.md, "Consumer groups").
//
//   range               per topic, contiguous ranges in member-id order     eager
//   roundrobin          all partitions dealt in turn                         eager
//   cooperative-sticky  balanced, keeps owned partitions where it can        cooperative
//
// Eager: members give up everything before rejoining, so any assignment is safe. Cooperative:
// members keep consuming while they rejoin; WithholdOwnedElsewhere() removes from the
// assignment every partition that another member still owns, so no partition is ever assigned
// to one member while another owns it. The owner gets an assignment without it, revokes it and
// rejoins; the next rebalance gives it to its new member.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/types.h"

namespace brook::group {

struct AssignorMember {
  std::string member_id;
  std::vector<std::string> topics;    // The subscription.
  std::vector<TopicPartition> owned;  // Cooperative: the partitions it owns now; else empty.
};

// Topic name -> partition count, for the subscribed topics that exist.
using PartitionCounts = std::map<std::string, int32_t, std::less<>>;
// Member id -> its partitions, sorted by topic then partition. Every member of the input has an
// entry (possibly empty).
using Assignment = std::map<std::string, std::vector<TopicPartition>, std::less<>>;

enum class RebalanceProtocol { kEager, kCooperative };

class Assignor {
 public:
  virtual ~Assignor() = default;
  virtual std::string_view name() const = 0;
  virtual RebalanceProtocol protocol() const = 0;
  // Assigns every partition of `counts` that some member subscribes to, to exactly one of its
  // subscribers. REQUIRES: member ids are unique. Any input is valid otherwise: `owned`
  // entries of partitions that do not exist or of topics the member no longer subscribes to
  // are ignored, and a partition several members own counts as the first one's (member-id
  // order). Cost: O(P log M)-ish for P partitions and M members (sticky: times the topics per
  // member).
  virtual Assignment Assign(const std::vector<AssignorMember>& members,
                            const PartitionCounts& counts) const = 0;
};

// The assignor named `name` (range, roundrobin, cooperative-sticky), or nullptr.
const Assignor* FindAssignor(std::string_view name);

// Cooperative groups: removes from `target` every partition assigned to one member while a
// different member of `members` owns it. Returns the removed partitions (those that must wait
// for their owner to revoke them), sorted.
std::vector<TopicPartition> WithholdOwnedElsewhere(const std::vector<AssignorMember>& members,
                                                   Assignment* target);

}  // namespace brook::group
