// Tests of protocol/kafka/codec.h: classic and flexible (KIP-482) encodings, tagged fields, and
// the bounds checks, on messages of protocol/kafka/messages/.
#include "protocol/kafka/codec.h"

#include <doctest/doctest.h>

#include <string>

#include "protocol/kafka/messages/api_versions.h"
#include "protocol/kafka/messages/fetch.h"
#include "protocol/kafka/messages/find_coordinator.h"
#include "protocol/kafka/messages/groups.h"
#include "protocol/kafka/messages/metadata.h"
#include "protocol/kafka/messages/produce.h"
#include "protocol/kafka/messages/topics.h"

namespace brook::kafka {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

template <class M>
std::string EncodeAt(const M& message, int16_t version) {
  std::string out;
  Encode(message, version, &out);
  return out;
}

// Encoding, decoding and encoding again gives the same bytes at every version in [lo, hi].
template <class M>
void CheckRoundTrips(const M& message, int16_t lo, int16_t hi) {
  for (int16_t v = lo; v <= hi; ++v) {
    CAPTURE(v);
    const std::string bytes = EncodeAt(message, v);
    absl::StatusOr<M> decoded = Decode<M>(bytes, v);
    REQUIRE(decoded.ok());
    CHECK(EncodeAt(*decoded, v) == bytes);
  }
}

// A Produce request with one partition carrying the bytes "records".
ProduceRequest OneRecordsProduce() {
  ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = 1000;
  request.topics.push_back({"t", {{0, std::string_view("records")}}});
  return request;
}

TEST_CASE("kafka codec: a classic version uses int16 strings and int32 arrays") {
  MetadataRequest request;
  request.topics = std::vector<MetadataRequest::Topic>{{Uuid{}, std::string("ab")}};
  CHECK(EncodeAt(request, 1) == Bytes({0, 0, 0, 1, 0, 2, 'a', 'b'}));
  // Version 4 adds allow_auto_topic_creation (true by default).
  CHECK(EncodeAt(request, 4) == Bytes({0, 0, 0, 1, 0, 2, 'a', 'b', 1}));
  request.topics.reset();
  CHECK(EncodeAt(request, 1) == Bytes({0xff, 0xff, 0xff, 0xff}));
}

TEST_CASE("kafka codec: a flexible version uses compact lengths and ends structs with tags") {
  MetadataRequest request;
  request.topics = std::vector<MetadataRequest::Topic>{{Uuid{}, std::string("ab")}};
  // topics: compact array of 1 (2), topic: name compact string (3 'a' 'b'), topic tags (0);
  // allow_auto_topic_creation, include_topic_authorized_operations; message tags (0).
  CHECK(EncodeAt(request, 9) == Bytes({2, 3, 'a', 'b', 0, 1, 0, 0, 0}));
  request.topics.reset();
  CHECK(EncodeAt(request, 9) == Bytes({0, 1, 0, 0, 0}));
  absl::StatusOr<MetadataRequest> decoded =
      Decode<MetadataRequest>(Bytes({2, 3, 'a', 'b', 0, 1, 0, 0, 0}), 9);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->topics.has_value());
  CHECK(decoded->topics->at(0).name == "ab");
}

TEST_CASE("kafka codec: ApiVersions v3 as librdkafka sends it") {
  const std::string body = Bytes({11, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a', 6, '2',
                                  '.', '0', '.', '2', 0});
  absl::StatusOr<ApiVersionsRequest> request = Decode<ApiVersionsRequest>(body, 3);
  REQUIRE(request.ok());
  CHECK(request->client_software_name == "librdkafka");
  CHECK(request->client_software_version == "2.0.2");
  // Version 0 has no body at all.
  CHECK(Decode<ApiVersionsRequest>("", 0).ok());
}

