#include "broker/group/assignor.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "broker/group/assignor_input.h"

namespace brook::group {
namespace {

// A built-in assignor: its name, its protocol and its algorithm over the normalized input.
class BuiltinAssignor final : public Assignor {
 public:
  constexpr BuiltinAssignor(std::string_view name, RebalanceProtocol protocol,
                            PerMember (*algorithm)(const NormalizedInput&))
      : name_(name), protocol_(protocol), algorithm_(algorithm) {}

  std::string_view name() const override { return name_; }
  RebalanceProtocol protocol() const override { return protocol_; }

  Assignment Assign(const std::vector<AssignorMember>& members,
                    const PartitionCounts& counts) const override {
    NormalizedInput input = NormalizeInput(members, counts);
    PerMember per_member = algorithm_(input);
    Assignment assignment;
    for (size_t m = 0; m < input.members.size(); ++m) {
      assignment.emplace(input.members[m]->member_id, std::move(per_member[m]));
    }
    return assignment;
  }

 private:
  std::string_view name_;
  RebalanceProtocol protocol_;
  PerMember (*algorithm_)(const NormalizedInput&);
};

const BuiltinAssignor kAssignors[] = {
    {"range", RebalanceProtocol::kEager, &AssignRange},
    {"roundrobin", RebalanceProtocol::kEager, &AssignRoundRobin},
    {"cooperative-sticky", RebalanceProtocol::kCooperative, &AssignCooperativeSticky},
};

}  // namespace

const Assignor* FindAssignor(std::string_view name) {
  for (const BuiltinAssignor& assignor : kAssignors) {
    if (assignor.name() == name) return &assignor;
  }
  return nullptr;
}

std::vector<TopicPartition> WithholdOwnedElsewhere(const std::vector<AssignorMember>& members,
                                                   Assignment* target) {
  // Partition -> its owner, or nullptr when two members claim it (then it is someone else's
  // for every member).
  absl::flat_hash_map<TopicPartition, const std::string*> owner;
  for (const AssignorMember& member : members) {
    for (const TopicPartition& tp : member.owned) {
      auto [it, inserted] = owner.try_emplace(tp, &member.member_id);
      if (!inserted && it->second != nullptr && *it->second != member.member_id) {
        it->second = nullptr;
      }
    }
  }
  std::vector<TopicPartition> withheld;
  for (auto& [member_id, partitions] : *target) {
    std::erase_if(partitions, [&, &member_id = member_id](const TopicPartition& tp) {
      auto it = owner.find(tp);
      if (it == owner.end() || (it->second != nullptr && *it->second == member_id)) return false;
      withheld.push_back(tp);
      return true;
    });
  }
  std::sort(withheld.begin(), withheld.end());
  return withheld;
}

}  // namespace brook::group
