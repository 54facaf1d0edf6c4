// Admin's CreatePartitions and DeleteRecords against a real broker (EmbeddedBroker), with
// brook's own producers and consumers on the grown and the trimmed partitions.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "client/consumer.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"
#include "tests/support/embedded_fixture.h"

namespace brook {
namespace {

using std::chrono::milliseconds;

EmbeddedBrokerOptions NoInitialDelay() {
  EmbeddedBrokerOptions options;
  options.config.group_initial_rebalance_delay = milliseconds(0);
  return options;
}

struct Fixture : testing::EmbeddedFixture {
  // Records sent before a Flush go in one batch.
  Fixture() : EmbeddedFixture(NoInitialDelay(), {.acks = -1, .linger = milliseconds(10000)}) {}

  std::unique_ptr<Consumer> NewConsumer(const std::string& group = "") {
    auto consumer = Consumer::Create({.bootstrap = broker.bootstrap(),
                                      .auto_offset_reset = OffsetReset::kEarliest,
                                      .group_id = group});
    REQUIRE(consumer.ok());
    return *std::move(consumer);
  }

  // Sends `values` to one partition of `topic`, and waits for them.
  void Produce(Producer& to, const std::string& topic, int32_t partition,
               const std::vector<std::string>& values) {
    for (const std::string& value : values) {
      to.Send({.topic = topic, .partition = partition, .value = value}, nullptr);
    }
    REQUIRE(to.Flush().ok());
  }

  int64_t LogStart(const std::string& topic, int32_t partition) {
    auto earliest = admin->ListOffsets({topic, PartitionId(partition)}, kEarliestTimestamp);
    REQUIRE(earliest.ok());
    return earliest->offset;
  }
};

// Polls until `want` records arrived or 20 s passed: {partition, offset} -> value.
std::map<std::pair<int32_t, int64_t>, std::string> PollFor(Consumer& consumer, size_t want) {
  std::map<std::pair<int32_t, int64_t>, std::string> seen;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.size() < want && std::chrono::steady_clock::now() < give_up) {
    auto records = consumer.Poll(milliseconds(200));
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) {
      seen[{r.partition, r.offset}] = std::string(r.value.value_or(""));
    }
  }
  return seen;
}

TEST_CASE_FIXTURE(Fixture, "after CreatePartitions a group member reads what a producer writes there") {
  REQUIRE(admin->CreateTopic({.name = "grow", .partitions = 2}).ok());
  std::unique_ptr<Consumer> member = NewConsumer("g");
  REQUIRE(member->Subscribe({"grow"}).ok());
  Produce(*producer, "grow", 1, {"old"});
  REQUIRE(PollFor(*member, 1).size() == 1);
  REQUIRE(member->Assignment().size() == 2);

  REQUIRE(admin->CreatePartitions("grow", 4).ok());
  auto described = admin->DescribeTopic("grow");
  REQUIRE(described.ok());
  REQUIRE(described->partitions.size() == 4);
  CHECK(described->partitions[3].log_end_offset == 0);

  // A producer started now knows 4 partitions; the member is given the new ones.
  auto fresh = Producer::Create({.bootstrap = broker.bootstrap(), .acks = -1});
  REQUIRE(fresh.ok());
  Produce(**fresh, "grow", 2, {"two"});
  Produce(**fresh, "grow", 3, {"three-a", "three-b"});
  const auto seen = PollFor(*member, 3);
  CHECK(seen == std::map<std::pair<int32_t, int64_t>, std::string>{
                    {{2, 0}, "two"}, {{3, 0}, "three-a"}, {{3, 1}, "three-b"}});
  CHECK(member->Assignment().size() == 4);
}

