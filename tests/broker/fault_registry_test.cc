// Tests of broker/faults/fault_registry.h and request_names.h: validation of rules, matching
// by API, listener, topic and group, counts, deterministic shares, and clearing.
#include "broker/faults/fault_registry.h"

#include <doctest/doctest.h>

#include <vector>

#include "broker/brook_handler.h"
#include "broker/faults/request_names.h"
#include "protocol/absl_compat.h"
#include "protocol/kafka/messages/find_coordinator.h"
#include "protocol/kafka/messages/offsets.h"
#include "protocol/messages.h"

namespace brook::faults {
namespace {

constexpr int16_t kProduce = 0;
constexpr int16_t kFindCoordinator = 10;
constexpr int16_t kKafkaAlterConfigs = 33;
constexpr int16_t kBrookAlterConfigs = 44;  // Kafka's IncrementalAlterConfigs number.

// brook's real API table, and a few Kafka rows (one without an error answer).
FaultRegistry MakeRegistry() {
  std::vector<ServedApi> apis = BrookApis();
  apis.push_back({FaultListener::kKafka, kProduce, "Produce", true});
  apis.push_back({FaultListener::kKafka, kFindCoordinator, "FindCoordinator", true});
  apis.push_back({FaultListener::kKafka, kKafkaAlterConfigs, "AlterConfigs", true});
  apis.push_back({FaultListener::kKafka, 60, "DescribeCluster", false});
  return FaultRegistry(std::move(apis));
}

FaultRule Error(std::string api, int16_t code = 6) {
  FaultRule rule;
  rule.api = std::move(api);
  rule.error_code = code;
  return rule;
}

ErrorCode CodeOfAdd(FaultRegistry& registry, const FaultRule& rule) {
  return CodeOf(registry.Add(rule).status());
}

TEST_CASE("faults: a fresh registry is not armed and matches nothing") {
  FaultRegistry registry = MakeRegistry();
  CHECK_FALSE(registry.armed());
  CHECK_FALSE(registry.Match(FaultListener::kKafka, kProduce, {}));
  CHECK(registry.List().empty());
}

TEST_CASE("faults: an error rule fires for its count, then stays listed, spent") {
  FaultRegistry registry = MakeRegistry();
  FaultRule rule = Error("produce");
  rule.count = 3;
  absl::StatusOr<int32_t> id = registry.Add(rule);
  REQUIRE(id.ok());
  CHECK(*id == 1);
  CHECK(registry.armed());
  for (int i = 0; i < 3; ++i) {
    std::optional<FaultHit> hit = registry.Match(FaultListener::kKafka, kProduce, {});
    REQUIRE(hit);
    CHECK(hit->rule_id == 1);
    CHECK(hit->action == FaultAction::kError);
    CHECK(hit->error_code == 6);
  }
  CHECK_FALSE(registry.armed());
  CHECK_FALSE(registry.Match(FaultListener::kBrook, kProduce, {}));
  std::vector<FaultState> listed = registry.List();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].api == "Produce");  // The table's spelling.
  CHECK(listed[0].remaining == 0);
  CHECK(listed[0].fired == 3);
  CHECK(listed[0].matched == 3);
}

TEST_CASE("faults: the listener, the API, the topic and the group must all match") {
  FaultRegistry registry = MakeRegistry();
  FaultRule rule = Error("Produce");
  rule.listener = FaultListener::kKafka;
  rule.topic = "orders";
  rule.count = kFaultUnlimited;
  REQUIRE(registry.Add(rule).ok());
  const RequestNames orders{{"payments", "orders"}, {}};
  CHECK_FALSE(registry.Match(FaultListener::kBrook, kProduce, orders));
  CHECK_FALSE(registry.Match(FaultListener::kKafka, 1, orders));
  CHECK_FALSE(registry.Match(FaultListener::kKafka, kProduce, {{"payments"}, {}}));
  CHECK_FALSE(registry.Match(FaultListener::kKafka, kProduce, {}));
  CHECK(registry.Match(FaultListener::kKafka, kProduce, orders));

  FaultRule group = Error("FindCoordinator", 16);
  group.group = "billing";
  REQUIRE(registry.Add(group).ok());
  CHECK_FALSE(registry.Match(FaultListener::kKafka, kFindCoordinator, {{}, {"other"}}));
  std::optional<FaultHit> hit = registry.Match(FaultListener::kKafka, kFindCoordinator,
                                               {{}, {"billing"}});
  REQUIRE(hit);
  CHECK(hit->error_code == 16);
}

