#include "client/consumer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "client/producer.h"
#include "protocol/absl_compat.h"
#include "tests/client/mini_broker.h"

namespace brook {
namespace {

using std::chrono::milliseconds;
using testing::MiniBroker;

ConsumerOptions OptionsFor(const MiniBroker& broker, OffsetReset reset = OffsetReset::kEarliest) {
  ConsumerOptions options;
  options.bootstrap = broker.address();
  options.client_id = "consumer-test";
  options.auto_offset_reset = reset;
  return options;
}

std::unique_ptr<Consumer> MakeConsumer(const ConsumerOptions& options) {
  auto consumer = Consumer::Create(options);
  REQUIRE(consumer.ok());
  return *std::move(consumer);
}

TopicPartition TP(std::string topic, int32_t partition) {
  return TopicPartition{std::move(topic), PartitionId(partition)};
}

// Polls until `n` records have arrived (or 10 s pass) and returns their values.
std::vector<std::string> PollValues(Consumer& consumer, size_t n) {
  std::vector<std::string> values;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (values.size() < n && std::chrono::steady_clock::now() < give_up) {
    auto records = consumer.Poll(milliseconds(500));
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) values.emplace_back(*r.value);
  }
  return values;
}

TEST_CASE("Create fails clearly without a broker; options are validated") {
  ConsumerOptions options;
  options.bootstrap = "127.0.0.1:" + std::to_string(testing::UnusedPort());
  auto consumer = Consumer::Create(options);
  CHECK(CodeOf(consumer.status()) == ErrorCode::kNetworkException);
  options.fetch_max_bytes = 0;
  CHECK(CodeOf(Consumer::Create(options).status()) == ErrorCode::kInvalidRequest);
}

TEST_CASE("Assign validates topics and partitions against the broker") {
  MiniBroker broker;
  broker.CreateTopic("t", 2);
  auto consumer = MakeConsumer(OptionsFor(broker));
  absl::Status status = consumer->Assign({TP("missing", 0)});
  CHECK(CodeOf(status) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(MessageOf(status) == "topic 'missing' does not exist");
  status = consumer->Assign({TP("t", 2)});
  CHECK(MessageOf(status) == "topic 't' has 2 partition(s); partition 2 does not exist");
  CHECK(consumer->Assignment().empty());
  REQUIRE(consumer->Assign({TP("t", 1), TP("t", 0)}).ok());
  CHECK(consumer->Assignment() == std::vector<TopicPartition>{TP("t", 0), TP("t", 1)});
  CHECK(CodeOf(consumer->Seek(TP("other", 0), 0)) == ErrorCode::kInvalidRequest);
}

TEST_CASE("Poll without an assignment is INVALID_REQUEST") {
  MiniBroker broker;
  auto consumer = MakeConsumer(OptionsFor(broker));
  CHECK(CodeOf(consumer->Poll(milliseconds(10)).status()) == ErrorCode::kInvalidRequest);
}

TEST_CASE("records come back in offset order per partition, from every assigned partition") {
  MiniBroker broker;
  broker.CreateTopic("t", 2);
  for (int b = 0; b < 5; ++b) {
    broker.Append("t", 0,
                  {{"k", "p0-" + std::to_string(2 * b)}, {"k", "p0-" + std::to_string(2 * b + 1)}});
    broker.Append("t", 1, {{"k", "p1-" + std::to_string(b)}});
  }
  auto consumer = MakeConsumer(OptionsFor(broker));
  REQUIRE(consumer->Assign({TP("t", 0), TP("t", 1)}).ok());
  std::map<int32_t, std::vector<int64_t>> offsets;
  size_t total = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (total < 15 && std::chrono::steady_clock::now() < give_up) {
    auto records = consumer->Poll(milliseconds(500));
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) {
      CHECK(r.topic == "t");
      CHECK(r.key == "k");
      offsets[r.partition].push_back(r.offset);
      ++total;
    }
  }
  REQUIRE(total == 15);
  CHECK(offsets[0] == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(offsets[1] == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(consumer->Position(TP("t", 0)).value() == 10);
  CHECK(consumer->Position(TP("t", 1)).value() == 5);
}

TEST_CASE("auto_offset_reset latest starts at the log end and sees new records") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "old"}});
  auto consumer = MakeConsumer(OptionsFor(broker, OffsetReset::kLatest));
  REQUIRE(consumer->Assign({TP("t", 0)}).ok());
  CHECK(consumer->Position(TP("t", 0)).value() == 1);
  auto empty = consumer->Poll(milliseconds(50));
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  std::thread producer([&] {
    std::this_thread::sleep_for(milliseconds(100));
    broker.Append("t", 0, {{"k", "new"}});
  });
  // The long poll returns as soon as the record arrives, not after the whole timeout.
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> values = PollValues(*consumer, 1);
  producer.join();
  CHECK(values == std::vector<std::string>{"new"});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("auto_offset_reset none: Poll fails until Seek") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "a"}, {"k", "b"}});
  auto consumer = MakeConsumer(OptionsFor(broker, OffsetReset::kNone));
  REQUIRE(consumer->Assign({TP("t", 0)}).ok());
  auto result = consumer->Poll(milliseconds(50));
  CHECK(CodeOf(result.status()) == ErrorCode::kOffsetOutOfRange);
  CHECK(MessageOf(result.status()).find("t-0 has no position") == 0);
  REQUIRE(consumer->Seek(TP("t", 0), 1).ok());
  CHECK(PollValues(*consumer, 1) == std::vector<std::string>{"b"});

  // Out of range with reset none: Poll reports it and the position stays.
  REQUIRE(consumer->Seek(TP("t", 0), 50).ok());
  result = consumer->Poll(milliseconds(200));
  CHECK(CodeOf(result.status()) == ErrorCode::kOffsetOutOfRange);
  CHECK(MessageOf(result.status()).find("offset 50 of t-0 is outside the log [0, 2]") == 0);
  CHECK(consumer->Position(TP("t", 0)).value() == 50);
}

