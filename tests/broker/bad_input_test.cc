// Malformed and hostile input: the broker answers with an error or closes that connection,
// and keeps serving everyone else.
#include <doctest/doctest.h>

#include "broker/embedded_broker.h"
#include "protocol/wire.h"
#include "tests/support/batches.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using testing::DecodeReply;
using testing::RawClient;

// The broker still answers a well-formed request on a fresh connection.
void CheckStillServing(const EmbeddedBroker& broker) {
  RawClient client(broker.bootstrap());
  REQUIRE(client.ok());
  REQUIRE(client.Send(MetadataRequest{}, 99));
  auto payload = client.ReadFrame();
  REQUIRE(payload);
  auto reply = DecodeReply<MetadataResponse>(*payload);
  REQUIRE(reply);
  CHECK(reply->first.correlation_id == 99);
  CHECK(reply->first.error_code == ErrorCode::kNone);
}

std::string FrameOf(std::string_view payload) {
  std::string frame;
  wire::Writer w(&frame);
  w.UInt32(static_cast<uint32_t>(payload.size()));
  w.Raw(payload);
  return frame;
}

std::string HeaderOnly(int16_t api_key, int16_t version, int32_t correlation_id) {
  std::string payload;
  wire::Writer w(&payload);
  w.Int16(api_key);
  w.Int16(version);
  w.Int32(correlation_id);
  w.NullableString(std::nullopt);
  return payload;
}

TEST_CASE("an unknown API key gets UNKNOWN_API_KEY and the connection stays usable") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(client.SendBytes(FrameOf(HeaderOnly(777, 0, 5))));
  auto payload = client.ReadFrame();
  REQUIRE(payload);
  auto reply = DecodeReply<MetadataResponse>(*payload);
  REQUIRE(reply);
  CHECK(reply->first.correlation_id == 5);
  CHECK(reply->first.error_code == ErrorCode::kUnknownApiKey);
  REQUIRE(client.Send(MetadataRequest{}, 6));
  auto next = client.ReadFrame();
  REQUIRE(next);
  CHECK(DecodeReply<MetadataResponse>(*next)->first.error_code == ErrorCode::kNone);
}

TEST_CASE("an unsupported version gets UNSUPPORTED_VERSION") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(client.SendBytes(FrameOf(HeaderOnly(static_cast<int16_t>(ApiKey::kMetadata), 9, 7))));
  auto payload = client.ReadFrame();
  REQUIRE(payload);
  CHECK(DecodeReply<MetadataResponse>(*payload)->first.error_code == ErrorCode::kUnsupportedVersion);
}

TEST_CASE("a truncated body gets INVALID_REQUEST with a message") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  std::string payload = HeaderOnly(static_cast<int16_t>(ApiKey::kProduce), 0, 8);
  payload += std::string("\x00\x01", 2);  // acks, then nothing.
  REQUIRE(client.SendBytes(FrameOf(payload)));
  auto reply_payload = client.ReadFrame();
  REQUIRE(reply_payload);
  auto reply = DecodeReply<ProduceResponse>(*reply_payload);
  REQUIRE(reply);
  CHECK(reply->first.error_code == ErrorCode::kInvalidRequest);
  REQUIRE(reply->first.error_message);
  CHECK(reply->first.error_message->find("Produce") != std::string::npos);
}

TEST_CASE("a lying array count does not make the broker allocate or crash") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  std::string payload = HeaderOnly(static_cast<int16_t>(ApiKey::kDeleteTopics), 0, 9);
  wire::Writer(&payload).Int32(0x7fffffff);
  REQUIRE(client.SendBytes(FrameOf(payload)));
  auto reply = client.ReadFrame();
  REQUIRE(reply);
  CHECK(DecodeReply<DeleteTopicsResponse>(*reply)->first.error_code == ErrorCode::kInvalidRequest);
  CheckStillServing(broker);
}