TEST_CASE("faults: a name is resolved per listener: AlterConfigs is 44 on brook, 33 on Kafka") {
  FaultRegistry registry = MakeRegistry();
  FaultRule rule = Error("AlterConfigs");
  rule.count = kFaultUnlimited;
  REQUIRE(registry.Add(rule).ok());
  CHECK(registry.Match(FaultListener::kBrook, kBrookAlterConfigs, {}));
  CHECK(registry.Match(FaultListener::kKafka, kKafkaAlterConfigs, {}));
  CHECK_FALSE(registry.Match(FaultListener::kKafka, kBrookAlterConfigs, {}));
  // A key names the same number on both listeners.
  FaultRule by_key = Error("44");
  by_key.listener = FaultListener::kKafka;
  CHECK(CodeOfAdd(registry, by_key) == ErrorCode::kInvalidRequest);  // Not in this catalog.
  by_key.listener = FaultListener::kBrook;
  absl::StatusOr<int32_t> id = registry.Add(by_key);
  REQUIRE(id.ok());
  CHECK(registry.List().back().api == "44");
}

TEST_CASE("faults: a share fires on the 1st match, then on p of every 100, evenly") {
  FaultRegistry registry = MakeRegistry();
  FaultRule rule;
  rule.action = FaultAction::kDrop;
  rule.api = "Produce";
  rule.share_percent = 30;
  rule.count = kFaultUnlimited;
  REQUIRE(registry.Add(rule).ok());
  std::vector<int> fired;
  for (int n = 1; n <= 100; ++n) {
    if (registry.Match(FaultListener::kKafka, kProduce, {})) fired.push_back(n);
  }
  CHECK(fired.size() == 30);
  CHECK(std::vector<int>(fired.begin(), fired.begin() + 4) == std::vector<int>{1, 4, 7, 11});
  const FaultState state = registry.List().at(0);
  CHECK(state.matched == 100);
  CHECK(state.fired == 30);
  CHECK(state.remaining == kFaultUnlimited);
}

TEST_CASE("faults: rules are tried in id order; the first that fires takes the request") {
  FaultRegistry registry = MakeRegistry();
  FaultRule half = Error("Produce", 6);
  half.share_percent = 50;
  half.count = kFaultUnlimited;
  FaultRule always = Error("Produce", 5);
  always.count = kFaultUnlimited;
  REQUIRE(registry.Add(half).ok());
  REQUIRE(registry.Add(always).ok());
  std::vector<int16_t> codes;
  for (int i = 0; i < 4; ++i) {
    codes.push_back(registry.Match(FaultListener::kKafka, kProduce, {})->error_code);
  }
  CHECK(codes == std::vector<int16_t>{6, 5, 6, 5});
  CHECK(registry.List().at(1).matched == 2);  // It saw only what the first let through.
}

TEST_CASE("faults: a rule without an API skips brook's test-control APIs") {
  FaultRegistry registry = MakeRegistry();
  FaultRule rule;
  rule.action = FaultAction::kDelay;
  rule.delay_ms = 5;
  rule.count = kFaultUnlimited;
  REQUIRE(registry.Add(rule).ok());
  CHECK(registry.Match(FaultListener::kBrook, 1003, {}));
  CHECK_FALSE(registry.Match(FaultListener::kBrook, static_cast<int16_t>(ApiKey::kFaultClear), {}));
  CHECK_FALSE(registry.Match(FaultListener::kBrook, 1004, {}));
  CHECK(registry.Match(FaultListener::kKafka, 18, {}));
}

