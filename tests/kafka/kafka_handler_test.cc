// The Kafka listener at the frame level: KIP-511 ApiVersions, answers in request order, what
// closes a connection (and that only that one closes), flexible headers, and protocol versions
// no real client in tests/kafka happens to use.
#include <doctest/doctest.h>

#include <zlib.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "broker/embedded_broker.h"
#include "protocol/kafka/codec.h"
#include "protocol/kafka/header.h"
#include "protocol/kafka/messages/api_versions.h"
#include "protocol/kafka/messages/configs.h"
#include "protocol/kafka/messages/fetch.h"
#include "protocol/kafka/messages/groups.h"
#include "protocol/kafka/messages/list_offsets.h"
#include "protocol/kafka/messages/metadata.h"
#include "protocol/kafka/messages/offsets.h"
#include "protocol/kafka/messages/produce.h"
#include "protocol/kafka/messages/topics.h"
#include "protocol/record_batch.h"
#include "protocol/wire.h"
#include "tests/kafka/kafka_frames.h"
#include "tests/support/raw_client.h"

namespace brook::kafka {
namespace {

using testing::RawClient;

constexpr int16_t kApiVersions = 18;
constexpr int16_t kMetadata = 3;
constexpr int16_t kProduce = 0;
constexpr int16_t kFetch = 1;

// Fetches partition 0 of `topic` from offset 0 at `version` (correlation id 10 + version).
// The answer's bytes, which its records view, are kept in *body.
FetchResponse::Partition FetchFromStart(RawClient& client, const std::string& topic,
                                        int16_t version, std::string* body) {
  FetchRequest fetch;
  fetch.topics.push_back({topic, {{0, -1, 0, -1, -1, 1 << 20}}});
  REQUIRE(SendRequest(client, kFetch, version, 10 + version, fetch, false));
  std::optional<Answer> answer = ReadAnswer(client, false);
  REQUIRE(answer);
  *body = std::move(answer->body);
  absl::StatusOr<FetchResponse> response = Decode<FetchResponse>(*body, version);
  REQUIRE(response.ok());
  return response->responses.at(0).partitions.at(0);
}

TEST_CASE("kafka listener: ApiVersions at every version, and KIP-511 for unknown versions") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  REQUIRE(client.ok());
  for (int16_t v = 0; v <= 4; ++v) {
    CAPTURE(v);
    ApiVersionsRequest request;
    request.client_software_name = "test";
    request.client_software_version = "1";
    REQUIRE(SendRequest(client, kApiVersions, v, 100 + v, request, v >= 3));
    // The answer's header is v0 at every version.
    std::optional<Answer> answer = ReadAnswer(client, /*flexible_header=*/false);
    REQUIRE(answer);
    CHECK(answer->correlation == 100 + v);
    absl::StatusOr<ApiVersionsResponse> response = Decode<ApiVersionsResponse>(answer->body, v);
    REQUIRE(response.ok());
    CHECK(response->error_code == ErrorCode::kNone);
    bool produce_from_zero = false;
    for (const auto& api : response->api_keys) {
      if (api.api_key == kProduce) produce_from_zero = api.min_version == 0 && api.max_version == 11;
    }
    CHECK(produce_from_zero);
  }
  // A version from the future: UNSUPPORTED_VERSION and the list, at version 0.
  REQUIRE(SendRequest(client, kApiVersions, 99, 7, ApiVersionsRequest{}, true));
  std::optional<Answer> answer = ReadAnswer(client, false);
  REQUIRE(answer);
  CHECK(answer->correlation == 7);
  absl::StatusOr<ApiVersionsResponse> response = Decode<ApiVersionsResponse>(answer->body, 0);
  REQUIRE(response.ok());
  CHECK(response->error_code == ErrorCode::kUnsupportedVersion);
  CHECK_FALSE(response->api_keys.empty());
}

TEST_CASE("kafka listener: answers come in request order, even when a later one is ready first") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  REQUIRE(client.ok());
  MetadataRequest create;
  create.topics = std::vector<MetadataRequest::Topic>{{Uuid{}, std::string("ordered")}};
  REQUIRE(SendRequest(client, kMetadata, 1, 1, create, false));
  REQUIRE(ReadAnswer(client, false));
  // A fetch at the log end that waits 300 ms, then a Metadata that is ready at once.
  FetchRequest fetch;
  fetch.max_wait_ms = 300;
  fetch.min_bytes = 1;
  fetch.topics.push_back({"ordered", {{0, -1, 0, -1, -1, 1 << 20}}});
  REQUIRE(SendRequest(client, kFetch, 11, 2, fetch, false));
  REQUIRE(SendRequest(client, kMetadata, 1, 3, MetadataRequest{}, false));
  std::optional<Answer> first = ReadAnswer(client, false);
  std::optional<Answer> second = ReadAnswer(client, false);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->correlation == 2);
  CHECK(second->correlation == 3);
}

