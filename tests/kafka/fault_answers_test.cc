// Injected faults on the Kafka listener at the frame level: each covered API's error answer
// decodes with the response codec at old and new versions and carries the code where clients
// read it; a drop closes the connection; a delay holds the answer back; nothing is handled.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "broker/embedded_broker.h"
#include "broker/kafka/api_table.h"
#include "protocol/kafka/messages/api_versions.h"
#include "protocol/kafka/messages/cluster.h"
#include "protocol/kafka/messages/configs.h"
#include "protocol/kafka/messages/delete_records.h"
#include "protocol/kafka/messages/find_coordinator.h"
#include "protocol/kafka/messages/groups.h"
#include "protocol/kafka/messages/list_offsets.h"
#include "protocol/kafka/messages/metadata.h"
#include "protocol/kafka/messages/offsets.h"
#include "protocol/kafka/messages/produce.h"
#include "protocol/kafka/messages/producers.h"
#include "protocol/kafka/messages/topics.h"
#include "protocol/kafka/messages/fetch.h"
#include "protocol/record_batch.h"
#include "tests/kafka/kafka_frames.h"
#include "tests/support/raw_client.h"

namespace brook::kafka {
namespace {

using testing::RawClient;

constexpr ErrorCode kNotLeader = ErrorCode::kNotLeaderOrFollower;
constexpr ErrorCode kNotCoordinator = ErrorCode::kNotCoordinator;

// Arms a one-shot error rule on the Kafka listener's `api`, sends `request` at `version` on a
// new connection and decodes the answer.
template <class Response, class Request>
Response Injected(EmbeddedBroker& broker, const std::string& api, int16_t key, int16_t version,
                  const Request& request, ErrorCode code) {
  CAPTURE(api);
  CAPTURE(version);
  REQUIRE(broker
              .AddFault({.api = api,
                         .listener = FaultListener::kKafka,
                         .error_code = static_cast<int16_t>(code)})
              .ok());
  RawClient client(broker.kafka_bootstrap());
  REQUIRE(client.ok());
  return RoundTrip<Response>(client, key, version, request);
}

TEST_CASE("kafka faults: every served Kafka API can answer an injected error") {
  for (const kafka_listener::KafkaApi& api : kafka_listener::KafkaApis()) {
    CAPTURE(api.name);
    CHECK(api.error_answer);
  }
}

TEST_CASE("kafka faults: per-partition answers (Produce, Fetch, ListOffsets, OffsetCommit)") {
  EmbeddedBroker broker;
  RecordBatchBuilder builder;
  builder.Append(1000, std::string_view("k"), std::string_view("v"));
  const std::string batch = builder.Finish();
  for (int16_t v : {3, 9, 11}) {
    ProduceRequest produce;
    produce.acks = -1;
    produce.timeout_ms = 1000;
    produce.topics.push_back({"orders", {{2, std::string_view(batch)}}});
    auto answer = Injected<ProduceResponse>(broker, "Produce", 0, v, produce, kNotLeader);
    REQUIRE(answer.responses.size() == 1);
    CHECK(answer.responses[0].name == "orders");
    REQUIRE(answer.responses[0].partitions.size() == 1);
    CHECK(answer.responses[0].partitions[0].index == 2);
    CHECK(answer.responses[0].partitions[0].error_code == kNotLeader);
  }
  for (int16_t v : {4, 12}) {
    FetchRequest fetch;
    fetch.topics.push_back({"orders", {{1, -1, 0, -1, -1, 1 << 20}}});
    auto answer = Injected<FetchResponse>(broker, "Fetch", 1, v, fetch, kNotLeader);
    REQUIRE(answer.responses.size() == 1);
    CHECK(answer.responses[0].partitions.at(0).partition_index == 1);
    CHECK(answer.responses[0].partitions.at(0).error_code == kNotLeader);
    CHECK(answer.error_code == ErrorCode::kNone);  // v7+'s top level is for fetch sessions.
  }
  for (int16_t v : {1, 7}) {
    ListOffsetsRequest list;
    list.topics.push_back({"orders", {{0, -1, kLatestTimestamp, 1}}});
    auto answer = Injected<ListOffsetsResponse>(broker, "ListOffsets", 2, v, list,
                                                ErrorCode::kLeaderNotAvailable);
    CHECK(answer.topics.at(0).partitions.at(0).error_code == ErrorCode::kLeaderNotAvailable);
  }
  for (int16_t v : {2, 8}) {
    OffsetCommitRequest commit;
    commit.group_id = "billing";
    commit.topics.push_back({"orders", {{0, 42, -1, -1, std::nullopt}}});
    auto answer =
        Injected<OffsetCommitResponse>(broker, "OffsetCommit", 8, v, commit, kNotCoordinator);
    CHECK(answer.topics.at(0).partitions.at(0).error_code == kNotCoordinator);
  }
  // None of it was handled: no topic was auto-created, no record appended, nothing committed.
  RawClient client(broker.kafka_bootstrap());
  MetadataRequest metadata;
  metadata.topics.emplace();
  auto described = RoundTrip<MetadataResponse>(client, 3, 1, metadata);
  CHECK(described.topics.empty());
  CHECK(broker.ListFaults().size() == 9);
  for (const FaultState& f : broker.ListFaults()) CHECK(f.fired == 1);
}

TEST_CASE("kafka faults: top-level answers (FindCoordinator, groups, InitProducerId)") {
  EmbeddedBroker broker;
  for (int16_t v : {0, 2}) {
    FindCoordinatorRequest find;
    find.key = "billing";
    auto answer = Injected<FindCoordinatorResponse>(broker, "FindCoordinator", 10, v, find,
                                                    ErrorCode::kCoordinatorLoadInProgress);
    CHECK(answer.error_code == ErrorCode::kCoordinatorLoadInProgress);
    CHECK(answer.node_id == -1);
  }
  {
    FindCoordinatorRequest find;
    find.coordinator_keys = {"billing", "shipping"};
    auto answer =
        Injected<FindCoordinatorResponse>(broker, "FindCoordinator", 10, 4, find, kNotCoordinator);
    REQUIRE(answer.coordinators.size() == 2);
    CHECK(answer.coordinators[1].key == "shipping");
    CHECK(answer.coordinators[1].error_code == kNotCoordinator);
  }
  for (int16_t v : {5, 9}) {
    JoinGroupRequest join;
    join.group_id = "billing";
    join.session_timeout_ms = 10000;
    join.member_id = "m-1";
    join.protocol_type = "consumer";
    auto answer = Injected<JoinGroupResponse>(broker, "JoinGroup", 11, v, join, kNotCoordinator);
    CHECK(answer.error_code == kNotCoordinator);
    CHECK(answer.member_id == "m-1");
  }
  for (int16_t v : {3, 5}) {
    SyncGroupRequest sync;
    sync.group_id = "billing";
    auto answer = Injected<SyncGroupResponse>(broker, "SyncGroup", 14, v, sync,
                                              ErrorCode::kRebalanceInProgress);
    CHECK(answer.error_code == ErrorCode::kRebalanceInProgress);
  }
  for (int16_t v : {0, 4}) {
    HeartbeatRequest beat;
    beat.group_id = "billing";
    auto answer = Injected<HeartbeatResponse>(broker, "Heartbeat", 12, v, beat, kNotCoordinator);
    CHECK(answer.error_code == kNotCoordinator);
  }
  for (int16_t v : {1, 4}) {
    auto answer = Injected<InitProducerIdResponse>(broker, "InitProducerId", 22, v,
                                                   InitProducerIdRequest{},
                                                   ErrorCode::kCoordinatorLoadInProgress);
    CHECK(answer.error_code == ErrorCode::kCoordinatorLoadInProgress);
    CHECK(answer.producer_id == -1);
  }
}

TEST_CASE("kafka faults: OffsetFetch per partition (v1), top level (v7), per group (v8)") {
  EmbeddedBroker broker;
  OffsetFetchRequest fetch;
  fetch.group_id = "billing";
  fetch.topics = std::vector<OffsetFetchRequest::Topic>{{"orders", {0, 1}}};
  auto v1 = Injected<OffsetFetchResponse>(broker, "OffsetFetch", 9, 1, fetch, kNotCoordinator);
  CHECK(v1.topics.at(0).partitions.at(1).partition_index == 1);
  CHECK(v1.topics.at(0).partitions.at(1).error_code == kNotCoordinator);
  auto v7 = Injected<OffsetFetchResponse>(broker, "OffsetFetch", 9, 7, fetch, kNotCoordinator);
  CHECK(v7.error_code == kNotCoordinator);
  OffsetFetchRequest groups;
  groups.groups.push_back({"billing", std::nullopt});
  auto v8 = Injected<OffsetFetchResponse>(broker, "OffsetFetch", 9, 8, groups, kNotCoordinator);
  REQUIRE(v8.groups.size() == 1);
  CHECK(v8.groups[0].group_id == "billing");
  CHECK(v8.groups[0].error_code == kNotCoordinator);
}

TEST_CASE("kafka faults: per-topic answers (Metadata, CreateTopics) and topic rules") {
  EmbeddedBroker broker;
  for (int16_t v : {1, 12}) {
    MetadataRequest metadata;
    metadata.topics = std::vector<MetadataRequest::Topic>{{{}, "orders"}};
    auto answer = Injected<MetadataResponse>(broker, "Metadata", 3, v, metadata,
                                             ErrorCode::kLeaderNotAvailable);
    REQUIRE(answer.topics.size() == 1);
    CHECK(answer.topics[0].name == "orders");
    CHECK(answer.topics[0].error_code == ErrorCode::kLeaderNotAvailable);
    CHECK(answer.brokers.size() == 1);  // The client still learns where the broker is.
  }
  for (int16_t v : {0, 7}) {
    CreateTopicsRequest create;
    create.topics.push_back({"orders", 3, -1, {}, {}});
    auto answer = Injected<CreateTopicsResponse>(broker, "CreateTopics", 19, v, create,
                                                 ErrorCode::kKafkaStorageError);
    CHECK(answer.topics.at(0).name == "orders");
    CHECK(answer.topics.at(0).error_code == ErrorCode::kKafkaStorageError);
  }
  // A rule with a topic leaves requests for other topics alone.
  REQUIRE(broker
              .AddFault({.api = "CreateTopics",
                         .topic = "payments",
                         .error_code = static_cast<int16_t>(ErrorCode::kKafkaStorageError)})
              .ok());
  RawClient client(broker.kafka_bootstrap());
  CreateTopicsRequest create;
  create.topics.push_back({"orders", 1, -1, {}, {}});
  auto created = RoundTrip<CreateTopicsResponse>(client, 19, 5, create);
  CHECK(created.topics.at(0).error_code == ErrorCode::kNone);
  CHECK(broker.ListFaults().back().matched == 0);
}

// Arms and sends `request` at the oldest and newest version the listener serves for API `key`,
// and checks that code_of(answer) finds the injected code.
template <class Response, class Request, class CodeOf>
void AtBothEnds(EmbeddedBroker& broker, int16_t key, const Request& request, CodeOf code_of) {
  const kafka_listener::KafkaApi* api = kafka_listener::FindKafkaApi(key);
  REQUIRE(api != nullptr);
  // ApiVersions answers with response header v0 at every version: stay below flexible ones.
  const int16_t newest = key == 18 ? 2 : api->max_version;
  for (int16_t v : {api->min_version, newest}) {
    Response answer = Injected<Response>(broker, std::string(api->name), key, v, request,
                                         ErrorCode::kRequestTimedOut);
    CHECK(code_of(answer) == ErrorCode::kRequestTimedOut);
  }
}

TEST_CASE("kafka faults: the other APIs' error answers, at their oldest and newest versions") {
  EmbeddedBroker broker;
  const auto top = [](const auto& answer) { return answer.error_code; };
  const auto first_partition = [](const auto& answer) {
    return answer.topics.at(0).partitions.at(0).error_code;
  };
  AtBothEnds<ApiVersionsResponse>(broker, 18, ApiVersionsRequest{}, top);
  AtBothEnds<ListGroupsResponse>(broker, 16, ListGroupsRequest{}, top);
  AtBothEnds<DescribeClusterResponse>(broker, 60, DescribeClusterRequest{}, top);
  LeaveGroupRequest leave;
  leave.group_id = "billing";
  AtBothEnds<LeaveGroupResponse>(broker, 13, leave, top);
  OffsetDeleteRequest offset_delete;
  offset_delete.group_id = "billing";
  offset_delete.topics.push_back({"orders", {0}});
  AtBothEnds<OffsetDeleteResponse>(broker, 47, offset_delete, top);
  DescribeGroupsRequest describe_groups;
  describe_groups.groups = {"billing"};
  AtBothEnds<DescribeGroupsResponse>(broker, 15, describe_groups, [](const auto& answer) {
    return answer.groups.at(0).error_code;
  });
  DeleteGroupsRequest delete_groups;
  delete_groups.groups_names = {"billing"};
  AtBothEnds<DeleteGroupsResponse>(broker, 42, delete_groups, [](const auto& answer) {
    return answer.results.at(0).error_code;
  });
  DeleteTopicsRequest delete_topics;
  delete_topics.topic_names = {"orders"};
  delete_topics.topics.push_back({"orders", {}});
  AtBothEnds<DeleteTopicsResponse>(broker, 20, delete_topics, [](const auto& answer) {
    return answer.responses.at(0).error_code;
  });
  CreatePartitionsRequest create_partitions;
  create_partitions.topics.push_back({"orders", 4, std::nullopt});
  AtBothEnds<CreatePartitionsResponse>(broker, 37, create_partitions, [](const auto& answer) {
    return answer.results.at(0).error_code;
  });
  DeleteRecordsRequest delete_records;
  delete_records.topics.push_back({"orders", {{0, 10}}});
  AtBothEnds<DeleteRecordsResponse>(broker, 21, delete_records, first_partition);
  OffsetForLeaderEpochRequest epochs;
  epochs.topics.push_back({"orders", {{0, -1, 0}}});
  AtBothEnds<OffsetForLeaderEpochResponse>(broker, 23, epochs, first_partition);
  DescribeProducersRequest producers;
  producers.topics.push_back({"orders", {0}});
  AtBothEnds<DescribeProducersResponse>(broker, 61, producers, first_partition);
  DescribeConfigsRequest describe_configs;
  describe_configs.resources.push_back({2, "orders", std::nullopt});
  AtBothEnds<DescribeConfigsResponse>(broker, 32, describe_configs, [](const auto& answer) {
    return answer.results.at(0).error_code;
  });
  const auto first_resource = [](const auto& answer) {
    return answer.responses.at(0).error_code;
  };
  AlterConfigsRequest alter;
  alter.resources.push_back({2, "orders", {}});
  AtBothEnds<AlterConfigsResponse>(broker, 33, alter, first_resource);
  IncrementalAlterConfigsRequest incremental;
  incremental.resources.push_back({2, "orders", {}});
  AtBothEnds<IncrementalAlterConfigsResponse>(broker, 44, incremental, first_resource);
}

TEST_CASE("kafka faults: a drop closes the connection unanswered; the next connection is served") {
  EmbeddedBroker broker;
  REQUIRE(broker.AddFault({.api = "ApiVersions", .action = FaultAction::kDrop}).ok());
  {
    RawClient client(broker.kafka_bootstrap());
    REQUIRE(SendRequest(client, 18, 0, 1, ApiVersionsRequest{}, false));
    CHECK(client.WaitClosed());
  }
  RawClient client(broker.kafka_bootstrap());
  auto answer = RoundTrip<ApiVersionsResponse>(client, 18, 0, ApiVersionsRequest{});
  CHECK(answer.error_code == ErrorCode::kNone);
  CHECK(broker.ListFaults().at(0).fired == 1);
}

TEST_CASE("kafka faults: an error on an acks=0 Produce closes the connection, as Kafka does") {
  EmbeddedBroker broker;
  REQUIRE(broker.AddFault({.api = "Produce", .error_code = 6}).ok());
  RawClient client(broker.kafka_bootstrap());
  ProduceRequest produce;
  produce.acks = 0;
  produce.topics.push_back({"orders", {{0, std::nullopt}}});
  REQUIRE(SendRequest(client, 0, 7, 1, produce, false));
  CHECK(client.WaitClosed());
  CHECK(broker.ListFaults().at(0).fired == 1);
}

TEST_CASE("kafka faults: a delay holds the answer back, then serves the request") {
  EmbeddedBroker broker;
  constexpr int kDelayMs = 300;
  REQUIRE(broker.AddFault({.api = "ApiVersions", .action = FaultAction::kDelay,
                           .delay_ms = kDelayMs})
              .ok());
  RawClient client(broker.kafka_bootstrap());
  const auto start = std::chrono::steady_clock::now();
  auto answer = RoundTrip<ApiVersionsResponse>(client, 18, 2, ApiVersionsRequest{});
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(kDelayMs));
  CHECK(answer.error_code == ErrorCode::kNone);
  CHECK_FALSE(answer.api_keys.empty());
}

}  // namespace
}  // namespace brook::kafka
