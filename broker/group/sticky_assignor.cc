// The cooperative-sticky assignor (docs/protocol.md §6.8): balanced, and every member keeps as
// many of the partitions it owns as balance allows.
//
// 1. Owned partitions: a member keeps every partition it owns that still exists and whose topic
//    it still subscribes to; a partition claimed by several members stays with the first of
//    them in member-id order.
// 2. Unowned partitions go one at a time to the least-loaded subscriber of their topic (ties:
//    member-id order). Topics with fewer subscribers go first: they have fewer choices.
// 3. Balancing: while a member holds a partition of a topic that has a subscriber with at least
//    two partitions fewer, one partition moves from the most loaded such member to the least
//    loaded such subscriber. A member gives up the partitions it received in steps 2 and 3
//    before those it owned, and its highest owned ones first. Each move lowers the sum of the
//    squared loads, so this ends, and when it ends no single move improves the balance:
//    members with the same subscription differ by at most one partition. With identical
//    subscriptions only the members above their fair share give partitions up, and only their
//    surplus, so the fewest owned partitions move.
//
// Cost: each placement or move re-files the two members in the load indexes of the topics
// they subscribe to: O((P + moves) * T * log M) for P partitions, M members, T topics per
// member.
#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "broker/group/assignor_input.h"

namespace brook::group {
namespace {

class StickyPlan {
 public:
  explicit StickyPlan(const NormalizedInput& input) : input_(input), members_(input.members.size()) {
    topics_.resize(input.topics.size());
    for (int t = 0; t < static_cast<int>(input.topics.size()); ++t) {
      const std::vector<int>& subscribers = input.topics[t].subscribers;
      topics_[t].held.resize(subscribers.size());
      for (int pos = 0; pos < static_cast<int>(subscribers.size()); ++pos) {
        members_[subscribers[pos]].topics.push_back({t, pos});
      }
    }
  }

  // Steps 1 and 2.
  void Place() {
    std::vector<std::vector<int>> owner = ResolveOwners();
    for (int t = 0; t < static_cast<int>(topics_.size()); ++t) {
      for (int32_t p = 0; p < input_.topics[t].partitions; ++p) {
        if (owner[t][p] < 0) continue;
        topics_[t].held[Position(t, owner[t][p])].push_back(p);
        ++members_[owner[t][p]].load;
      }
    }
    for (int m = 0; m < static_cast<int>(members_.size()); ++m) Index(m);

    std::vector<int> order(topics_.size());
    for (int t = 0; t < static_cast<int>(order.size()); ++t) order[t] = t;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return input_.topics[a].subscribers.size() < input_.topics[b].subscribers.size();
    });
    for (int t : order) {
      for (int32_t p = 0; p < input_.topics[t].partitions; ++p) {
        if (owner[t][p] < 0) Give(t, topics_[t].by_load.begin()->second, p);
      }
    }
  }

  // Step 3.
  void Balance() {
    for (int t = 0; t < static_cast<int>(topics_.size()); ++t) RefreshMove(t);
    while (!moves_.empty()) {
      const int t = std::get<2>(*moves_.begin());
      const int donor = topics_[t].holders.begin()->second;
      const int receiver = topics_[t].by_load.begin()->second;
      Give(t, receiver, Take(t, donor));
      for (int m : {donor, receiver}) {
        for (auto [topic, pos] : members_[m].topics) RefreshMove(topic);
      }
    }
  }

  PerMember Result() {
    PerMember per_member(members_.size());
    for (int m = 0; m < static_cast<int>(members_.size()); ++m) {
      per_member[m].reserve(members_[m].load);
      for (auto [t, pos] : members_[m].topics) {  // Ascending topic order.
        std::vector<int32_t>& held = topics_[t].held[pos];
        std::sort(held.begin(), held.end());
        for (int32_t p : held) {
          per_member[m].push_back({std::string(input_.topics[t].name), PartitionId(p)});
        }
      }
    }
    return per_member;
  }