TEST_CASE("kafka listener: a flexible Metadata (v12) names the node, the cluster and the topic") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  REQUIRE(client.ok());
  MetadataRequest request;
  request.topics = std::vector<MetadataRequest::Topic>{{Uuid{}, std::string("flex")}};
  REQUIRE(SendRequest(client, kMetadata, 12, 5, request, true));
  std::optional<Answer> answer = ReadAnswer(client, true);
  REQUIRE(answer);
  absl::StatusOr<MetadataResponse> response = Decode<MetadataResponse>(answer->body, 12);
  REQUIRE(response.ok());
  REQUIRE(response->brokers.size() == 1);
  CHECK(response->brokers[0].node_id == 1);
  CHECK("127.0.0.1:" + std::to_string(response->brokers[0].port) == broker.kafka_bootstrap());
  CHECK(response->cluster_id.has_value());
  CHECK(response->cluster_id->size() == 22);
  REQUIRE(response->topics.size() == 1);
  CHECK(response->topics[0].error_code == ErrorCode::kNone);
  CHECK(response->topics[0].topic_id != Uuid{});
  CHECK(response->topics[0].partitions.at(0).leader_id == 1);
}

TEST_CASE("kafka listener: the cluster id survives a restart") {
  EmbeddedBroker broker;
  auto cluster_id = [&] {
    RawClient client(broker.kafka_bootstrap());
    REQUIRE(SendRequest(client, kMetadata, 2, 1, MetadataRequest{}, false));
    std::optional<Answer> answer = ReadAnswer(client, false);
    REQUIRE(answer);
    return Decode<MetadataResponse>(answer->body, 2)->cluster_id.value_or("");
  };
  const std::string before = cluster_id();
  REQUIRE(broker.Restart().ok());
  CHECK(cluster_id() == before);
}

TEST_CASE("kafka listener: unknown APIs, garbage and undecodable bodies close only that connection") {
  EmbeddedBroker broker;
  RawClient bystander(broker.kafka_bootstrap());
  REQUIRE(bystander.ok());
  {
    RawClient client(broker.kafka_bootstrap());
    REQUIRE(SendRequest(client, 999, 0, 1, ApiVersionsRequest{}, false));
    CHECK(client.WaitClosed());
  }
  {
    RawClient client(broker.kafka_bootstrap());
    REQUIRE(SendRequest(client, kMetadata, 13, 1, MetadataRequest{}, true));  // Not served.
    CHECK(client.WaitClosed());
  }
  {
    RawClient client(broker.kafka_bootstrap());
    std::string frame;
    BeginRequest(RequestHeader{kProduce, 9, 1, std::string("x")}, true, &frame);
    frame += "\x05garbage";
    FinishFrame(&frame);
    REQUIRE(client.SendBytes(frame));
    CHECK(client.WaitClosed());
  }
  {
    RawClient client(broker.kafka_bootstrap());
    REQUIRE(client.SendBytes(std::string("\x00\x00\x00\x02\x01", 5)));  // A 2-byte header.
    REQUIRE(client.SendBytes(std::string("\x02", 1)));
    CHECK(client.WaitClosed());
  }
  REQUIRE(SendRequest(bystander, kApiVersions, 0, 9, ApiVersionsRequest{}, false));
  std::optional<Answer> answer = ReadAnswer(bystander, false);
  REQUIRE(answer);
  CHECK(answer->correlation == 9);
}