TEST_CASE("kafka codec: bytes after the last field are ignored, as Kafka ignores them") {
  // librdkafka 2.0.2's ListGroups v4 (0081_admin's ListConsumerGroups): an empty states_filter
  // (compact array, 1), the body's tags (0), and a second tags section the client adds (0).
  absl::StatusOr<ListGroupsRequest> list = Decode<ListGroupsRequest>(Bytes({1, 0, 0}), 4);
  REQUIRE(list.ok());
  CHECK(list->states_filter.empty());
  // Any request: what follows a complete body does not change what is decoded.
  const ProduceRequest request = OneRecordsProduce();
  for (int16_t v : {3, 9}) {
    CAPTURE(v);
    const std::string body = EncodeAt(request, v) + "xyz";  // Decoded views point into it.
    absl::StatusOr<ProduceRequest> decoded = Decode<ProduceRequest>(body, v);
    REQUIRE(decoded.ok());
    CHECK(EncodeAt(*decoded, v) == EncodeAt(request, v));
  }
}

TEST_CASE("kafka codec: tagged fields are decoded when known and skipped when not") {
  FetchRequest request;
  request.cluster_id = "c1";
  request.topics.push_back({"t", {{0, -1, 42, -1, -1, 1024}}});
  const std::string bytes = EncodeAt(request, 12);
  absl::StatusOr<FetchRequest> decoded = Decode<FetchRequest>(bytes, 12);
  REQUIRE(decoded.ok());
  CHECK(decoded->cluster_id == std::optional<std::string>("c1"));
  CHECK(decoded->topics.at(0).partitions.at(0).fetch_offset == 42);
  // Not flexible: no tags section, and the tagged field is not sent.
  CHECK(Decode<FetchRequest>(EncodeAt(request, 11), 11)->cluster_id == std::nullopt);

  // An unknown tag (7, 3 bytes) in the message's tag section is skipped.
  MetadataRequest none;
  none.topics.reset();
  std::string with_unknown = Bytes({0, 1, 0, 0, 1, 7, 3, 'x', 'y', 'z'});
  absl::StatusOr<MetadataRequest> skipped = Decode<MetadataRequest>(with_unknown, 9);
  REQUIRE(skipped.ok());
  CHECK_FALSE(skipped->topics.has_value());
}

TEST_CASE("kafka codec: truncated bodies and lying counts are refused") {
  const ProduceRequest request = OneRecordsProduce();
  for (int16_t v : {3, 9}) {
    CAPTURE(v);
    const std::string bytes = EncodeAt(request, v);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      CHECK_FALSE(Decode<ProduceRequest>(bytes.substr(0, cut), v).ok());
    }
  }
  // A topic array claiming two billion entries in a 10-byte body.
  CHECK_FALSE(Decode<ProduceRequest>(Bytes({0xff, 0xff, 0, 0, 0, 0, 0x77, 0x35, 0x94, 0}), 3)
                  .ok());
  // A compact string whose length runs past the end.
  CHECK_FALSE(Decode<ApiVersionsRequest>(Bytes({100, 'a', 0, 0}), 3).ok());
}

TEST_CASE("kafka codec: messages round trip at every version they exist in") {
  MetadataResponse metadata;
  metadata.brokers.push_back({1, "localhost", 9092, std::nullopt});
  metadata.cluster_id = "abc";
  metadata.controller_id = 1;
  MetadataResponse::Topic& topic = metadata.topics.emplace_back();
  topic.name = "orders";
  topic.topic_id.bytes[0] = 7;
  topic.partitions.push_back({ErrorCode::kNone, 0, 1, 0, {1}, {1}, {}});
  CheckRoundTrips(metadata, 0, 12);

  ProduceResponse produce;
  produce.responses.push_back({"t", {{0, ErrorCode::kNone, 5, -1, 0, {}, std::nullopt}}});
  CheckRoundTrips(produce, 0, 11);

  FetchResponse fetch;
  FetchResponse::Partition partition;
  partition.high_watermark = 9;
  partition.records = std::string_view("batches");
  fetch.responses.push_back({"t", {partition}});
  CheckRoundTrips(fetch, 0, 12);

  FindCoordinatorResponse coordinator;
  coordinator.host = "h";
  coordinator.coordinators.push_back({"g", 1, "h", 9092, ErrorCode::kNone, std::nullopt});
  CheckRoundTrips(coordinator, 0, 5);

  CreateTopicsRequest create;
  create.topics.push_back({"t", 3, 1, {}, {{"retention.ms", std::string("1000")}}});
  CheckRoundTrips(create, 0, 7);
}

}  // namespace
}  // namespace brook::kafka