TEST_CASE("an out-of-range position is reset by auto_offset_reset") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "0"}, {"k", "1"}, {"k", "2"}, {"k", "3"}});
  broker.SetLogStart("t", 0, 2);
  auto consumer = MakeConsumer(OptionsFor(broker, OffsetReset::kEarliest));
  REQUIRE(consumer->Assign({TP("t", 0)}).ok());
  REQUIRE(consumer->Seek(TP("t", 0), 0).ok());  // Below the log start now.
  CHECK(PollValues(*consumer, 2) == std::vector<std::string>{"2", "3"});
}

TEST_CASE("SeekToBeginning, SeekToEnd and SeekToTimestamp") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "a"}, {"k", "b"}, {"k", "c"}}, /*timestamp_ms=*/1000);
  auto consumer = MakeConsumer(OptionsFor(broker, OffsetReset::kLatest));
  REQUIRE(consumer->Assign({TP("t", 0)}).ok());
  REQUIRE(consumer->SeekToBeginning({}).ok());
  CHECK(consumer->Position(TP("t", 0)).value() == 0);
  REQUIRE(consumer->SeekToEnd({TP("t", 0)}).ok());
  CHECK(consumer->Position(TP("t", 0)).value() == 3);
  REQUIRE(consumer->SeekToTimestamp(TP("t", 0), 1001).ok());
  CHECK(consumer->Position(TP("t", 0)).value() == 1);
  CHECK(PollValues(*consumer, 2) == std::vector<std::string>{"b", "c"});
  REQUIRE(consumer->SeekToTimestamp(TP("t", 0), 99999).ok());
  CHECK(consumer->Position(TP("t", 0)).value() == 3);  // None found: the log end.
  CHECK(CodeOf(consumer->SeekToEnd({TP("x", 0)})) == ErrorCode::kInvalidRequest);
}

TEST_CASE("Seek while a fetch is ahead reads from the new position") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "a"}, {"k", "b"}, {"k", "c"}});
  auto consumer = MakeConsumer(OptionsFor(broker));
  REQUIRE(consumer->Assign({TP("t", 0)}).ok());
  CHECK(PollValues(*consumer, 3) == std::vector<std::string>{"a", "b", "c"});
  // A fetch from offset 3 is now in flight; seek back.
  REQUIRE(consumer->Seek(TP("t", 0), 1).ok());
  CHECK(PollValues(*consumer, 2) == std::vector<std::string>{"b", "c"});
}

TEST_CASE("one fetch travels ahead of the application") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "a"}});
  auto consumer = MakeConsumer(OptionsFor(broker));
  REQUIRE(consumer->Assign({TP("t", 0)}).ok());
  CHECK(PollValues(*consumer, 1) == std::vector<std::string>{"a"});
  for (int i = 0; i < 100 && broker.fetch_requests() < 2; ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  CHECK(broker.fetch_requests() == 2);  // Sent before the next Poll.
  broker.Append("t", 0, {{"k", "b"}});
  CHECK(PollValues(*consumer, 1) == std::vector<std::string>{"b"});
}