 private:
  // A possible move in one topic: (-donor load, receiver load, topic); the first in order
  // takes from the most loaded member.
  using Move = std::tuple<int32_t, int32_t, int>;

  struct TopicState {
    std::vector<std::vector<int32_t>> held;     // Per subscriber position: its partitions.
    std::set<std::pair<int32_t, int>> by_load;  // (load, member) of every subscriber.
    std::set<std::pair<int32_t, int>> holders;  // (-load, member) of those holding some.
    std::optional<Move> move;                   // Its entry in moves_, if any.
  };
  struct MemberState {
    int32_t load = 0;
    std::vector<std::pair<int, int>> topics;  // (topic, position among its subscribers).
  };

  // Per topic and partition, the member that keeps it (step 1), or -1.
  std::vector<std::vector<int>> ResolveOwners() const {
    std::vector<std::vector<int>> owner(input_.topics.size());
    for (int t = 0; t < static_cast<int>(owner.size()); ++t) {
      owner[t].assign(input_.topics[t].partitions, -1);
    }
    for (int m = 0; m < static_cast<int>(input_.members.size()); ++m) {
      for (const TopicPartition& tp : input_.members[m]->owned) {
        const int t = input_.FindTopic(tp.topic);
        if (t < 0 || !input_.Subscribes(t, m)) continue;
        const int32_t p = tp.partition.value;
        if (p >= 0 && p < input_.topics[t].partitions && owner[t][p] < 0) owner[t][p] = m;
      }
    }
    return owner;
  }

  int Position(int t, int m) const {
    const std::vector<int>& subscribers = input_.topics[t].subscribers;
    return static_cast<int>(std::lower_bound(subscribers.begin(), subscribers.end(), m) -
                            subscribers.begin());
  }

  // Files member m in (Index) or out of (Unindex) the load indexes of its topics.
  void Index(int m) {
    const int32_t load = members_[m].load;
    for (auto [t, pos] : members_[m].topics) {
      topics_[t].by_load.insert({load, m});
      if (!topics_[t].held[pos].empty()) topics_[t].holders.insert({-load, m});
    }
  }
  void Unindex(int m) {
    const int32_t load = members_[m].load;
    for (auto [t, pos] : members_[m].topics) {
      topics_[t].by_load.erase({load, m});
      topics_[t].holders.erase({-load, m});
    }
  }

  void Give(int t, int m, int32_t partition) {
    Unindex(m);
    topics_[t].held[Position(t, m)].push_back(partition);
    ++members_[m].load;
    Index(m);
  }
  // Removes and returns the partition of topic t that member m received last.
  int32_t Take(int t, int m) {
    Unindex(m);
    std::vector<int32_t>& held = topics_[t].held[Position(t, m)];
    const int32_t partition = held.back();
    held.pop_back();
    --members_[m].load;
    Index(m);
    return partition;
  }

  // Updates topic t's entry in moves_: present iff moving one of its partitions from its most
  // loaded holder to its least loaded subscriber improves the balance.
  void RefreshMove(int t) {
    TopicState& topic = topics_[t];
    if (topic.move) moves_.erase(*topic.move);
    topic.move.reset();
    if (topic.holders.empty()) return;
    const int32_t donor_load = -topic.holders.begin()->first;
    const int32_t receiver_load = topic.by_load.begin()->first;
    if (donor_load - receiver_load < 2) return;
    topic.move = Move{-donor_load, receiver_load, t};
    moves_.insert(*topic.move);
  }

  const NormalizedInput& input_;
  std::vector<TopicState> topics_;    // Parallel to input_.topics.
  std::vector<MemberState> members_;  // Parallel to input_.members.
  std::set<Move> moves_;
};

}  // namespace

PerMember AssignCooperativeSticky(const NormalizedInput& input) {
  StickyPlan plan(input);
  plan.Place();
  plan.Balance();
  return plan.Result();
}

}  // namespace brook::group