TEST_CASE("truncated or lying consumer-group requests get INVALID_REQUEST; the broker carries on") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  const ApiKey keys[] = {ApiKey::kJoinGroup,      ApiKey::kHeartbeat,  ApiKey::kLeaveGroup,
                         ApiKey::kOffsetCommit,   ApiKey::kOffsetFetch, ApiKey::kDescribeGroups,
                         ApiKey::kDeleteGroups,   ApiKey::kOffsetDelete};
  int32_t id = 100;
  for (ApiKey key : keys) {
    CAPTURE(ApiName(key));
    // A group id that claims more bytes than follow.
    std::string truncated = HeaderOnly(static_cast<int16_t>(key), 0, ++id);
    wire::Writer(&truncated).Int16(200);
    truncated += "abc";
    // An array count far beyond the frame.
    std::string lying = HeaderOnly(static_cast<int16_t>(key), 0, ++id);
    wire::Writer(&lying).Int32(0x7fffffff);
    for (const std::string& payload : {truncated, lying}) {
      REQUIRE(client.SendBytes(FrameOf(payload)));
      auto reply = client.ReadFrame();
      REQUIRE(reply);
      CHECK(DecodeReply<HeartbeatResponse>(*reply)->first.error_code ==
            ErrorCode::kInvalidRequest);
    }
  }
  // Fetch v1 with a group id cut short.
  std::string fetch = HeaderOnly(static_cast<int16_t>(ApiKey::kFetch), 1, ++id);
  wire::Writer w(&fetch);
  w.Int32(0);
  w.Int32(1);
  w.Int32(1024);
  w.Int32(0);
  w.Int16(10);
  REQUIRE(client.SendBytes(FrameOf(fetch)));
  auto reply = client.ReadFrame();
  REQUIRE(reply);
  CHECK(DecodeReply<FetchResponse>(*reply)->first.error_code == ErrorCode::kInvalidRequest);
  CheckStillServing(broker);
}

TEST_CASE("a frame larger than the limit closes that connection only") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  std::string huge;
  wire::Writer(&huge).UInt32(0xfffffff0u);
  REQUIRE(client.SendBytes(huge));
  CHECK(client.WaitClosed());
  CheckStillServing(broker);
}

TEST_CASE("a garbage header closes the connection; the broker carries on") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(client.SendBytes(FrameOf("\x01")));
  CHECK(client.WaitClosed());
  CheckStillServing(broker);
}

TEST_CASE("random bytes never crash the broker") {
  EmbeddedBroker broker;
  uint32_t seed = 12345;
  for (int round = 0; round < 50; ++round) {
    RawClient client(broker.bootstrap());
    std::string bytes;
    for (int i = 0; i < 200; ++i) {
      seed = seed * 1103515245 + 12345;
      bytes.push_back(static_cast<char>(seed >> 16));
    }
    // Keep the length prefix small so the broker reads the whole thing.
    bytes[0] = 0;
    bytes[1] = 0;
    client.SendBytes(bytes);
  }
  CheckStillServing(broker);
}

TEST_CASE("a batch with a wrong CRC is refused with CORRUPT_MESSAGE and nothing is stored") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));

  std::string batch = testing::MakeBatch({"hello"});
  batch[batch.size() - 2] ^= 0x40;
  ProduceRequest produce;
  produce.topics.push_back({"t", {{0, batch}}});
  REQUIRE(client.Send(produce, 2));
  auto payload = client.ReadFrame();
  REQUIRE(payload);
  auto reply = DecodeReply<ProduceResponse>(*payload);
  REQUIRE(reply);
  const auto& partition = reply->second.topics.at(0).partitions.at(0);
  CHECK(partition.error_code == ErrorCode::kCorruptMessage);
  REQUIRE(partition.error_message);
  CHECK(partition.error_message->find("CRC") != std::string::npos);

  MetadataRequest metadata;
  metadata.topics = std::vector<std::string>{"t"};
  REQUIRE(client.Send(metadata, 3));
  auto meta = DecodeReply<MetadataResponse>(*client.ReadFrame());
  CHECK(meta->second.topics.at(0).partitions.at(0).log_end_offset == 0);
}

TEST_CASE("a frame that never completes is closed after the frame timeout") {
  EmbeddedBrokerOptions options;
  options.config.server.frame_timeout = std::chrono::milliseconds(300);
  EmbeddedBroker broker(options);
  RawClient client(broker.bootstrap());
  std::string partial;
  wire::Writer(&partial).UInt32(100);
  partial += "abc";
  REQUIRE(client.SendBytes(partial));
  CHECK(client.WaitClosed(5000));
  CheckStillServing(broker);
}

TEST_CASE("connections beyond max_connections are closed; others keep working") {
  EmbeddedBrokerOptions options;
  options.config.server.max_connections = 2;
  EmbeddedBroker broker(options);
  RawClient a(broker.bootstrap());
  RawClient b(broker.bootstrap());
  REQUIRE(a.Send(MetadataRequest{}, 1));
  REQUIRE(a.ReadFrame());
  REQUIRE(b.Send(MetadataRequest{}, 1));
  REQUIRE(b.ReadFrame());
  RawClient c(broker.bootstrap());
  CHECK(c.WaitClosed());
  REQUIRE(a.Send(MetadataRequest{}, 2));
  CHECK(a.ReadFrame());
}

}  // namespace
}  // namespace brook
