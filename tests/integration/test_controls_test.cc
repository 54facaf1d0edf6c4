// The test controls over TCP (broker/test_controls.h): ResetBroker while clients stay
// connected, and a manual clock that retention, group sessions, the initial rebalance delay
// and broker-assigned timestamps follow. Admin (client/admin.h) and EmbeddedBroker both.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "protocol/error_codes.h"
#include "protocol/record_batch.h"
#include "tests/broker/call.h"
#include "tests/support/batches.h"
#include "tests/support/keyed_records.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;
using testing::Roundtrip;

constexpr int64_t kDayMs = 86'400'000;

EmbeddedBrokerOptions Options(ClockMode clock,
                              std::chrono::milliseconds initial_delay = 0ms) {
  EmbeddedBrokerOptions options;
  options.config.clock = clock;
  options.config.group_initial_rebalance_delay = initial_delay;
  return options;
}

std::unique_ptr<Admin> AdminOf(const EmbeddedBroker& broker) {
  auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  return *std::move(admin);
}

ErrorCode ProduceTo(RawClient& client, const std::string& topic, const std::string& value,
                    int64_t timestamp_ms = 1000) {
  ProduceRequest produce;
  const std::string batch = testing::MakeBatch({value}, timestamp_ms);
  produce.topics.push_back({topic, {{0, batch}}});
  auto reply = Roundtrip(client, produce);
  REQUIRE(reply.first.error_code == ErrorCode::kNone);
  return reply.second.topics.at(0).partitions.at(0).error_code;
}

JoinGroupRequest JoinOf(const std::string& group, int32_t session_timeout_ms) {
  JoinGroupRequest join;
  join.group_id = group;
  join.session_timeout_ms = session_timeout_ms;
  join.rebalance_timeout_ms = 1000;
  join.topics = {"t"};
  return join;
}

ErrorCode Heartbeat(RawClient& client, const std::string& group, const JoinGroupResponse& joined) {
  HeartbeatRequest heartbeat{group, joined.member_id, joined.generation_id};
  return Roundtrip(client, heartbeat).first.error_code;
}

int64_t LogStart(Admin& admin, const std::string& topic) {
  auto described = admin.DescribeTopic(topic);
  REQUIRE(described.ok());
  return described->partitions.at(0).log_start_offset;
}

TEST_CASE("ResetBroker drops topics, groups and offsets; connected clients see a new broker") {
  EmbeddedBroker broker(Options(ClockMode::kSystem));
  auto admin = AdminOf(broker);
  RawClient client(broker.bootstrap());
  RawClient waiting(broker.bootstrap());
  REQUIRE(admin->CreateTopic({.name = "orders", .partitions = 2}).ok());
  REQUIRE(admin->CreateTopic({.name = "t"}).ok());
  REQUIRE(ProduceTo(client, "orders", "o1") == ErrorCode::kNone);
  REQUIRE(admin->AlterGroupOffsets("billing", {{{"orders", PartitionId(0)}, 1}}).ok());
  auto joined = Roundtrip(client, JoinOf("live", 10000));
  REQUIRE(joined.first.error_code == ErrorCode::kNone);

  // A long poll on "t" (nothing there yet) waits up to 20 s...
  FetchRequest fetch;
  fetch.max_wait_ms = 20000;
  fetch.min_bytes = 1;
  fetch.topics.push_back({"t", {{0, 0, 1 << 20}}});
  REQUIRE(waiting.Send(fetch, 7));
  CHECK_FALSE(waiting.ReadFrame(200).has_value());

  auto reset = admin->ResetBroker();
  REQUIRE(reset.ok());
  CHECK(reset->topics_deleted == 2);
  CHECK(reset->groups_deleted == 2);  // "billing" (offsets) and "live" (a member).

  // ...and is answered by the reset, long before.
  auto answer = waiting.ReadFrame(5000);
  REQUIRE(answer.has_value());
  auto fetched = testing::DecodeReply<FetchResponse>(*answer);
  REQUIRE(fetched);
  CHECK(fetched->second.topics.at(0).partitions.at(0).error_code ==
        ErrorCode::kUnknownTopicOrPartition);

  // The same connections go on, against an empty broker.
  CHECK(ProduceTo(client, "orders", "o2") == ErrorCode::kUnknownTopicOrPartition);
  CHECK(Heartbeat(client, "live", joined.second) == ErrorCode::kUnknownMemberId);
  CHECK(admin->ListTopics()->empty());
  CHECK(admin->ListGroups()->empty());
  CHECK(admin->ListGroupOffsets("billing")->empty());

  // A topic created again under the name starts empty.
  REQUIRE(admin->CreateTopic({.name = "orders"}).ok());
  auto described = admin->DescribeTopic("orders");
  REQUIRE(described.ok());
  CHECK(described->partitions.size() == 1);
  CHECK(described->partitions.at(0).log_end_offset == 0);
  CHECK(ProduceTo(client, "orders", "o3") == ErrorCode::kNone);
}