TEST_CASE_FIXTURE(Fixture, "CreatePartitions errors carry the broker's message") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 3}).ok());
  absl::Status same = admin->CreatePartitions("t", 3);
  CHECK(CodeOf(same) == ErrorCode::kInvalidPartitions);
  CHECK(MessageOf(same) == "topic 't' already has 3 partitions");
  CHECK(CodeOf(admin->CreatePartitions("t", 2)) == ErrorCode::kInvalidPartitions);
  CHECK(CodeOf(admin->CreatePartitions("missing", 5)) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(admin->CreatePartitions("t", 5, /*validate_only=*/true).ok());
  CHECK(admin->DescribeTopic("t")->partitions.size() == 3);
}

TEST_CASE_FIXTURE(Fixture, "after DeleteRecords a consumer from the beginning starts at the low watermark") {
  REQUIRE(admin->CreateTopic({.name = "d", .partitions = 2}).ok());
  std::vector<std::string> values;
  for (int i = 0; i < 10; ++i) values.push_back("v" + std::to_string(i));
  Produce(*producer, "d", 0, values);  // One batch: offset 4 is inside it.
  Produce(*producer, "d", 1, {"a", "b"});

  absl::StatusOr<int64_t> low = admin->DeleteRecords({"d", PartitionId(0)}, 4);
  REQUIRE(low.ok());
  CHECK(*low == 4);
  CHECK(LogStart("d", 0) == 4);
  CHECK(admin->DescribeTopic("d")->partitions[0].log_start_offset == 4);
  CHECK(*admin->DeleteRecords({"d", PartitionId(0)}, 2) == 4);  // Already below: nothing.

  std::unique_ptr<Consumer> consumer = NewConsumer();
  REQUIRE(consumer->Assign({{"d", PartitionId(0)}, {"d", PartitionId(1)}}).ok());
  const auto seen = PollFor(*consumer, 8);
  REQUIRE(seen.size() == 8);
  CHECK(seen.begin()->first == std::pair<int32_t, int64_t>{0, 4});
  CHECK(seen.begin()->second == "v4");
  CHECK(seen.contains({1, 0}));

  // A consumer positioned below the log start is reset to it (auto_offset_reset earliest).
  std::unique_ptr<Consumer> behind = NewConsumer();
  REQUIRE(behind->Assign({{"d", PartitionId(0)}}).ok());
  REQUIRE(behind->Seek({"d", PartitionId(0)}, 1).ok());
  CHECK(PollFor(*behind, 6).begin()->first.second == 4);

  // Everything (-1): the partition continues at its log end.
  CHECK(*admin->DeleteRecords({"d", PartitionId(1)}, kDeleteToHighWatermark) == 2);
  Produce(*producer, "d", 1, {"c"});
  std::unique_ptr<Consumer> after = NewConsumer();
  REQUIRE(after->Assign({{"d", PartitionId(1)}}).ok());
  const auto rest = PollFor(*after, 1);
  CHECK(rest == std::map<std::pair<int32_t, int64_t>, std::string>{{{1, 2}, "c"}});
}

TEST_CASE_FIXTURE(Fixture, "DeleteRecords errors carry the broker's message") {
  REQUIRE(admin->CreateTopic({.name = "d"}).ok());
  REQUIRE(admin->CreateTopic({.name = "c", .configs = {{"cleanup.policy", "compact"}}}).ok());
  Produce(*producer, "d", 0, {"x", "y"});
  absl::StatusOr<int64_t> above = admin->DeleteRecords({"d", PartitionId(0)}, 3);
  CHECK(CodeOf(above.status()) == ErrorCode::kOffsetOutOfRange);
  CHECK(MessageOf(above.status()) == "cannot delete records before offset 3: the log is [0, 2)");
  CHECK(CodeOf(admin->DeleteRecords({"d", PartitionId(1)}, 0).status()) ==
        ErrorCode::kUnknownTopicOrPartition);
  CHECK(CodeOf(admin->DeleteRecords({"c", PartitionId(0)}, 0).status()) ==
        ErrorCode::kPolicyViolation);
  CHECK(LogStart("d", 0) == 0);
}

}  // namespace
}  // namespace brook
