// Consumers positioned below a partition's log start after retention (background, by the
// broker's log cleaner): their auto_offset_reset applies, in a group and when assigned.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "broker/embedded_broker.h"
#include "client/consumer.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "tests/support/batches.h"
#include "tests/support/keyed_records.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using testing::RawClient;

const TopicPartition kPartition{"r", PartitionId(0)};

// The reply of `request`, REQUIRing that the request as a whole succeeded.
template <class Request>
typename Request::Response Send(RawClient& client, const Request& request) {
  REQUIRE(client.Send(request, 1));
  auto payload = client.ReadFrame(10000);
  REQUIRE(payload);
  auto reply = testing::DecodeReply<typename Request::Response>(*payload);
  REQUIRE(reply);
  REQUIRE(reply->first.error_code == ErrorCode::kNone);
  return reply->second;
}

// A broker whose cleaner runs every 50 ms, and topic "r" (1 KiB segments) with 20 batches.
// retention.bytes is set only later, by ApplyRetention, once consumers are positioned.
class RetentionFixture {
 public:
  RetentionFixture() : broker_(Options()), client_(broker_.bootstrap()) {
    CreateTopicsRequest create;
    create.topics.push_back({"r", 1, {{"segment.bytes", "1024"}}});
    REQUIRE(Send(client_, create).topics.at(0).error_code == ErrorCode::kNone);
    const std::string value(300, 'x');
    for (int i = 0; i < 20; ++i) {
      const std::string batch = testing::MakeBatch({value}, testing::WallClockMs());
      ProduceRequest produce;
      produce.topics.push_back({"r", {{0, batch}}});
      REQUIRE(Send(client_, produce).topics.at(0).partitions.at(0).error_code ==
              ErrorCode::kNone);
    }
  }

  // Sets retention.bytes so that retention deletes the oldest segments; returns the new log
  // start once the cleaner has advanced it past `past`.
  int64_t ApplyRetention(int64_t past) {
    AlterConfigsRequest alter;
    alter.topics.push_back({"r", {{"retention.bytes", "2048"}}});
    REQUIRE(Send(client_, alter).topics.at(0).error_code == ErrorCode::kNone);
    for (int i = 0; i < 1000; ++i) {
      const int64_t start = Send(client_, MetadataRequest{std::vector<std::string>{"r"}})
                                .topics.at(0)
                                .partitions.at(0)
                                .log_start_offset;
      if (start > past) return start;
      std::this_thread::sleep_for(20ms);
    }
    FAIL("retention did not advance the log start");
    return 0;
  }

  std::unique_ptr<Consumer> MakeConsumer(OffsetReset reset, const std::string& group = "") {
    ConsumerOptions options;
    options.bootstrap = broker_.bootstrap();
    options.auto_offset_reset = reset;
    options.group_id = group;
    options.enable_auto_commit = false;
    options.fetch_max_wait = 50ms;
    auto consumer = Consumer::Create(options);
    REQUIRE(consumer.ok());
    return *std::move(consumer);
  }

 private:
  static EmbeddedBrokerOptions Options() {
    EmbeddedBrokerOptions options;
    options.config.log_cleanup_interval = 50ms;
    options.config.group_initial_rebalance_delay = 0ms;
    return options;
  }

  EmbeddedBroker broker_;
  RawClient client_;
};

// The offset of the first record Poll returns, or Poll's error (10 s at most).
absl::StatusOr<int64_t> FirstOffset(Consumer& consumer) {
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<ConsumerRecords> records = consumer.Poll(100ms);
    if (!records.ok()) return records.status();
    if (!records->empty()) return (*records)[0].offset;
  }
  return MakeError(ErrorCode::kRequestTimedOut, "nothing received");
}

TEST_CASE_FIXTURE(RetentionFixture, "a group's commit below the log start follows its reset") {
  // Commits from outside the (empty) group, as a tool would.
  auto committer = MakeConsumer(OffsetReset::kNone, "earliest");
  REQUIRE(committer->Commit({{kPartition, 2}}).ok());
  auto none_committer = MakeConsumer(OffsetReset::kNone, "none");
  REQUIRE(none_committer->Commit({{kPartition, 2}}).ok());
  const int64_t log_start = ApplyRetention(2);

  auto earliest = MakeConsumer(OffsetReset::kEarliest, "earliest");
  REQUIRE(earliest->Subscribe({"r"}).ok());
  absl::StatusOr<int64_t> first = FirstOffset(*earliest);
  REQUIRE(first.ok());
  CHECK(*first == log_start);

  auto none = MakeConsumer(OffsetReset::kNone, "none");
  REQUIRE(none->Subscribe({"r"}).ok());
  CHECK(CodeOf(FirstOffset(*none).status()) == ErrorCode::kOffsetOutOfRange);
}

TEST_CASE_FIXTURE(RetentionFixture, "an assigned consumer below the log start follows its reset") {
  auto earliest = MakeConsumer(OffsetReset::kEarliest);
  REQUIRE(earliest->Assign({kPartition}).ok());
  REQUIRE(earliest->Seek(kPartition, 0).ok());
  auto none = MakeConsumer(OffsetReset::kNone);
  REQUIRE(none->Assign({kPartition}).ok());
  REQUIRE(none->Seek(kPartition, 0).ok());
  const int64_t log_start = ApplyRetention(0);

  absl::StatusOr<int64_t> first = FirstOffset(*earliest);
  REQUIRE(first.ok());
  CHECK(*first == log_start);
  CHECK(CodeOf(FirstOffset(*none).status()) == ErrorCode::kOffsetOutOfRange);
}

}  // namespace
}  // namespace brook
