// Every API of brook's protocol against a real broker over TCP, at the frame level.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "broker/embedded_broker.h"
#include "tests/broker/call.h"
#include "tests/support/batches.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using testing::Call;
using testing::DecodeReply;
using testing::Roundtrip;
using testing::MakeBatch;
using testing::RawClient;
using testing::ValuesOf;
using Clock = std::chrono::steady_clock;

ProduceRequest Produce(const std::string& topic, int32_t partition, const std::string& batch,
                       int16_t acks = kAcksLeader) {
  ProduceRequest produce;
  produce.acks = acks;
  produce.topics.push_back({topic, {{partition, batch}}});
  return produce;
}

FetchRequest Fetch(const std::string& topic, int32_t partition, int64_t offset,
                   int32_t max_wait_ms = 0) {
  FetchRequest fetch;
  fetch.max_wait_ms = max_wait_ms;
  fetch.topics.push_back({topic, {{partition, offset, 1 << 20}}});
  return fetch;
}

TEST_CASE("ApiVersions lists every API the broker serves") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  auto response = Call(client, ApiVersionsRequest{});
  CHECK(response.second.api_keys.size() == std::tuple_size_v<AllRequests>);
  CHECK(response.second.broker_version.find("brook") == 0);
}

TEST_CASE("InitProducerId: a fresh id each time; Produce applies the producer's sequences") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  const auto first = Call(client, InitProducerIdRequest{}).second;
  const auto second = Call(client, InitProducerIdRequest{}).second;
  CHECK(first.producer_id >= 0);
  CHECK(second.producer_id != first.producer_id);
  CHECK(first.producer_epoch == 0);
  // The native Produce hands stamped batches to storage as the Kafka listener does.
  auto stamped = [&](const std::vector<std::string>& values, int16_t epoch, int32_t sequence) {
    std::string batch = MakeBatch(values);
    StampProducer(batch, {ProducerId(first.producer_id), ProducerEpoch(epoch), sequence});
    return batch;
  };
  auto produce = [&](const std::string& batch) {
    return Roundtrip(client, Produce("t", 0, batch, kAcksAll)).second.topics[0].partitions[0];
  };
  const std::string a = stamped({"a", "b"}, 1, 0);
  CHECK(produce(a).base_offset == 0);
  CHECK(produce(stamped({"c"}, 1, 2)).base_offset == 2);
  const auto duplicate = produce(a);  // A retry: its original offsets, nothing appended.
  CHECK(duplicate.error_code == ErrorCode::kNone);
  CHECK(duplicate.base_offset == 0);
  CHECK(produce(stamped({"e"}, 1, 9)).error_code == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(produce(stamped({"f"}, 0, 0)).error_code == ErrorCode::kInvalidProducerEpoch);
  auto fetched = Call(client, Fetch("t", 0, 0));
  CHECK(ValuesOf(fetched.second.topics[0].partitions[0].records) ==
        std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("produce then fetch returns the records with broker-assigned offsets") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 2));
  auto first = Call(client, Produce("t", 1, MakeBatch({"a", "b"})));
  CHECK(first.second.topics[0].partitions[0].base_offset == 0);
  auto second = Call(client, Produce("t", 1, MakeBatch({"c"})));
  CHECK(second.second.topics[0].partitions[0].base_offset == 2);

  auto fetched = Call(client, Fetch("t", 1, 0));
  const auto& partition = fetched.second.topics[0].partitions[0];
  CHECK(partition.error_code == ErrorCode::kNone);
  CHECK(partition.log_end_offset == 3);
  CHECK(ValuesOf(partition.records) == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("one produce request appends to several partitions and reports each") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 2));
  const std::string p0 = MakeBatch({"p0"}), p1 = MakeBatch({"p1"}), other = MakeBatch({"x"});
  ProduceRequest produce;  // Its records are views: the batches above must outlive it.
  produce.topics.push_back({"t", {{0, p0}, {1, p1}, {5, other}}});
  produce.topics.push_back({"missing", {{0, other}}});
  auto response = Call(client, produce);
  CHECK(response.second.topics[0].partitions[0].error_code == ErrorCode::kNone);
  CHECK(response.second.topics[0].partitions[1].error_code == ErrorCode::kNone);
  CHECK(response.second.topics[0].partitions[2].error_code == ErrorCode::kUnknownTopicOrPartition);
  CHECK(response.second.topics[1].partitions[0].error_code == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE("a partition named twice is appended twice in request order; a fetch of it is refused") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  const std::string first = MakeBatch({"a", "b"}), second = MakeBatch({"c"});
  ProduceRequest produce;
  produce.topics.push_back({"t", {{0, first}}});
  produce.topics.push_back({"t", {{0, second}}});
  auto produced = Call(client, produce);
  REQUIRE(produced.second.topics.size() == 2);
  CHECK(produced.second.topics[0].partitions[0].base_offset == 0);
  CHECK(produced.second.topics[1].partitions[0].base_offset == 2);

  FetchRequest fetch = Fetch("t", 0, 2);
  fetch.topics.push_back({"t", {{0, 0, 1 << 20}}});
  CHECK(testing::Roundtrip(client, fetch).first.error_code == ErrorCode::kInvalidRequest);

  fetch = Fetch("t", 0, 2);
  fetch.topics.push_back({"missing", {{0, 0, 1 << 20}}});
  auto fetched = Call(client, fetch);
  CHECK(ValuesOf(fetched.second.topics[0].partitions[0].records) == std::vector<std::string>{"c"});
  const auto& unknown = fetched.second.topics[1].partitions[0];
  CHECK(unknown.error_code == ErrorCode::kUnknownTopicOrPartition);
  CHECK(unknown.log_start_offset == -1);
  CHECK(unknown.log_end_offset == -1);
}