TEST_CASE("kafka listener: bytes after a request's last field are ignored, as Kafka does") {
  // librdkafka 2.0.2's ListGroups v4 (ListConsumerGroups, librdkafka's test 0081_admin) ends
  // with two empty tag sections; closing the connection failed the call with no answer.
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  std::string frame;
  BeginRequest(RequestHeader{16, 4, 1, std::string("rdkafka")}, true, &frame);
  frame += std::string("\x01\x00\x00", 3);  // states_filter: [], tags, tags again.
  FinishFrame(&frame);
  REQUIRE(client.SendBytes(frame));
  std::optional<Answer> answer = ReadAnswer(client, true);
  REQUIRE(answer);
  CHECK(answer->correlation == 1);
  absl::StatusOr<ListGroupsResponse> response = Decode<ListGroupsResponse>(answer->body, 4);
  REQUIRE(response.ok());
  CHECK(response->error_code == ErrorCode::kNone);
  REQUIRE(SendRequest(client, kApiVersions, 0, 2, ApiVersionsRequest{}, false));
  answer = ReadAnswer(client, false);
  REQUIRE(answer);
  CHECK(answer->correlation == 2);
}

TEST_CASE("kafka listener: acks=0 gets no answer, and the next request's answer still matches") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  RecordBatchBuilder builder;
  builder.Append(1000, std::string_view("k"), std::string_view("v"));
  const std::string batch = builder.Finish();
  ProduceRequest produce;
  produce.acks = 0;
  produce.timeout_ms = 1000;
  produce.topics.push_back({"fire-and-forget", {{0, std::string_view(batch)}}});
  REQUIRE(SendRequest(client, kProduce, 7, 1, produce, false));
  REQUIRE(SendRequest(client, kApiVersions, 0, 2, ApiVersionsRequest{}, false));
  std::optional<Answer> answer = ReadAnswer(client, false);
  REQUIRE(answer);
  CHECK(answer->correlation == 2);
}

TEST_CASE("kafka listener: zstd needs Produce v7, and Fetch v4 (no down-conversion), as in Kafka") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  RecordBatchBuilder builder(Compression::kZstd);
  builder.Append(1000, std::string_view("k"), std::string_view("v"));
  const std::string batch = builder.Finish();
  auto produce = [&](int16_t version) {
    ProduceRequest request;
    request.acks = 1;
    request.timeout_ms = 1000;
    request.topics.push_back({"zstd", {{0, std::string_view(batch)}}});
    REQUIRE(SendRequest(client, kProduce, version, version, request, false));
    std::optional<Answer> answer = ReadAnswer(client, false);
    REQUIRE(answer);
    absl::StatusOr<ProduceResponse> response = Decode<ProduceResponse>(answer->body, version);
    REQUIRE(response.ok());
    return response->responses.at(0).partitions.at(0);
  };
  // sarama 1.22 (Debian 12's) sends zstd in Produce v3 (sarama#1252): refused, nothing written.
  CHECK(produce(3).error_code == ErrorCode::kUnsupportedCompressionType);
  CHECK(produce(6).error_code == ErrorCode::kUnsupportedCompressionType);
  ProduceResponse::Partition accepted = produce(7);
  CHECK(accepted.error_code == ErrorCode::kNone);
  CHECK(accepted.base_offset == 0);
  // Fetch v0-3 would need it down-converted to a MessageSet, which Kafka refuses for zstd.
  for (int16_t v : {0, 3, 4}) {
    CAPTURE(v);
    std::string body;
    const FetchResponse::Partition p = FetchFromStart(client, "zstd", v, &body);
    CHECK(p.error_code == (v < 4 ? ErrorCode::kUnsupportedCompressionType : ErrorCode::kNone));
    CHECK(p.records.has_value() == (v >= 4));
  }
}