TEST_CASE("EmbeddedBroker's Reset and clock methods are the same controls") {
  EmbeddedBroker broker;
  auto admin = AdminOf(broker);
  REQUIRE(admin->CreateTopic({.name = "a"}).ok());
  auto reset = broker.Reset();
  REQUIRE(reset.ok());
  CHECK(reset->topics == 1);
  CHECK(reset->groups == 0);
  CHECK(admin->ListTopics()->empty());

  CHECK(CodeOf(broker.AdvanceClock(1h)) == ErrorCode::kInvalidRequest);
  broker.SetClockMode(ClockMode::kManual);
  CHECK(admin->GetClock()->mode == ClockMode::kManual);
  const int64_t start = broker.ClockNowMs();
  REQUIRE(broker.AdvanceClock(1h).ok());
  CHECK(admin->GetClock()->now_ms == start + 3'600'000);
  CHECK(CodeOf(broker.AdvanceClock(-1ms)) == ErrorCode::kInvalidRequest);
  CHECK(broker.ClockNowMs() == start + 3'600'000);
}

TEST_CASE("the clock: shown, switched to manual, advanced; refused while it is the system's") {
  EmbeddedBroker broker;
  auto admin = AdminOf(broker);
  auto shown = admin->GetClock();
  REQUIRE(shown.ok());
  CHECK(shown->mode == ClockMode::kSystem);
  CHECK(CodeOf(admin->AdvanceClock(1h).status()) == ErrorCode::kInvalidRequest);

  auto manual = admin->SetClockMode(ClockMode::kManual);
  REQUIRE(manual.ok());
  CHECK(manual->mode == ClockMode::kManual);
  CHECK(broker.clock_mode() == ClockMode::kManual);
  std::this_thread::sleep_for(20ms);
  CHECK(admin->GetClock()->now_ms == manual->now_ms);  // It stands still.
  auto advanced = admin->AdvanceClock(25h);
  REQUIRE(advanced.ok());
  CHECK(advanced->now_ms == manual->now_ms + 25 * 3'600'000);
  CHECK(broker.ClockNowMs() == advanced->now_ms);
  CHECK(CodeOf(admin->AdvanceClock(-1ms).status()) == ErrorCode::kInvalidRequest);

  auto system = admin->SetClockMode(ClockMode::kSystem);
  REQUIRE(system.ok());
  CHECK(system->now_ms >= advanced->now_ms);  // It runs on from there, never back.
}

TEST_CASE("advancing past retention.ms removes old segments at once, not before") {
  EmbeddedBroker broker(Options(ClockMode::kManual));
  auto admin = AdminOf(broker);
  RawClient client(broker.bootstrap());
  const std::string week = std::to_string(7 * kDayMs);
  REQUIRE(admin->CreateTopic({.name = "r", .configs = {{"retention.ms", week}}}).ok());
  REQUIRE(ProduceTo(client, "r", "old", broker.ClockNowMs()) == ErrorCode::kNone);
  REQUIRE(broker.AdvanceClock(std::chrono::milliseconds(2 * kDayMs)).ok());
  // Past segment.ms (1 h): this append opens a new segment; "old" is 2 days old.
  REQUIRE(ProduceTo(client, "r", "new", broker.ClockNowMs()) == ErrorCode::kNone);
  CHECK(LogStart(*admin, "r") == 0);

  // 7 days on, "old" is exactly retention.ms old: kept. 8 days on, it is gone as the call
  // returns (the advance waits for the log cleaner's pass): no waiting in the test.
  REQUIRE(admin->AdvanceClock(std::chrono::milliseconds(5 * kDayMs)).ok());
  CHECK(LogStart(*admin, "r") == 0);
  REQUIRE(admin->AdvanceClock(std::chrono::milliseconds(kDayMs)).ok());
  CHECK(LogStart(*admin, "r") == 1);
}

TEST_CASE("compaction lags and tombstone expiry follow the clock") {
  EmbeddedBroker broker(Options(ClockMode::kManual));
  auto admin = AdminOf(broker);
  RawClient client(broker.bootstrap());
  const std::string day = std::to_string(kDayMs);
  REQUIRE(admin
              ->CreateTopic({.name = "c",
                             .configs = {{"cleanup.policy", "compact"},
                                         {"min.compaction.lag.ms", day},
                                         {"delete.retention.ms", day}}})
              .ok());
  const int64_t now = broker.ClockNowMs();
  for (const std::string& batch :
       {testing::KeyedBatch({{"k1", "v1"}, {"k1", std::nullopt}}, now),
        testing::KeyedBatch({{"k2", "v2"}}, now)}) {
    ProduceRequest produce;
    produce.topics.push_back({"c", {{0, batch}}});
    REQUIRE(Roundtrip(client, produce).second.topics.at(0).partitions.at(0).error_code ==
            ErrorCode::kNone);
  }
  // Younger than min.compaction.lag.ms on the broker's clock: compaction leaves them.
  REQUIRE(admin->CompactTopic("c").ok());
  CHECK(testing::ReadKeyed(client, "c", 0).size() == 3);

  // Two days on, the advance's cleaner pass compacts: "v1" is superseded and its tombstone is
  // past delete.retention.ms; the partition's last record stays.
  REQUIRE(broker.AdvanceClock(std::chrono::milliseconds(2 * kDayMs)).ok());
  const std::vector<testing::KeyedRecord> left = testing::ReadKeyed(client, "c", 0);
  REQUIRE(left.size() == 1);
  CHECK(left[0].key == "k2");
}

