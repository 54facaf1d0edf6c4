// The partition assignors (broker/group/assignor.h): exact layouts of range and roundrobin,
// stickiness of cooperative-sticky, WithholdOwnedElsewhere, and properties over random inputs.
#include "broker/group/assignor.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace brook::group {
namespace {

TopicPartition Tp(const std::string& topic, int32_t partition) {
  return {topic, PartitionId(partition)};
}

const Assignor& Named(std::string_view name) {
  const Assignor* assignor = FindAssignor(name);
  REQUIRE(assignor != nullptr);
  return *assignor;
}

// "a[t0 t1 u2] b[]": every member with its partitions, in the assignment's order.
std::string Describe(const Assignment& assignment) {
  std::string out;
  for (const auto& [member, partitions] : assignment) {
    if (!out.empty()) out += ' ';
    out += member + '[';
    for (size_t i = 0; i < partitions.size(); ++i) {
      out += fmt::format("{}{}{}", i ? " " : "", partitions[i].topic, partitions[i].partition.value);
    }
    out += ']';
  }
  return out;
}

std::string Layout(std::string_view assignor, const std::vector<AssignorMember>& members,
                   const PartitionCounts& counts) {
  return Describe(Named(assignor).Assign(members, counts));
}

// Member id -> number of partitions.
std::map<std::string, size_t> Loads(const Assignment& assignment) {
  std::map<std::string, size_t> loads;
  for (const auto& [member, partitions] : assignment) loads[member] = partitions.size();
  return loads;
}

size_t Spread(const Assignment& assignment) {
  auto loads = Loads(assignment);
  auto [min, max] = std::minmax_element(loads.begin(), loads.end(),
                                        [](auto& a, auto& b) { return a.second < b.second; });
  return max->second - min->second;
}

// How many partitions each member keeps of those it owns.
size_t Kept(const std::vector<AssignorMember>& members, const Assignment& assignment) {
  size_t kept = 0;
  for (const AssignorMember& member : members) {
    const auto& now = assignment.at(member.member_id);
    for (const TopicPartition& tp : member.owned) {
      kept += std::binary_search(now.begin(), now.end(), tp);
    }
  }
  return kept;
}

// Next generation's members: each owns what `assignment` gave it.
void Adopt(const Assignment& assignment, std::vector<AssignorMember>* members) {
  for (AssignorMember& member : *members) member.owned = assignment.at(member.member_id);
}

bool Subscribes(const AssignorMember& member, const std::string& topic) {
  return std::find(member.topics.begin(), member.topics.end(), topic) != member.topics.end();
}

// The contract of every assignor: every member has a sorted entry; every partition of a topic
// that exists and has a subscriber goes to exactly one of its subscribers; nothing else.
void CheckComplete(const std::vector<AssignorMember>& members, const PartitionCounts& counts,
                   const Assignment& assignment) {
  REQUIRE(assignment.size() == members.size());
  std::map<TopicPartition, int> times;
  for (const AssignorMember& member : members) {
    auto it = assignment.find(member.member_id);
    REQUIRE(it != assignment.end());
    CHECK(std::is_sorted(it->second.begin(), it->second.end()));
    for (const TopicPartition& tp : it->second) {
      CHECK(Subscribes(member, tp.topic));
      ++times[tp];
    }
  }
  size_t expected = 0;
  for (const auto& topic_count : counts) {
    // Named copies: clang 14 cannot capture structured bindings in the CHECK below.
    const auto& topic = topic_count.first;
    const auto count = topic_count.second;
    bool subscribed = std::any_of(members.begin(), members.end(),
                                  [&](const AssignorMember& m) { return Subscribes(m, topic); });
    if (!subscribed) continue;
    for (int32_t p = 0; p < count; ++p) CHECK(times[Tp(topic, p)] == 1);
    expected += count;
  }
  CHECK(times.size() == expected);
}

// No partition can move to a subscriber with at least two partitions fewer than its member.
void CheckNoImprovingMove(const std::vector<AssignorMember>& members,
                          const Assignment& assignment) {
  auto loads = Loads(assignment);
  for (const auto& [holder, partitions] : assignment) {
    for (const TopicPartition& tp : partitions) {
      for (const AssignorMember& other : members) {
        if (Subscribes(other, tp.topic)) CHECK(loads[other.member_id] + 1 >= loads[holder]);
      }
    }
  }
}

constexpr int kMaxRounds = 10;

// Assigns, withholds what others own, and adopts the result until nothing is withheld (or
// kMaxRounds), checking that no partition is ever assigned to a member while another owns it.
// Returns the number of rounds.
int RunCooperativeRounds(const PartitionCounts& counts, std::vector<AssignorMember>* members) {
  const Assignor& sticky = Named("cooperative-sticky");
  for (int round = 1;; ++round) {
    Assignment target = sticky.Assign(*members, counts);
    std::vector<TopicPartition> withheld = WithholdOwnedElsewhere(*members, &target);
    for (const AssignorMember& member : *members) {
      for (const AssignorMember& other : *members) {
        if (other.member_id == member.member_id) continue;
        for (const TopicPartition& tp : other.owned) {
          const auto& mine = target.at(member.member_id);
          CHECK_FALSE(std::binary_search(mine.begin(), mine.end(), tp));
        }
      }
    }
    Adopt(target, members);
    if (withheld.empty() || round == kMaxRounds) return round;
  }
}

std::vector<AssignorMember> Members(int n, const std::vector<std::string>& topics) {
  std::vector<AssignorMember> members;
  for (int i = 0; i < n; ++i) members.push_back({fmt::format("m{:02}", i), topics, {}});
  return members;
}

TEST_CASE("FindAssignor knows the three assignors and their rebalance protocols") {
  CHECK(Named("range").name() == "range");
  CHECK(Named("range").protocol() == RebalanceProtocol::kEager);
  CHECK(Named("roundrobin").name() == "roundrobin");
  CHECK(Named("roundrobin").protocol() == RebalanceProtocol::kEager);
  CHECK(Named("cooperative-sticky").name() == "cooperative-sticky");
  CHECK(Named("cooperative-sticky").protocol() == RebalanceProtocol::kCooperative);
  CHECK(FindAssignor("sticky") == nullptr);
  CHECK(FindAssignor("") == nullptr);
  CHECK(FindAssignor("Range") == nullptr);
}

TEST_CASE("range assignor cuts each topic into contiguous ranges in member-id order") {
  std::vector<AssignorMember> abc = {{"c", {"t"}, {}}, {"a", {"t"}, {}}, {"b", {"t"}, {}}};
  CHECK(Layout("range", abc, {{"t", 6}}) == "a[t0 t1] b[t2 t3] c[t4 t5]");
  CHECK(Layout("range", abc, {{"t", 7}}) == "a[t0 t1 t2] b[t3 t4] c[t5 t6]");
  CHECK(Layout("range", abc, {{"t", 2}}) == "a[t0] b[t1] c[]");

  SUBCASE("two topics, each cut on its own") {
    for (auto& member : abc) member.topics = {"u", "t"};
    CHECK(Layout("range", abc, {{"t", 7}, {"u", 2}}) == "a[t0 t1 t2 u0] b[t3 t4 u1] c[t5 t6]");
  }
  SUBCASE("different subscriptions: only a topic's subscribers share it") {
    std::vector<AssignorMember> members = {{"a", {"t"}, {}}, {"b", {"t", "u"}, {}},
                                           {"c", {"u"}, {}}};
    CHECK(Layout("range", members, {{"t", 4}, {"u", 3}}) == "a[t0 t1] b[t2 t3 u0 u1] c[u2]");
  }
}

TEST_CASE("roundrobin assignor deals partitions in turn, skipping non-subscribers") {
  std::vector<AssignorMember> abc = {{"b", {"t"}, {}}, {"c", {"t"}, {}}, {"a", {"t"}, {}}};
  CHECK(Layout("roundrobin", abc, {{"t", 6}}) == "a[t0 t3] b[t1 t4] c[t2 t5]");
  CHECK(Layout("roundrobin", abc, {{"t", 7}}) == "a[t0 t3 t6] b[t1 t4] c[t2 t5]");

  SUBCASE("two topics dealt as one sequence") {
    std::vector<AssignorMember> ab = {{"a", {"t", "u"}, {}}, {"b", {"u", "t"}, {}}};
    CHECK(Layout("roundrobin", ab, {{"t", 3}, {"u", 4}}) == "a[t0 t2 u1 u3] b[t1 u0 u2]");
  }
  SUBCASE("different subscriptions (the example of Kafka's RoundRobinAssignor)") {
    std::vector<AssignorMember> members = {
        {"c0", {"t0"}, {}}, {"c1", {"t0", "t1"}, {}}, {"c2", {"t0", "t1", "t2"}, {}}};
    CHECK(Layout("roundrobin", members, {{"t0", 1}, {"t1", 2}, {"t2", 3}}) ==
          "c0[t00] c1[t10] c2[t11 t20 t21 t22]");
  }
}

TEST_CASE("assignors skip missing topics and list every member") {
  std::vector<AssignorMember> members = {{"a", {"t", "gone"}, {}}, {"b", {"gone"}, {}},
                                         {"c", {"t", "t"}, {}}};
  const PartitionCounts counts = {{"t", 3}, {"unsubscribed", 4}};
  CHECK(Layout("range", members, counts) == "a[t0 t1] b[] c[t2]");
  CHECK(Layout("roundrobin", members, counts) == "a[t0 t2] b[] c[t1]");
  CHECK(Loads(Named("cooperative-sticky").Assign(members, counts)) ==
        std::map<std::string, size_t>{{"a", 2}, {"b", 0}, {"c", 1}});
  for (std::string_view name : {"range", "roundrobin", "cooperative-sticky"}) {
    CHECK(Named(name).Assign({}, counts).empty());
    CHECK(Layout(name, members, {}) == "a[] b[] c[]");
  }
}

TEST_CASE("cooperative-sticky assignor balances a fresh group") {
  auto members = Members(3, {"t", "u"});
  Assignment assignment = Named("cooperative-sticky").Assign(members, {{"t", 4}, {"u", 3}});
  CheckComplete(members, {{"t", 4}, {"u", 3}}, assignment);
  CHECK(Spread(assignment) == 1);
}

// m00..m02 own an earlier sticky assignment of t's 6 partitions; m03 has just joined.
std::vector<AssignorMember> SixPartitionsAndAJoiner(const PartitionCounts& counts) {
  auto members = Members(3, {"t"});
  Adopt(Named("cooperative-sticky").Assign(members, counts), &members);
  members.push_back({"m03", {"t"}, {}});
  return members;
}

TEST_CASE("cooperative-sticky assignor moves the fewest partitions when a member joins") {
  const Assignor& sticky = Named("cooperative-sticky");
  const PartitionCounts counts = {{"t", 6}};
  auto members = SixPartitionsAndAJoiner(counts);

  Assignment next = sticky.Assign(members, counts);
  CheckComplete(members, counts, next);
  // 6 over 4 is 2, 2, 1, 1: one old member gives one partition to the new one.
  CHECK(Kept(members, next) == 5);
  CHECK(next.at("m03").size() == 1);
  CHECK(Spread(next) == 1);

  SUBCASE("several members join a larger group") {
    auto many = Members(3, {"t", "u"});
    const PartitionCounts two_topics = {{"t", 10}, {"u", 7}};
    Adopt(sticky.Assign(many, two_topics), &many);  // 6, 6, 5.
    many.push_back({"m03", {"t", "u"}, {}});
    many.push_back({"m04", {"t", "u"}, {}});
    Assignment after = sticky.Assign(many, two_topics);
    CheckComplete(many, two_topics, after);
    // 17 over 5 is 4, 4, 3, 3, 3: the old members keep 4 + 4 + 3.
    CHECK(Kept(many, after) == 11);
    CHECK(Spread(after) == 1);
  }
}

TEST_CASE("cooperative-sticky assignor moves only a leaving member's partitions") {
  const Assignor& sticky = Named("cooperative-sticky");
  const PartitionCounts counts = {{"t", 9}, {"u", 5}};
  auto members = Members(4, {"t", "u"});
  Adopt(sticky.Assign(members, counts), &members);
  const auto left = members[1].owned;
  members.erase(members.begin() + 1);

  Assignment next = sticky.Assign(members, counts);
  CheckComplete(members, counts, next);
  CHECK(Spread(next) <= 1);
  size_t owned = 0;
  for (const AssignorMember& member : members) owned += member.owned.size();
  CHECK(Kept(members, next) == owned);
  size_t taken_over = 0;
  for (const AssignorMember& member : members) taken_over += next.at(member.member_id).size();
  CHECK(taken_over - owned == left.size());
}

TEST_CASE("cooperative-sticky assignor ignores owned partitions it cannot keep") {
  const Assignor& sticky = Named("cooperative-sticky");
  std::vector<AssignorMember> members = {
      // b also claims t0: it stays with a, the first in member-id order.
      {"b", {"t"}, {Tp("t", 0), Tp("t", 1)}},
      // u is not subscribed any more, t7 and t-1 do not exist.
      {"a", {"t"}, {Tp("u", 0), Tp("t", 7), Tp("t", -1), Tp("t", 0), Tp("t", 0)}},
      {"c", {"u"}, {}}};
  CHECK(Layout("cooperative-sticky", members, {{"t", 2}, {"u", 1}}) == "a[t0] b[t1] c[u0]");

  SUBCASE("the owner that keeps a doubly claimed partition does not depend on input order") {
    std::reverse(members.begin(), members.end());
    CHECK(Describe(sticky.Assign(members, {{"t", 2}, {"u", 1}})) == "a[t0] b[t1] c[u0]");
  }
}

TEST_CASE("WithholdOwnedElsewhere removes assigned partitions that another member owns") {
  std::vector<AssignorMember> members = {{"a", {"t"}, {Tp("t", 0), Tp("t", 1), Tp("t", 5)}},
                                         {"b", {"t"}, {Tp("t", 2), Tp("t", 5)}},
                                         {"c", {"t"}, {}}};
  Assignment target = {{"a", {Tp("t", 0), Tp("t", 5)}},
                       {"b", {Tp("t", 1), Tp("t", 2), Tp("t", 3)}},
                       {"c", {Tp("t", 4)}}};
  // t1 waits for a to revoke it; t5 is claimed by a and b, so neither may get it yet.
  CHECK(WithholdOwnedElsewhere(members, &target) ==
        std::vector<TopicPartition>{Tp("t", 1), Tp("t", 5)});
  CHECK(Describe(target) == "a[t0] b[t2 t3] c[t4]");

  Assignment none = target;
  CHECK(WithholdOwnedElsewhere(members, &none).empty());
  CHECK(none == target);
}

TEST_CASE("a cooperative rebalance converges in two steps to the sticky assignment") {
  const Assignor& sticky = Named("cooperative-sticky");
  const PartitionCounts counts = {{"t", 6}};
  auto members = SixPartitionsAndAJoiner(counts);

  // Step 1: the partition that moves to m03 is withheld while its old owner still has it.
  const Assignment balanced = sticky.Assign(members, counts);
  Assignment first = balanced;
  std::vector<TopicPartition> withheld = WithholdOwnedElsewhere(members, &first);
  REQUIRE(withheld.size() == 1);
  CHECK(balanced.at("m03") == withheld);
  CHECK(first.at("m03").empty());
  Adopt(first, &members);  // The old owner revoked it and rejoins without it.

  // Step 2: the now unowned partition goes to the same, least loaded, member.
  Assignment second = sticky.Assign(members, counts);
  CHECK(WithholdOwnedElsewhere(members, &second).empty());
  CHECK(second == balanced);
}

// Random groups: members 1..20, topics 1..5 with 1..50 partitions each, random subscriptions
// (some to a missing topic, some repeated) and random owned partitions (some invalid, some
// claimed twice).
struct RandomGroup {
  std::vector<AssignorMember> members;
  PartitionCounts counts;
};

RandomGroup MakeRandomGroup(std::mt19937& rng, bool same_subscription) {
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomGroup group;
  const int topics = uniform(1, 5);
  for (int t = 0; t < topics; ++t) group.counts[fmt::format("t{}", t)] = uniform(1, 50);
  auto random_topics = [&] {
    std::vector<std::string> chosen;
    for (int t = 0; t <= topics; ++t) {  // t == topics names a topic that does not exist.
      if (uniform(0, 2) == 0) chosen.push_back(fmt::format("t{}", t));
    }
    if (chosen.empty()) chosen.push_back("t0");
    if (uniform(0, 9) == 0) chosen.push_back(chosen.front());
    return chosen;
  };
  const std::vector<std::string> shared = random_topics();
  const int members = uniform(1, 20);
  for (int m = 0; m < members; ++m) {
    AssignorMember member{fmt::format("m{:02}", m), same_subscription ? shared : random_topics(),
                          {}};
    const int owned = uniform(0, 30);
    for (int i = 0; i < owned; ++i) {
      member.owned.push_back(Tp(fmt::format("t{}", uniform(0, topics)), uniform(-1, 50)));
    }
    group.members.push_back(std::move(member));
  }
  std::shuffle(group.members.begin(), group.members.end(), rng);
  return group;
}

// The same group with members, subscriptions and owned lists in another order.
std::vector<AssignorMember> Shuffled(std::vector<AssignorMember> members, std::mt19937& rng) {
  std::shuffle(members.begin(), members.end(), rng);
  for (AssignorMember& member : members) {
    std::shuffle(member.topics.begin(), member.topics.end(), rng);
    std::shuffle(member.owned.begin(), member.owned.end(), rng);
  }
  return members;
}

TEST_CASE("assignors on random groups: complete, balanced, deterministic") {
  std::mt19937 rng(20240611);
  for (int iteration = 0; iteration < 300; ++iteration) {
    const bool same_subscription = iteration % 2 == 0;
    RandomGroup group = MakeRandomGroup(rng, same_subscription);
    CAPTURE(iteration);
    for (std::string_view name : {"range", "roundrobin", "cooperative-sticky"}) {
      CAPTURE(name);
      const Assignment assignment = Named(name).Assign(group.members, group.counts);
      CheckComplete(group.members, group.counts, assignment);
      CHECK(Named(name).Assign(Shuffled(group.members, rng), group.counts) == assignment);
      if (same_subscription && name != "range") CHECK(Spread(assignment) <= 1);
      if (name == "cooperative-sticky") CheckNoImprovingMove(group.members, assignment);
    }
  }
}

TEST_CASE("cooperative-sticky assignor on random groups keeps the most owned partitions") {
  std::mt19937 rng(7);
  const Assignor& sticky = Named("cooperative-sticky");
  for (int iteration = 0; iteration < 200; ++iteration) {
    CAPTURE(iteration);
    RandomGroup group = MakeRandomGroup(rng, /*same_subscription=*/true);
    // Valid, disjoint owned sets: an earlier assignment, then members come and go.
    Adopt(sticky.Assign(group.members, group.counts), &group.members);
    std::shuffle(group.members.begin(), group.members.end(), rng);
    group.members.resize(1 + rng() % group.members.size());
    for (int joined = rng() % 4; joined > 0; --joined) {
      group.members.push_back({fmt::format("new{}", joined), group.members[0].topics, {}});
    }

    const Assignment assignment = sticky.Assign(group.members, group.counts);
    CheckComplete(group.members, group.counts, assignment);
    CHECK(Spread(assignment) <= 1);
    // The best possible: the members owning the most get the larger shares.
    const size_t total = [&] {
      size_t sum = 0;
      for (const auto& [member, partitions] : assignment) sum += partitions.size();
      return sum;
    }();
    const size_t count = group.members.size();
    std::vector<size_t> owned;
    for (const AssignorMember& member : group.members) owned.push_back(member.owned.size());
    std::sort(owned.rbegin(), owned.rend());
    size_t best = 0;
    for (size_t i = 0; i < count; ++i) {
      best += std::min(owned[i], total / count + (i < total % count ? 1 : 0));
    }
    CHECK(Kept(group.members, assignment) == best);
  }
}

// After the rounds: the members own a complete assignment in which no move improves balance.
void CheckSettled(const RandomGroup& group) {
  Assignment owned;
  for (const AssignorMember& member : group.members) owned[member.member_id] = member.owned;
  CheckComplete(group.members, group.counts, owned);
  CheckNoImprovingMove(group.members, owned);
}

TEST_CASE("cooperative rebalances of random groups never assign a partition owned elsewhere") {
  std::mt19937 rng(99);
  for (int iteration = 0; iteration < 100; ++iteration) {
    CAPTURE(iteration);
    const bool same_subscription = iteration % 2 == 0;
    RandomGroup group = MakeRandomGroup(rng, same_subscription);
    const int rounds = RunCooperativeRounds(group.counts, &group.members);
    // From arbitrary claims: the first round settles the owners, the second hands over.
    // Different subscriptions may take a few more (the second round can place a handed-over
    // partition elsewhere, and rebalance again).
    if (same_subscription) CHECK(rounds <= 2);
    CHECK(rounds < kMaxRounds);
    CheckSettled(group);

    group.members.push_back({"joiner", group.members[0].topics, {}});
    const int join_rounds = RunCooperativeRounds(group.counts, &group.members);
    if (same_subscription) CHECK(join_rounds <= 2);
    CHECK(join_rounds < kMaxRounds);
    CheckSettled(group);

    // The leaver's partitions are nobody's: they move at once.
    group.members.erase(group.members.begin());
    const int leave_rounds = RunCooperativeRounds(group.counts, &group.members);
    if (same_subscription) CHECK(leave_rounds == 1);
    CHECK(leave_rounds < kMaxRounds);
    CheckSettled(group);
  }
}

TEST_CASE("cooperative-sticky assignor handles 100 members and 10,000 partitions") {
  const Assignor& sticky = Named("cooperative-sticky");
  std::vector<std::string> topics;
  PartitionCounts counts;
  for (int t = 0; t < 10; ++t) {
    topics.push_back(fmt::format("topic{}", t));
    counts[topics.back()] = 1000;
  }
  auto members = Members(100, topics);
  Adopt(sticky.Assign(members, counts), &members);
  CHECK(Spread(sticky.Assign(members, counts)) == 0);
  members.push_back({"m100", topics, {}});

  Assignment next = sticky.Assign(members, counts);
  CheckComplete(members, counts, next);
  // 10,000 over 101 is one member with 100 and 100 with 99: the new member gets 99, one from
  // each of 99 old members.
  CHECK(Spread(next) <= 1);
  CHECK(next.at("m100").size() == 99);
  CHECK(Kept(members, next) == 10000 - 99);
}

}  // namespace
}  // namespace brook::group