TEST_CASE("kafka listener: Produce v2 MessageSets go in, Fetch v0-3 get them back converted") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  // A magic-1 MessageSet with two messages (key "a"/value "1", null key/value "2").
  std::string set;
  wire::Writer w(&set);
  auto message = [&](std::optional<std::string_view> key, std::string_view value, int64_t ts) {
    std::string body;
    wire::Writer b(&body);
    b.Int8(1);  // magic
    b.Int8(0);  // attributes
    b.Int64(ts);
    if (key) {
      b.Bytes(*key);
    } else {
      b.Int32(-1);
    }
    b.Bytes(value);
    w.Int64(0);
    w.Int32(static_cast<int32_t>(body.size() + 4));
    w.UInt32(static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                         static_cast<uInt>(body.size()))));
    w.Raw(body);
  };
  message(std::string_view("a"), "1", 5000);
  message(std::nullopt, "2", 6000);
  ProduceRequest produce;
  produce.acks = 1;
  produce.timeout_ms = 1000;
  produce.topics.push_back({"legacy", {{0, std::string_view(set)}}});
  REQUIRE(SendRequest(client, kProduce, 2, 1, produce, false));
  std::optional<Answer> produced = ReadAnswer(client, false);
  REQUIRE(produced);
  absl::StatusOr<ProduceResponse> pr = Decode<ProduceResponse>(produced->body, 2);
  REQUIRE(pr.ok());
  CHECK(pr->responses.at(0).partitions.at(0).error_code == ErrorCode::kNone);
  CHECK(pr->responses.at(0).partitions.at(0).base_offset == 0);

  for (int16_t v : {0, 2, 4}) {
    CAPTURE(v);
    std::string body;
    const FetchResponse::Partition p = FetchFromStart(client, "legacy", v, &body);
    CHECK(p.error_code == ErrorCode::kNone);
    CHECK(p.high_watermark == 2);
    REQUIRE(p.records.has_value());
    if (v >= 4) {
      // RecordBatch v2, as stored.
      CHECK(ParseBatchHeader(*p.records)->magic == 2);
      continue;
    }
    // offset | size | crc | magic | attributes | [timestamp] | key | value
    wire::Reader r(*p.records);
    CHECK(r.Int64() == 0);
    r.Int32();
    r.UInt32();
    CHECK(r.Int8() == (v < 2 ? 0 : 1));
    r.Int8();
    if (v >= 2) CHECK(r.Int64() == 5000);
    CHECK(r.NullableBytes() == std::optional<std::string_view>("a"));
    CHECK(r.NullableBytes() == std::optional<std::string_view>("1"));
    CHECK(r.Int64() == 1);  // The second message keeps its offset.
  }
}

