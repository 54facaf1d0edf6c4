// The test controls seen through the Kafka listener: after ResetBroker a Kafka group member is
// fenced (UNKNOWN_MEMBER_ID: it joins again) and its topics are gone; a Kafka member's session
// expires on an advance of a manual clock, not before.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "protocol/consumer_protocol.h"
#include "protocol/kafka/messages/groups.h"
#include "protocol/kafka/messages/metadata.h"
#include "tests/kafka/kafka_frames.h"

namespace brook::kafka {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;

constexpr int16_t kMetadata = 3;
constexpr int16_t kJoinGroup = 11;
constexpr int16_t kHeartbeat = 12;
constexpr int16_t kSyncGroup = 14;

struct KafkaGroupFixture {
  EmbeddedBroker broker{[] {
    EmbeddedBrokerOptions options;
    options.config.clock = ClockMode::kManual;
    options.config.group_initial_rebalance_delay = 0ms;
    return options;
  }()};
  std::unique_ptr<Admin> admin = *Admin::Create({.bootstrap = broker.bootstrap()});
  RawClient client{broker.kafka_bootstrap()};
  JoinGroupResponse joined;

  // A Kafka consumer joins group "g" (subscribed to "t") with a 1 s session.
  KafkaGroupFixture() {
    REQUIRE(admin->CreateTopic({.name = "t"}).ok());
    ConsumerSubscription subscription;
    subscription.topics = {"t"};
    const std::string metadata = EncodeConsumerSubscription(subscription);
    JoinGroupRequest join;
    join.group_id = "g";
    join.session_timeout_ms = 1000;
    join.rebalance_timeout_ms = 1000;
    join.protocol_type = std::string(kConsumerProtocolType);
    join.protocols.push_back({"range", metadata});
    joined = RoundTrip<JoinGroupResponse>(client, kJoinGroup, 3, join);
    REQUIRE(joined.error_code == ErrorCode::kNone);
    // The leader (it is alone) hands in the assignment: the group is Stable.
    SyncGroupRequest sync;
    sync.group_id = "g";
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.assignments.push_back({joined.member_id, std::string_view()});
    REQUIRE(RoundTrip<SyncGroupResponse>(client, kSyncGroup, 3, sync).error_code ==
            ErrorCode::kNone);
  }

  ErrorCode Heartbeat() {
    HeartbeatRequest heartbeat;
    heartbeat.group_id = "g";
    heartbeat.generation_id = joined.generation_id;
    heartbeat.member_id = joined.member_id;
    return RoundTrip<HeartbeatResponse>(client, kHeartbeat, 3, heartbeat).error_code;
  }
};

TEST_CASE_FIXTURE(KafkaGroupFixture,
                  "after a reset a Kafka member is fenced and its topic is gone") {
  REQUIRE(Heartbeat() == ErrorCode::kNone);
  REQUIRE(admin->ResetBroker().ok());
  CHECK(Heartbeat() == ErrorCode::kUnknownMemberId);
  MetadataRequest metadata;
  metadata.topics = std::vector<MetadataRequest::Topic>{{}};
  metadata.topics->at(0).name = "t";
  metadata.allow_auto_topic_creation = false;
  auto described = RoundTrip<MetadataResponse>(client, kMetadata, 9, metadata);
  REQUIRE(described.topics.size() == 1);
  CHECK(described.topics[0].error_code == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE_FIXTURE(KafkaGroupFixture, "a Kafka member's session expires on an advance, not before") {
  std::this_thread::sleep_for(1500ms);  // Longer than the session, in real time.
  REQUIRE(Heartbeat() == ErrorCode::kNone);
  REQUIRE(broker.AdvanceClock(999ms).ok());
  REQUIRE(Heartbeat() == ErrorCode::kNone);  // Renews the session: 1 s from now.
  REQUIRE(broker.AdvanceClock(1000ms).ok());
  CHECK(Heartbeat() == ErrorCode::kUnknownMemberId);
}

}  // namespace
}  // namespace brook::kafka