TEST_CASE("acks=0 gets no response; acks=all answers after the fsync") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  REQUIRE(client.Send(Produce("t", 0, MakeBatch({"fire"}), kAcksNone), 10));
  auto durable = Call(client, Produce("t", 0, MakeBatch({"sync"}), kAcksAll), 11);
  // The acks=0 record was appended first (arrival order), so this one is offset 1.
  CHECK(durable.second.topics[0].partitions[0].base_offset == 1);
  const std::string batch = MakeBatch({"x"});  // The request views it.
  ProduceRequest bad = Produce("t", 0, batch, 2);
  REQUIRE(client.Send(bad, 12));
  auto reply = DecodeReply<ProduceResponse>(*client.ReadFrame());
  CHECK(reply->first.error_code == ErrorCode::kInvalidRequiredAcks);
}

TEST_CASE("a fetch at the log end waits and returns as soon as data arrives") {
  EmbeddedBroker broker;
  RawClient consumer(broker.bootstrap());
  RawClient producer(broker.bootstrap());
  REQUIRE(testing::CreateTopic(producer, "t", 1));
  REQUIRE(consumer.Send(Fetch("t", 0, 0, /*max_wait_ms=*/10000), 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto produced_at = Clock::now();
  Call(producer, Produce("t", 0, MakeBatch({"wake"})));
  auto payload = consumer.ReadFrame(10000);
  REQUIRE(payload);
  const auto waited = Clock::now() - produced_at;
  auto reply = DecodeReply<FetchResponse>(*payload);
  CHECK(ValuesOf(reply->second.topics[0].partitions[0].records) == std::vector<std::string>{"wake"});
  // Woken by the append, not by the 10 s deadline.
  CHECK(waited < std::chrono::seconds(5));
}

TEST_CASE("a fetch waiting at the log end is answered at once when its topic is deleted") {
  EmbeddedBroker broker;
  RawClient consumer(broker.bootstrap());
  RawClient admin(broker.bootstrap());
  REQUIRE(testing::CreateTopic(admin, "t", 2));
  FetchRequest fetch = Fetch("t", 0, 0, /*max_wait_ms=*/20000);
  fetch.topics[0].partitions.push_back({1, 0, 1 << 20});
  REQUIRE(consumer.Send(fetch, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  DeleteTopicsRequest del;
  del.topics = {"t"};
  CHECK(Call(admin, del).second.topics.at(0).error_code == ErrorCode::kNone);
  // A partition error ends the wait (docs/protocol.md): not the 20 s deadline.
  auto payload = consumer.ReadFrame(10000);
  REQUIRE(payload);
  auto reply = DecodeReply<FetchResponse>(*payload);
  REQUIRE(reply);
  for (const auto& partition : reply->second.topics.at(0).partitions) {
    CHECK(partition.error_code == ErrorCode::kUnknownTopicOrPartition);
  }
}

TEST_CASE("a fetch with nothing to return answers empty after max_wait_ms") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  const auto start = Clock::now();
  auto response = Call(client, Fetch("t", 0, 0, 300));
  CHECK(Clock::now() - start >= std::chrono::milliseconds(250));
  CHECK(response.second.topics[0].partitions[0].records.empty());
}

TEST_CASE("responses on one connection come back as they complete, matched by correlation id") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  REQUIRE(client.Send(Fetch("t", 0, 0, 2000), 100));  // Waits: nothing to read.
  REQUIRE(client.Send(MetadataRequest{}, 101));       // Answers at once.
  auto first = client.ReadFrame();
  REQUIRE(first);
  CHECK(DecodeReply<MetadataResponse>(*first)->first.correlation_id == 101);
  auto second = client.ReadFrame();
  REQUIRE(second);
  CHECK(DecodeReply<FetchResponse>(*second)->first.correlation_id == 100);
}

TEST_CASE("past max in-flight requests the broker stops reading until one completes") {
  EmbeddedBrokerOptions options;
  options.config.server.max_in_flight_per_connection = 2;
  EmbeddedBroker broker(options);
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  const auto start = Clock::now();
  REQUIRE(client.Send(Fetch("t", 0, 0, 1000), 1));  // Both wait 1 s for data...
  REQUIRE(client.Send(Fetch("t", 0, 0, 1000), 2));
  REQUIRE(client.Send(MetadataRequest{}, 3));        // ...so this one is not even read.
  std::optional<Clock::time_point> metadata_at;
  for (int i = 0; i < 3; ++i) {
    auto payload = client.ReadFrame(5000);
    REQUIRE(payload);
    if (testing::CorrelationIdOf(*payload) == 3) metadata_at = Clock::now();
  }
  REQUIRE(metadata_at);
  CHECK(*metadata_at - start >= std::chrono::milliseconds(900));
}

TEST_CASE("a fetch outside the log gets OFFSET_OUT_OF_RANGE with the log bounds") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  Call(client, Produce("t", 0, MakeBatch({"a"})));
  auto response = Call(client, Fetch("t", 0, 5));
  const auto& partition = response.second.topics[0].partitions[0];
  CHECK(partition.error_code == ErrorCode::kOffsetOutOfRange);
  CHECK(partition.log_end_offset == 1);
  CHECK(partition.log_start_offset == 0);
}

TEST_CASE("ListOffsets answers earliest, latest and by timestamp") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  Call(client, Produce("t", 0, MakeBatch({"a", "b"}, 1000)));
  Call(client, Produce("t", 0, MakeBatch({"c"}, 5000)));
  ListOffsetsRequest request;
  request.topics.push_back({"t", {{0, kEarliestTimestamp}, {0, kLatestTimestamp}, {0, 1001}, {0, 4000}, {0, 9000}}});
  auto response = Call(client, request);
  const auto& p = response.second.topics[0].partitions;
  CHECK(p[0].offset == 0);
  CHECK(p[1].offset == 3);
  CHECK(p[2].offset == 1);
  CHECK(p[2].timestamp == 1001);
  CHECK(p[3].offset == 2);
  CHECK(p[4].offset == 3);
  CHECK(p[4].timestamp == -1);
}

