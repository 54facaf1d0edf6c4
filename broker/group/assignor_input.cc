#include "broker/group/assignor_input.h"

#include <algorithm>
#include <map>

namespace brook::group {

int NormalizedInput::FindTopic(std::string_view name) const {
  auto it = std::lower_bound(topics.begin(), topics.end(), name,
                             [](const Topic& topic, std::string_view n) { return topic.name < n; });
  return it != topics.end() && it->name == name ? static_cast<int>(it - topics.begin()) : -1;
}

bool NormalizedInput::Subscribes(int topic, int member) const {
  const std::vector<int>& subscribers = topics[topic].subscribers;
  return std::binary_search(subscribers.begin(), subscribers.end(), member);
}

NormalizedInput NormalizeInput(const std::vector<AssignorMember>& members,
                               const PartitionCounts& counts) {
  NormalizedInput input;
  input.members.reserve(members.size());
  for (const AssignorMember& member : members) input.members.push_back(&member);
  std::sort(input.members.begin(), input.members.end(),
            [](const AssignorMember* a, const AssignorMember* b) {
              return a->member_id < b->member_id;
            });

  std::map<std::string_view, std::vector<int>> subscribers;
  for (int m = 0; m < static_cast<int>(input.members.size()); ++m) {
    for (const std::string& topic : input.members[m]->topics) {
      auto count = counts.find(topic);
      if (count == counts.end() || count->second <= 0) continue;
      std::vector<int>& list = subscribers[count->first];
      // Members come in ascending order, so a repeated topic repeats the last entry.
      if (list.empty() || list.back() != m) list.push_back(m);
    }
  }
  input.topics.reserve(subscribers.size());
  for (auto& [name, list] : subscribers) {
    input.topics.push_back({name, counts.find(name)->second, std::move(list)});
  }
  return input;
}

}  // namespace brook::group
