// GroupCoordinator::Reset (declared in group_coordinator.h): the store's reset and the
// forgetting of every group, under the coordinator's mutex.
#include <set>

#include "broker/group/group_coordinator_internal.h"

namespace brook::group {

absl::StatusOr<storage::StoreReset> GroupCoordinator::Reset() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<storage::StoreReset> reset = store_.Reset();
  if (!reset.ok()) return reset.status();
  std::set<std::string> groups(reset->groups.begin(), reset->groups.end());
  for (auto& [group_id, entry] : groups_) {
    const std::string& id = group_id;
    auto fence = [&id](auto& parked) {
      for (auto& [member, wait] : parked) wait->Answer(UnknownMemberOf(id, member), wait);
    };
    fence(entry->joins);
    fence(entry->classic_joins);
    fence(entry->classic_syncs);
    if (!entry->group.members().empty() || !entry->classic.empty()) groups.insert(id);
  }
  groups_.clear();
  WakeEveryWatch();
  reset->groups.assign(groups.begin(), groups.end());
  return reset;
}

}  // namespace brook::group
