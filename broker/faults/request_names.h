// broker/faults/request_names.h: the topics and groups a decoded request names, for fault
// rules with a topic or a group (fault_registry.h). One template for every request of both
// protocols, by the shape of its fields: `topics` / `topic_names` / `topic` (strings, or
// entries with a `name`), `resources` of the topic type, `group_id`, `groups` /
// `groups_names` (strings, or entries with a `group_id`, whose `topics` count too), and
// FindCoordinator's group `key` / `coordinator_keys`. The views point into the request.
// FindFault() collects them only when a rule is armed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/faults/fault_registry.h"

namespace brook::faults {
namespace names_internal {

inline constexpr int8_t kTopicResource = 2;  // Kafka's ConfigResource type of a topic.
inline constexpr int8_t kGroupCoordinator = 0;  // FindCoordinator's key_type of a group.

inline void Add(std::vector<std::string_view>& out, const std::string& name) {
  out.push_back(name);
}
inline void Add(std::vector<std::string_view>& out, const std::optional<std::string>& name) {
  if (name) out.push_back(*name);
}
template <class Entry>
  requires requires(const Entry& e) { e.name; }
void Add(std::vector<std::string_view>& out, const Entry& entry) {
  Add(out, entry.name);
}
template <class T>
void Add(std::vector<std::string_view>& out, const std::vector<T>& entries) {
  for (const T& e : entries) Add(out, e);
}
template <class T>
void Add(std::vector<std::string_view>& out, const std::optional<std::vector<T>>& entries) {
  if (entries) Add(out, *entries);
}

// A group entry: a name, or a struct with a group_id (and maybe topics).
inline void AddGroup(RequestNames& out, const std::string& group) { out.groups.push_back(group); }
inline void AddGroup(RequestNames& out, const std::optional<std::string>& group) {
  if (group) out.groups.push_back(*group);
}
template <class Entry>
  requires requires(const Entry& e) { e.group_id; }
void AddGroup(RequestNames& out, const Entry& entry) {
  out.groups.push_back(entry.group_id);
  if constexpr (requires { entry.topics; }) Add(out.topics, entry.topics);
}
template <class T>
void AddGroups(RequestNames& out, const std::vector<T>& entries) {
  for (const T& e : entries) AddGroup(out, e);
}

}  // namespace names_internal

template <class Request>
RequestNames NamesOf(const Request& r) {
  using namespace names_internal;
  RequestNames out;
  if constexpr (requires { r.topics; }) Add(out.topics, r.topics);
  if constexpr (requires { r.topic_names; }) Add(out.topics, r.topic_names);
  if constexpr (requires { r.topic; }) Add(out.topics, r.topic);
  if constexpr (requires { r.resources; }) {
    for (const auto& resource : r.resources) {
      if (resource.resource_type == kTopicResource) out.topics.push_back(resource.resource_name);
    }
  }
  if constexpr (requires { r.group_id; }) AddGroup(out, r.group_id);
  if constexpr (requires { r.groups; }) AddGroups(out, r.groups);
  if constexpr (requires { r.groups_names; }) AddGroups(out, r.groups_names);
  if constexpr (requires { r.coordinator_keys; }) {
    if (r.key_type == kGroupCoordinator) {
      if (!r.key.empty()) out.groups.push_back(r.key);
      AddGroups(out, r.coordinator_keys);
    }
  }
  return out;
}

// The fault that fires on this request, if any: one atomic load when no rule is armed.
template <class Request>
std::optional<FaultHit> FindFault(FaultRegistry& faults, FaultListener listener, int16_t key,
                                  const Request& request) {
  if (!faults.armed()) return std::nullopt;
  return faults.Match(listener, key, NamesOf(request));
}

}  // namespace brook::faults