TEST_CASE("an idempotent producer's window follows the clock: forgotten after its expiry") {
  EmbeddedBroker broker(Options(ClockMode::kManual));
  auto admin = AdminOf(broker);
  RawClient client(broker.bootstrap());
  REQUIRE(admin->CreateTopic({.name = "t"}).ok());
  const int64_t producer = Roundtrip(client, InitProducerIdRequest{}).second.producer_id;
  std::string batch = testing::MakeBatch({"once"}, broker.ClockNowMs());
  StampProducer(batch, {ProducerId(producer), ProducerEpoch(0), 0});
  auto append = [&] {
    ProduceRequest produce;
    produce.topics.push_back({"t", {{0, batch}}});
    const auto reply = Roundtrip(client, produce);
    REQUIRE(reply.second.topics.at(0).partitions.at(0).error_code == ErrorCode::kNone);
    return reply.second.topics.at(0).partitions.at(0).base_offset;
  };
  CHECK(append() == 0);
  CHECK(append() == 0);  // A retry within the window: the original offset, not appended.
  // producer.id.expiration.ms is a day: 25 hours later the broker has forgotten the producer,
  // so the same batch is new to it.
  REQUIRE(broker.AdvanceClock(25h).ok());
  CHECK(append() == 1);
}

TEST_CASE("a member whose heartbeats stop expires after an advance past its session, not before") {
  EmbeddedBroker broker(Options(ClockMode::kManual));
  auto admin = AdminOf(broker);
  RawClient client(broker.bootstrap());
  REQUIRE(admin->CreateTopic({.name = "t"}).ok());
  auto joined = Roundtrip(client, JoinOf("g", 200));
  REQUIRE(joined.first.error_code == ErrorCode::kNone);

  std::this_thread::sleep_for(500ms);  // Real time: 10 sweeps, and the session's 200 ms.
  CHECK(admin->DescribeGroup("g")->members.size() == 1);
  REQUIRE(broker.AdvanceClock(199ms).ok());
  CHECK(admin->DescribeGroup("g")->members.size() == 1);
  REQUIRE(broker.AdvanceClock(1ms).ok());
  // No members and no commits: the group is gone.
  CHECK(CodeOf(admin->DescribeGroup("g").status()) == ErrorCode::kGroupIdNotFound);
  CHECK(Heartbeat(client, "g", joined.second) == ErrorCode::kUnknownMemberId);
}

TEST_CASE("the initial rebalance delay follows a manual clock") {
  EmbeddedBroker broker(Options(ClockMode::kManual, 300ms));
  auto admin = AdminOf(broker);
  RawClient client(broker.bootstrap());
  REQUIRE(admin->CreateTopic({.name = "t"}).ok());
  REQUIRE(client.Send(JoinOf("g", 10000), 3));
  CHECK_FALSE(client.ReadFrame(500).has_value());  // 500 ms of real time: still waiting.
  REQUIRE(broker.AdvanceClock(300ms).ok());
  auto answer = client.ReadFrame(5000);
  REQUIRE(answer.has_value());
  auto joined = testing::DecodeReply<JoinGroupResponse>(*answer);
  REQUIRE(joined);
  CHECK(joined->first.error_code == ErrorCode::kNone);
  CHECK(joined->second.generation_id == 1);
}

TEST_CASE("broker-assigned timestamps follow the clock: a dead letter's copy") {
  EmbeddedBroker broker(Options(ClockMode::kManual));
  auto admin = AdminOf(broker);
  RawClient client(broker.bootstrap());
  REQUIRE(admin->CreateTopic({.name = "orders"}).ok());
  REQUIRE(ProduceTo(client, "orders", "poison") == ErrorCode::kNone);
  REQUIRE(broker.AdvanceClock(std::chrono::milliseconds(30 * kDayMs)).ok());
  DeadLetterRequest dead;
  dead.group_id = "billing";
  dead.topic = "orders";
  dead.reason = "test";
  auto copied = Roundtrip(client, dead);
  REQUIRE(copied.first.error_code == ErrorCode::kNone);

  FetchRequest fetch;
  fetch.topics.push_back({copied.second.dlq_topic, {{copied.second.dlq_partition, 0, 1 << 20}}});
  auto fetched = Roundtrip(client, fetch);
  REQUIRE(fetched.first.error_code == ErrorCode::kNone);
  auto batches = SplitBatches(fetched.second.topics.at(0).partitions.at(0).records);
  REQUIRE(batches.ok());
  REQUIRE(batches->size() == 1);
  std::string scratch;
  std::vector<RecordView> records;
  REQUIRE(DecodeRecords(batches->at(0), &scratch, &records).ok());
  REQUIRE(records.size() == 1);
  CHECK(records[0].timestamp == broker.ClockNowMs());
}

}  // namespace
}  // namespace brook