TEST_CASE("kafka listener: ListOffsets finds the largest timestamp (v7) and times with no record") {
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  RecordBatchBuilder builder;
  for (int64_t ts : {5000, 9000, 7000}) builder.Append(ts, std::nullopt, std::string_view("v"));
  const std::string batch = builder.Finish();
  ProduceRequest produce;
  produce.acks = 1;
  produce.timeout_ms = 1000;
  produce.topics.push_back({"times", {{0, std::string_view(batch)}}});
  REQUIRE(SendRequest(client, kProduce, 7, 1, produce, false));
  REQUIRE(ReadAnswer(client, false));
  auto list = [&](int64_t timestamp, int32_t partition = 0) {
    ListOffsetsRequest request;
    request.topics.push_back({"times", {{partition, -1, timestamp, 1}}});
    REQUIRE(SendRequest(client, 2, 7, 2, request, true));
    std::optional<Answer> answer = ReadAnswer(client, true);
    REQUIRE(answer);
    absl::StatusOr<ListOffsetsResponse> response = Decode<ListOffsetsResponse>(answer->body, 7);
    REQUIRE(response.ok());
    return response->topics.at(0).partitions.at(0);
  };
  ListOffsetsResponse::Partition largest = list(kMaxTimestamp);
  CHECK(largest.offset == 1);
  CHECK(largest.timestamp == 9000);
  ListOffsetsResponse::Partition at = list(6000);
  CHECK(at.offset == 1);
  CHECK(at.timestamp == 9000);
  ListOffsetsResponse::Partition after = list(10000);
  CHECK(after.offset == -1);
  CHECK(after.timestamp == -1);
  CHECK(list(kLatestTimestamp).offset == 3);
  CHECK(list(kMaxTimestamp, 7).error_code == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE("kafka listener: OffsetCommit stores negative offsets as Kafka does; OffsetFetch too") {
  // kafkajs' Admin.resetOffsets commits -2 ("earliest") or -1 ("latest") for its consumers to
  // resolve, from a group-less member (generation -1) at OffsetCommit v5.
  EmbeddedBroker broker;
  RawClient client(broker.kafka_bootstrap());
  REQUIRE(client.ok());
  MetadataRequest create;  // Auto-creates the topic, one partition.
  create.topics = std::vector<MetadataRequest::Topic>{{Uuid{}, std::string("reset")}};
  RoundTrip<MetadataResponse>(client, kMetadata, 1, create);
  OffsetCommitRequest commit;
  commit.group_id = "resetters";
  commit.topics.push_back({"reset", {{0, -2, -1, -1, std::nullopt}}});
  OffsetCommitResponse committed = RoundTrip<OffsetCommitResponse>(client, 8, 5, commit);
  CHECK(committed.topics.at(0).partitions.at(0).error_code == ErrorCode::kNone);

  OffsetFetchRequest fetch;
  fetch.group_id = "resetters";
  fetch.topics = std::vector<OffsetFetchRequest::Topic>{{"reset", {0}}};
  OffsetFetchResponse fetched = RoundTrip<OffsetFetchResponse>(client, 9, 4, fetch);
  CHECK(fetched.error_code == ErrorCode::kNone);
  CHECK(fetched.topics.at(0).partitions.at(0).committed_offset == -2);
  CHECK(fetched.topics.at(0).partitions.at(0).error_code == ErrorCode::kNone);
}

TEST_CASE("kafka listener: DescribeConfigs lists each config's synonyms, the one in force first") {
  EmbeddedBrokerOptions options;
  options.config.store.topic_defaults.retention_ms = 3600000;  // `--topic-default retention.ms=...`
  EmbeddedBroker broker(options);
  RawClient client(broker.kafka_bootstrap());
  REQUIRE(client.ok());
  CreateTopicsRequest create;
  create.topics.push_back({"synonyms", 1, 1, {}, {{"retention.ms", std::string("60000")}}});
  RoundTrip<CreateTopicsResponse>(client, 19, 1, create);

  DescribeConfigsRequest describe;
  describe.resources.push_back(
      {kResourceTopic, "synonyms",
       std::vector<std::string>{"retention.ms", "segment.ms", "max.message.bytes"}});
  describe.include_synonyms = true;
  DescribeConfigsResponse described = RoundTrip<DescribeConfigsResponse>(client, 32, 1, describe);
  REQUIRE(described.results.size() == 1);
  CHECK(described.results[0].error_code == ErrorCode::kNone);
  std::map<std::string, DescribeConfigsResponse::Config> configs;
  for (const auto& config : described.results[0].configs) configs[config.name] = config;
  REQUIRE(configs.size() == 3);
  using Synonyms = std::vector<std::tuple<std::string, std::string, int8_t>>;
  auto synonyms = [&](const std::string& name) {
    Synonyms out;
    for (const auto& s : configs[name].synonyms) {
      out.emplace_back(s.name, s.value.value_or(""), s.source);
    }
    return out;
  };
  // The topic's own value, then the broker's --topic-default, then the built-in default.
  CHECK(configs["retention.ms"].config_source == 1);
  CHECK(synonyms("retention.ms") == Synonyms{{"retention.ms", "60000", 1},
                                             {"log.retention.ms", "3600000", 4},
                                             {"log.retention.ms", "604800000", 5}});
  CHECK(configs["segment.ms"].config_source == 5);
  CHECK(synonyms("segment.ms") == Synonyms{{"log.roll.ms", "3600000", 5}});
  CHECK(synonyms("max.message.bytes") == Synonyms{{"message.max.bytes", "1048588", 5}});

  describe.include_synonyms = false;  // Without: none, as in Kafka.
  described = RoundTrip<DescribeConfigsResponse>(client, 32, 1, describe);
  for (const auto& config : described.results.at(0).configs) CHECK(config.synonyms.empty());
}

}  // namespace
}  // namespace brook::kafka