TEST_CASE("pausing while a fetch is read ahead holds the partition back, without gaps") {
  MiniBroker broker;
  broker.CreateTopic("t", 2);
  broker.Append("t", 0, {{"k", "a0"}});
  broker.Append("t", 1, {{"k", "b0"}});
  auto consumer = MakeConsumer(OptionsFor(broker));
  REQUIRE(consumer->Assign({TP("t", 0), TP("t", 1)}).ok());
  std::vector<std::string> first = PollValues(*consumer, 2);
  std::sort(first.begin(), first.end());
  CHECK(first == std::vector<std::string>{"a0", "b0"});
  // The fetch read ahead asks for both partitions; partition 0 is paused meanwhile.
  REQUIRE(consumer->Pause({TP("t", 0)}).ok());
  broker.Append("t", 0, {{"k", "a1"}});
  broker.Append("t", 1, {{"k", "b1"}});
  CHECK(PollValues(*consumer, 1) == std::vector<std::string>{"b1"});
  auto held = consumer->Poll(milliseconds(300));
  REQUIRE(held.ok());
  CHECK(held->empty());
  REQUIRE(consumer->Resume({TP("t", 0)}).ok());
  broker.Append("t", 1, {{"k", "b2"}});
  std::vector<std::string> rest = PollValues(*consumer, 2);
  std::sort(rest.begin(), rest.end());
  CHECK(rest == std::vector<std::string>{"a1", "b2"});
  auto none = consumer->Poll(milliseconds(300));
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("a deleted topic makes Poll fail with UNKNOWN_TOPIC_OR_PARTITION") {
  MiniBroker broker;
  broker.CreateTopic("gone", 1);
  auto consumer = MakeConsumer(OptionsFor(broker));
  REQUIRE(consumer->Assign({TP("gone", 0)}).ok());
  REQUIRE(consumer->Poll(milliseconds(10)).ok());
  broker.DeleteTopic("gone");
  absl::StatusOr<ConsumerRecords> result = ConsumerRecords();
  for (int i = 0; i < 20 && result.ok(); ++i) result = consumer->Poll(milliseconds(600));
  CHECK(CodeOf(result.status()) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(MessageOf(result.status()) == "gone-0 does not exist (was topic 'gone' deleted?)");
}

TEST_CASE("records produced by a Producer are consumed intact, across batches and zstd") {
  MiniBroker broker;
  broker.CreateTopic("rt", 2);
  ProducerOptions producer_options;
  producer_options.bootstrap = broker.address();
  producer_options.compression = Compression::kZstd;
  producer_options.batch_size = 4096;
  auto producer = Producer::Create(producer_options);
  REQUIRE(producer.ok());
  const HeaderView header{"trace", std::string_view("xyz")};
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key-" + std::to_string(i % 7);
    const std::string value = "value-" + std::to_string(i);
    (*producer)->Send({.topic = "rt",
                       .key = key,
                       .value = value,
                       .headers = std::span<const HeaderView>(&header, 1),
                       .timestamp_ms = 10000 + i},
                      {});
  }
  REQUIRE((*producer)->Flush().ok());
  auto consumer = MakeConsumer(OptionsFor(broker));
  REQUIRE(consumer->Assign({TP("rt", 0), TP("rt", 1)}).ok());
  std::map<std::string, int> last_index;  // Per key, values arrive in send order.
  size_t count = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (count < 1000 && std::chrono::steady_clock::now() < give_up) {
    auto records = consumer->Poll(milliseconds(500));
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) {
      const int index = std::stoi(std::string(r.value->substr(6)));
      auto [it, inserted] = last_index.emplace(std::string(*r.key), index);
      if (!inserted) {
        CHECK(index > it->second);
        it->second = index;
      }
      CHECK(r.timestamp_ms == 10000 + index);
      REQUIRE(r.headers.size() == 1);
      CHECK(r.headers[0].value == "xyz");
      ++count;
    }
  }
  CHECK(count == 1000);
}

TEST_CASE("Close makes later calls fail; records already returned stay valid") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "a"}});
  auto consumer = MakeConsumer(OptionsFor(broker));
  REQUIRE(consumer->Assign({TP("t", 0)}).ok());
  absl::StatusOr<ConsumerRecords> records;
  for (int i = 0; i < 20; ++i) {
    records = consumer->Poll(milliseconds(500));
    REQUIRE(records.ok());
    if (!records->empty()) break;
  }
  REQUIRE(records->size() == 1);
  consumer->Close();
  consumer->Close();
  CHECK((*records)[0].value == "a");
  CHECK(MessageOf(consumer->Poll(milliseconds(10)).status()) == "the consumer is closed");
}

}  // namespace
}  // namespace brook
