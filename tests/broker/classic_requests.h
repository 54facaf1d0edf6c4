// tests/broker/classic_requests.h: Kafka classic-protocol requests for the group tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "broker/group/classic_group.h"

namespace brook::testing {

// A SyncGroup of `member_id` at `generation`; the leader's carries `assignments`.
inline group::ClassicSync SyncOf(
    const std::string& member_id, group::Generation generation,
    std::vector<std::pair<std::string, std::string>> assignments = {}) {
  group::ClassicSync sync;
  sync.member_id = member_id;
  sync.generation = generation;
  sync.assignments = std::move(assignments);
  return sync;
}

}  // namespace brook::testing