TEST_CASE("faults: bad rules are refused with a reason") {
  FaultRegistry registry = MakeRegistry();
  CHECK(CodeOfAdd(registry, Error("")) == ErrorCode::kInvalidRequest);        // error, any API
  CHECK(CodeOfAdd(registry, Error("Produce", 0)) == ErrorCode::kInvalidRequest);
  CHECK(CodeOfAdd(registry, Error("Prodce")) == ErrorCode::kInvalidRequest);
  CHECK(CodeOfAdd(registry, Error("FaultClear")) == ErrorCode::kInvalidRequest);
  CHECK(CodeOfAdd(registry, Error("1008")) == ErrorCode::kInvalidRequest);
  CHECK(CodeOfAdd(registry, Error("DescribeCluster")) == ErrorCode::kInvalidRequest);
  FaultRule brook_only = Error("FindCoordinator");
  brook_only.listener = FaultListener::kBrook;
  CHECK(CodeOfAdd(registry, brook_only) == ErrorCode::kInvalidRequest);
  FaultRule rule = Error("Produce");
  rule.count = 0;
  CHECK(CodeOfAdd(registry, rule) == ErrorCode::kInvalidRequest);
  rule.count = 1;
  rule.share_percent = 0;
  CHECK(CodeOfAdd(registry, rule) == ErrorCode::kInvalidRequest);
  rule.share_percent = 101;
  CHECK(CodeOfAdd(registry, rule) == ErrorCode::kInvalidRequest);
  rule.share_percent = 100;
  rule.topic = "";
  CHECK(CodeOfAdd(registry, rule) == ErrorCode::kInvalidRequest);
  rule.topic.reset();
  rule.listener = static_cast<FaultListener>(7);
  CHECK(CodeOfAdd(registry, rule) == ErrorCode::kInvalidRequest);
  FaultRule delay;
  delay.action = FaultAction::kDelay;
  CHECK(CodeOfAdd(registry, delay) == ErrorCode::kInvalidRequest);  // 0 ms
  delay.delay_ms = 600001;
  CHECK(CodeOfAdd(registry, delay) == ErrorCode::kInvalidRequest);
  // A delay or a drop works on an API without an error answer.
  delay.delay_ms = 10;
  delay.api = "DescribeCluster";
  CHECK(registry.Add(delay).ok());
  CHECK(registry.List().size() == 1);
  CHECK(MessageOf(registry.Add(Error("Prodce")).status()) ==
        "no API 'Prodce' is served by either listener");
}

TEST_CASE("faults: clear removes one rule or all; an unknown id is an error") {
  FaultRegistry registry = MakeRegistry();
  REQUIRE(registry.Add(Error("Produce")).ok());
  REQUIRE(registry.Add(Error("Fetch")).ok());
  REQUIRE(registry.Add(Error("Metadata")).ok());
  CHECK(*registry.Clear(2) == 1);
  CHECK(CodeOf(registry.Clear(2).status()) == ErrorCode::kInvalidRequest);
  CHECK(registry.List().size() == 2);
  CHECK(*registry.Clear(kClearAllFaults) == 2);
  CHECK_FALSE(registry.armed());
  CHECK(*registry.Clear(kClearAllFaults) == 0);
  absl::StatusOr<int32_t> next = registry.Add(Error("Produce"));
  CHECK(*next == 4);  // Ids are never reused.
}

TEST_CASE("faults: NamesOf finds the topics and groups of both protocols' requests") {
  ProduceRequest produce;
  produce.topics = {{"orders", {}}, {"payments", {}}};
  CHECK(NamesOf(produce).topics == std::vector<std::string_view>{"orders", "payments"});

  OffsetCommitRequest commit;
  commit.group_id = "billing";
  commit.topics = {{"orders", {}}};
  RequestNames names = NamesOf(commit);
  CHECK(names.groups == std::vector<std::string_view>{"billing"});
  CHECK(names.topics == std::vector<std::string_view>{"orders"});

  kafka::FindCoordinatorRequest find;
  find.key = "billing";
  CHECK(NamesOf(find).groups == std::vector<std::string_view>{"billing"});
  find.key_type = kafka::kCoordinatorTransaction;
  CHECK(NamesOf(find).groups.empty());

  kafka::OffsetFetchRequest fetch;  // Version 8: several groups, each with its topics.
  fetch.groups = {{"a", std::vector<kafka::OffsetFetchRequest::Topic>{{"t", {0}}}}, {"b", {}}};
  names = NamesOf(fetch);
  CHECK(names.groups == std::vector<std::string_view>{"", "a", "b"});
  CHECK(names.topics == std::vector<std::string_view>{"t"});
}

}  // namespace
}  // namespace brook::faults