TEST_CASE("CreateTopics with validate_only answers as a real create, a repeated name too") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  CreateTopicsRequest create;
  create.topics.push_back({"a", 3, {}});
  create.topics.push_back({"a", 1, {}});
  create.topics.push_back({"b", 0, {}});
  create.validate_only = true;
  auto validated = Call(client, create);
  REQUIRE(validated.second.topics.size() == 3);
  CHECK(validated.second.topics[0].error_code == ErrorCode::kNone);
  CHECK(validated.second.topics[1].error_code == ErrorCode::kTopicAlreadyExists);
  CHECK(validated.second.topics[2].error_code == ErrorCode::kInvalidPartitions);
  CHECK(Call(client, MetadataRequest{}).second.topics.empty());  // Nothing was created.

  create.validate_only = false;
  auto created = Call(client, create);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(created.second.topics[i].error_code == validated.second.topics[i].error_code);
  }
}

TEST_CASE("Metadata lists topics with offsets and configs; unknown topics get an error") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  CreateTopicsRequest create;
  create.topics.push_back({"a", 3, {{"retention.ms", "1000"}}});
  create.topics.push_back({"b", 1, {}});
  create.topics.push_back({"a", 1, {}});
  create.topics.push_back({"bad/name", 1, {}});
  auto created = Call(client, create);
  CHECK(created.second.topics[0].error_code == ErrorCode::kNone);
  CHECK(created.second.topics[2].error_code == ErrorCode::kTopicAlreadyExists);
  CHECK(created.second.topics[3].error_code == ErrorCode::kInvalidTopic);
  REQUIRE(created.second.topics[3].error_message);

  auto all = Call(client, MetadataRequest{});
  REQUIRE(all.second.topics.size() == 2);
  CHECK(all.second.topics[0].name == "a");
  CHECK(all.second.topics[0].partitions.size() == 3);
  bool found = false;
  for (const auto& c : all.second.topics[0].configs) found |= (c.name == "retention.ms" && c.value == "1000");
  CHECK(found);

  MetadataRequest named;
  named.topics = std::vector<std::string>{"b", "zzz"};
  auto some = Call(client, named);
  CHECK(some.second.topics[0].error_code == ErrorCode::kNone);
  CHECK(some.second.topics[1].error_code == ErrorCode::kUnknownTopicOrPartition);

  DeleteTopicsRequest del;
  del.topics = {"a", "zzz"};
  auto deleted = Call(client, del);
  CHECK(deleted.second.topics[0].error_code == ErrorCode::kNone);
  CHECK(deleted.second.topics[1].error_code == ErrorCode::kUnknownTopicOrPartition);
  CHECK(Call(client, MetadataRequest{}).second.topics.size() == 1);
}

TEST_CASE("data survives a graceful restart of the embedded broker") {
  EmbeddedBroker broker;
  {
    RawClient client(broker.bootstrap());
    REQUIRE(testing::CreateTopic(client, "t", 1));
    Call(client, Produce("t", 0, MakeBatch({"kept"})));
  }
  REQUIRE(broker.Restart().ok());
  RawClient client(broker.bootstrap());
  auto response = Call(client, Fetch("t", 0, 0));
  CHECK(ValuesOf(response.second.topics[0].partitions[0].records) == std::vector<std::string>{"kept"});
}

TEST_CASE("shutdown answers a waiting long poll instead of hanging") {
  auto broker = EmbeddedBroker::Create();
  REQUIRE(broker.ok());
  RawClient client((*broker)->bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  REQUIRE(client.Send(Fetch("t", 0, 0, 20000), 5));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = Clock::now();
  broker->reset();
  CHECK(Clock::now() - start < std::chrono::seconds(5));
  auto payload = client.ReadFrame(1000);
  REQUIRE(payload);
  CHECK(DecodeReply<FetchResponse>(*payload)->first.correlation_id == 5);
}

}  // namespace
}  // namespace brook
