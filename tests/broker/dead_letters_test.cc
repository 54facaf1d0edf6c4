// DeadLetter, ReplayDeadLetters and DeadLetterStats at the frame level: what the broker refuses,
// and that a refused request writes nothing.
#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "broker/dead_letters/dead_letter_topics.h"
#include "broker/embedded_broker.h"
#include "tests/broker/call.h"
#include "tests/support/batches.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using testing::Call;
using testing::RawClient;
using testing::Roundtrip;

struct Fixture {
  EmbeddedBroker broker;
  RawClient client{broker.bootstrap()};
  Fixture() {
    REQUIRE(testing::CreateTopic(client, "orders", 2));
    const std::string batch = testing::MakeBatch({"a", "b"});
    ProduceRequest produce;
    produce.acks = kAcksLeader;
    produce.topics.push_back({"orders", {{0, batch}}});
    auto reply = Call(client, produce);
    REQUIRE(reply.second.topics.at(0).partitions.at(0).error_code == ErrorCode::kNone);
  }
  // A dead letter of orders-0@1 from outside the group "g" (no members: allowed).
  static DeadLetterRequest Request() {
    DeadLetterRequest request;
    request.group_id = "g";
    request.topic = "orders";
    request.partition = 0;
    request.offset = 1;
    request.reason = "bad";
    request.attempts = 2;
    return request;
  }
  ErrorCode Code(const DeadLetterRequest& request) {
    return Roundtrip(client, request).first.error_code;
  }
  bool DlqExists() {
    MetadataRequest metadata;
    metadata.topics = std::vector<std::string>{"orders.dlq"};
    auto reply = Call(client, metadata);
    return reply.second.topics.at(0).error_code == ErrorCode::kNone;
  }
};

TEST_CASE("a source at the largest max.message.bytes gets a dead-letter topic 64 KiB larger") {
  auto store = storage::LogStore::Open({.in_memory = true});
  REQUIRE(store.ok());
  REQUIRE((*store)->CreateTopic("big", 1, {{"max.message.bytes", std::to_string(64 << 20)}}).ok());
  const auto source = (*store)->DescribeTopic("big");
  REQUIRE(source.ok());
  REQUIRE(EnsureDeadLetterTopic(**store, "big.dlq", *source).ok());
  const auto dlq = (*store)->DescribeTopic("big.dlq");
  REQUIRE(dlq.ok());
  CHECK(dlq->config.max_message_bytes == (64 << 20) + (64 << 10));  // Not capped at 64 MiB.
  // The record of a full 64 MiB source batch with a 16 KiB reason and other headers fits.
  const std::string copy = testing::MakeBatch({std::string((64 << 20) + (17 << 10), 'r')});
  CHECK((*store)->Append("big.dlq", PartitionId(0), copy).ok());
}

TEST_CASE_FIXTURE(Fixture, "bad dead-letter requests are refused and write nothing") {
  DeadLetterRequest r = Request();
  r.attempts = 0;
  CHECK(Code(r) == ErrorCode::kInvalidRequest);
  r = Request();
  r.reason.assign(kMaxDeadLetterReasonBytes + 1, 'x');
  CHECK(Code(r) == ErrorCode::kInvalidRequest);
  r = Request();
  r.group_id = "";
  CHECK(Code(r) == ErrorCode::kInvalidGroupId);
  r = Request();
  r.partition = -1;
  CHECK(Code(r) == ErrorCode::kUnknownTopicOrPartition);
  r = Request();
  r.partition = 2;
  CHECK(Code(r) == ErrorCode::kUnknownTopicOrPartition);
  r = Request();
  r.topic = "missing";
  CHECK(Code(r) == ErrorCode::kUnknownTopicOrPartition);
  r = Request();
  r.offset = 2;  // The log end: no record there.
  CHECK(Code(r) == ErrorCode::kOffsetOutOfRange);
  r = Request();
  r.offset = -5;
  CHECK(Code(r) == ErrorCode::kInvalidRequest);
  r.offset = std::numeric_limits<int64_t>::max();
  CHECK(Code(r) == ErrorCode::kInvalidRequest);
  r = Request();
  r.member_id = "ghost";
  r.generation_id = 3;
  CHECK(Code(r) == ErrorCode::kUnknownMemberId);
  CHECK_FALSE(DlqExists());  // Nothing was created either.

  auto ok = Call(client, Request());
  CHECK(ok.second.dlq_topic == "orders.dlq");
  CHECK_FALSE(ok.second.duplicate);
  CHECK(DlqExists());
}

TEST_CASE_FIXTURE(Fixture, "a dead-letter topic that cannot be named is refused") {
  const std::string long_name(247, 't');  // "<name>.dlq" would be 251 characters.
  REQUIRE(testing::CreateTopic(client, long_name, 1));
  DeadLetterRequest r = Request();
  r.topic = long_name;
  r.offset = 0;
  const std::string batch = testing::MakeBatch({"x"});
  ProduceRequest produce;
  produce.acks = kAcksLeader;
  produce.topics.push_back({long_name, {{0, batch}}});
  Call(client, produce);
  CHECK(Code(r) == ErrorCode::kInvalidTopic);

  AlterConfigsRequest alter;
  alter.topics.push_back({"orders", {{"dlq.topic", std::string("orders")}}});
  Call(client, alter);
  CHECK(Code(Request()) == ErrorCode::kInvalidRequest);  // Its own dead-letter topic.
}

TEST_CASE_FIXTURE(Fixture, "replays are bounded and answer per record; stats start empty") {
  ReplayDeadLettersRequest replay;
  replay.dlq_topic = "orders";
  replay.offsets.assign(10001, 0);
  CHECK(Roundtrip(client, replay).first.error_code == ErrorCode::kInvalidRequest);
  replay.offsets = {0, 7};
  auto answer = Call(client, replay);
  REQUIRE(answer.second.records.size() == 2);
  CHECK(answer.second.records[0].error_code == ErrorCode::kInvalidRecord);  // Not a dead letter.
  CHECK(answer.second.records[1].error_code == ErrorCode::kOffsetOutOfRange);
  replay.partition = 5;
  CHECK(Roundtrip(client, replay).first.error_code == ErrorCode::kUnknownTopicOrPartition);

  CHECK(Call(client, DeadLetterStatsRequest{}).second.counters.empty());
}

}  // namespace
}  // namespace brook
