// Kafka's consumer embedded protocol (protocol/consumer_protocol.h): the bytes Java consumers
// and librdkafka send, round trips at every version, newer versions, truncation.
#include "protocol/consumer_protocol.h"

#include <doctest/doctest.h>

#include <string>

#include "protocol/error_codes.h"

namespace brook {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

TEST_CASE("a subscription as a Java consumer sends it (version 3) decodes") {
  // version 3, topics ["t", "u"], user_data null, owned [t: 0, 2], generation 7, rack null.
  const std::string bytes =
      Bytes({0, 3, 0, 0, 0, 2, 0, 1, 't', 0, 1, 'u', 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 1,
             't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 7, 0xff, 0xff});
  absl::StatusOr<ConsumerSubscription> s = DecodeConsumerSubscription(bytes);
  REQUIRE(s.ok());
  CHECK(s->version == 3);
  CHECK(s->topics == std::vector<std::string>{"t", "u"});
  CHECK_FALSE(s->user_data.has_value());
  REQUIRE(s->owned_partitions.size() == 1);
  CHECK(s->owned_partitions[0].name == "t");
  CHECK(s->owned_partitions[0].partitions == std::vector<int32_t>{0, 2});
  CHECK(s->generation_id == 7);
  CHECK_FALSE(s->rack_id.has_value());
  CHECK(EncodeConsumerSubscription(*s) == bytes);
}

TEST_CASE("a version 0 subscription (librdkafka's) has topics and user data only") {
  const std::string bytes = Bytes({0, 0, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 2, 'h', 'i'});
  absl::StatusOr<ConsumerSubscription> s = DecodeConsumerSubscription(bytes);
  REQUIRE(s.ok());
  CHECK(s->version == 0);
  CHECK(s->topics == std::vector<std::string>{"t"});
  CHECK(s->user_data == std::optional<std::string>("hi"));
  CHECK(s->owned_partitions.empty());
  CHECK(s->generation_id == -1);
  CHECK(EncodeConsumerSubscription(*s) == bytes);
}

TEST_CASE("subscriptions round-trip at every version") {
  for (int16_t version = 0; version <= kConsumerProtocolMaxVersion; ++version) {
    CAPTURE(version);
    ConsumerSubscription in;
    in.version = version;
    in.topics = {"a", "b"};
    in.user_data = std::string("\0x", 2);
    in.owned_partitions = {{"a", {1, 3}}};
    in.generation_id = 4;
    in.rack_id = "rack-1";
    absl::StatusOr<ConsumerSubscription> out =
        DecodeConsumerSubscription(EncodeConsumerSubscription(in));
    REQUIRE(out.ok());
    CHECK(out->topics == in.topics);
    CHECK(out->user_data == in.user_data);
    CHECK(out->owned_partitions.size() == (version >= 1 ? 1u : 0u));
    CHECK(out->generation_id == (version >= 2 ? 4 : -1));
    CHECK(out->rack_id == (version >= 3 ? in.rack_id : std::nullopt));
  }
}

TEST_CASE("an assignment decodes and round-trips; empty bytes are not an assignment") {
  // version 1, [t: 0, 1], [u: 5], user_data empty (not null).
  const std::string bytes = Bytes({0, 1, 0, 0, 0, 2, 0, 1, 't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,
                                   0, 1, 0, 1, 'u', 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 0});
  absl::StatusOr<ConsumerAssignment> a = DecodeConsumerAssignment(bytes);
  REQUIRE(a.ok());
  CHECK(a->version == 1);
  REQUIRE(a->partitions.size() == 2);
  CHECK(a->partitions[0].name == "t");
  CHECK(a->partitions[0].partitions == std::vector<int32_t>{0, 1});
  CHECK(a->partitions[1].partitions == std::vector<int32_t>{5});
  CHECK(a->user_data == std::optional<std::string>(""));
  CHECK(EncodeConsumerAssignment(*a) == bytes);

  CHECK(CodeOf(DecodeConsumerAssignment("").status()) == ErrorCode::kInvalidRequest);
}

TEST_CASE("a newer version is read as version 3, trailing bytes are ignored") {
  ConsumerAssignment in;
  in.version = 9;
  in.partitions = {{"t", {2}}};
  std::string bytes = EncodeConsumerAssignment(in) + "future fields";
  absl::StatusOr<ConsumerAssignment> a = DecodeConsumerAssignment(bytes);
  REQUIRE(a.ok());
  CHECK(a->version == 9);
  CHECK(a->partitions[0].partitions == std::vector<int32_t>{2});

  ConsumerSubscription s;
  s.version = 5;
  s.topics = {"t"};
  s.rack_id = "r";
  absl::StatusOr<ConsumerSubscription> decoded =
      DecodeConsumerSubscription(EncodeConsumerSubscription(s) + "xyz");
  REQUIRE(decoded.ok());
  CHECK(decoded->rack_id == std::optional<std::string>("r"));
}

TEST_CASE("truncated bytes, lying counts and negative versions are errors") {
  ConsumerSubscription s;
  s.topics = {"topic"};
  s.owned_partitions = {{"topic", {0, 1, 2}}};
  const std::string bytes = EncodeConsumerSubscription(s);
  for (size_t n = 0; n < bytes.size(); ++n) {
    CAPTURE(n);
    CHECK(CodeOf(DecodeConsumerSubscription(bytes.substr(0, n)).status()) ==
          ErrorCode::kInvalidRequest);
  }
  CHECK_FALSE(DecodeConsumerAssignment(Bytes({0, 0, 0x7f, 0xff, 0xff, 0xff})).ok());
  const std::string negative_version = Bytes({0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff});
  CHECK_FALSE(DecodeConsumerAssignment(negative_version).ok());
}

}  // namespace
}  // namespace brook
