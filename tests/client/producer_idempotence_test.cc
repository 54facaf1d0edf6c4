// The idempotent Producer (on by default) against MiniBroker, which applies storage's own
// rules to producer ids and sequences: stamping, retries after lost answers and refusals,
// ordering, the in-flight bound, and recovery from errors that break a partition's sequence.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/producer.h"
#include "protocol/absl_compat.h"
#include "tests/client/mini_broker.h"

namespace brook {
namespace {

using std::chrono::milliseconds;
using testing::MiniBroker;
using Result = absl::StatusOr<RecordMetadata>;

ProducerOptions OptionsFor(const MiniBroker& broker) {
  ProducerOptions options;
  options.bootstrap = broker.address();
  options.client_id = "idempotence-test";
  options.retry_backoff = milliseconds(5);
  options.retry_backoff_max = milliseconds(20);
  return options;
}

// Options under which every record is its own batch and request, sent by Send itself.
ProducerOptions OneBatchPerRecord(const MiniBroker& broker) {
  ProducerOptions options = OptionsFor(broker);
  options.linger = milliseconds(0);
  options.batch_size = 64;
  options.max_in_flight = 20;  // So that the per-partition bound is the one that applies.
  return options;
}

std::unique_ptr<Producer> MakeProducer(const ProducerOptions& options) {
  auto producer = Producer::Create(options);
  REQUIRE(producer.ok());
  return *std::move(producer);
}

std::vector<BatchHeader> Headers(const MiniBroker& broker, const std::string& topic,
                                 int32_t partition) {
  std::vector<BatchHeader> headers;
  for (const std::string& batch : broker.Batches(topic, partition)) {
    headers.push_back(*ParseBatchHeader(batch));
  }
  return headers;
}

// The values stored in t-0, in offset order.
std::vector<std::string> Values(const MiniBroker& broker) {
  std::vector<std::string> values;
  for (const auto& record : broker.Records("t", 0)) values.push_back(*record.value);
  return values;
}

std::vector<std::string> Numbered(int n) {
  std::vector<std::string> values;
  for (int i = 0; i < n; ++i) values.push_back("r" + std::to_string(i));
  return values;
}

void WaitUntil(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i) std::this_thread::sleep_for(milliseconds(1));
  REQUIRE(done());
}

// Sends values r<first>..r<last-1> to t-0 and returns their futures.
std::vector<std::future<Result>> SendRange(Producer& producer, int first, int last) {
  std::vector<std::future<Result>> futures;
  for (int i = first; i < last; ++i) {
    futures.push_back(producer.Send({.topic = "t", .partition = 0, .value = "r" + std::to_string(i)}));
  }
  return futures;
}

// A MiniBroker with topic t of one partition, and an idempotent producer (one batch per
// record) that has delivered "r0": the partition's first batch is acknowledged.
struct Delivered {
  MiniBroker broker;
  std::unique_ptr<Producer> producer;
  std::atomic<int> produces{0};

  Delivered() {
    broker.CreateTopic("t", 1);
    producer = MakeProducer(OneBatchPerRecord(broker));
    REQUIRE(producer->Send({.topic = "t", .partition = 0, .value = "r0"}).get().ok());
  }

  // The next Produce request fails with `code` (nothing appended); later ones go through.
  void FailNextProduce(ErrorCode code) {
    broker.SetProduceFault([this, code](const std::string&, int32_t) {
      return produces.fetch_add(1) == 0 ? code : ErrorCode::kNone;
    });
  }

  // Sends r1..r3 after a failure broke the partition's sequence: they are delivered under a
  // second producer id, numbered from 0.
  void SendUnderNewId() {
    std::vector<std::future<Result>> futures = SendRange(*producer, 1, 4);
    for (auto& f : futures) REQUIRE(f.get().ok());
    CHECK(Values(broker) == Numbered(4));
    CHECK(broker.init_producer_id_requests() == 2);
    const std::vector<BatchHeader> headers = Headers(broker, "t", 0);
    REQUIRE(headers.size() == 4);
    for (int32_t i = 1; i < 4; ++i) {
      CHECK(headers[static_cast<size_t>(i)].producer_id == 1001);
      CHECK(headers[static_cast<size_t>(i)].base_sequence == i - 1);
    }
  }
};

TEST_CASE("an idempotent producer stamps each partition's batches with its id and sequences") {
  MiniBroker broker;
  broker.CreateTopic("t", 2);
  ProducerOptions options = OptionsFor(broker);
  options.batch_size = 200;  // Several batches per partition.
  auto producer = MakeProducer(options);
  CHECK(producer->options().idempotent());
  for (int i = 0; i < 40; ++i) {
    producer->Send({.topic = "t", .partition = i % 2, .value = std::string(30, 'v')}, {});
  }
  REQUIRE(producer->Flush().ok());
  CHECK(broker.init_producer_id_requests() == 1);
  for (int32_t p = 0; p < 2; ++p) {
    CAPTURE(p);
    const std::vector<BatchHeader> headers = Headers(broker, "t", p);
    REQUIRE(headers.size() > 1);
    int32_t sequence = 0;
    for (const BatchHeader& h : headers) {
      CHECK(h.producer_id == 1000);
      CHECK(h.producer_epoch == 0);
      CHECK(h.base_sequence == sequence);
      sequence += h.record_count;
    }
    CHECK(sequence == 20);
  }
}

TEST_CASE("acks 0 or 1 turn idempotence off unless it is asked for; asking for both fails") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  ProducerOptions options = OptionsFor(broker);
  options.acks = 1;
  CHECK_FALSE(options.idempotent());
  auto producer = MakeProducer(options);
  REQUIRE(producer->Send({.topic = "t", .value = "v"}).get().ok());
  CHECK(Headers(broker, "t", 0).at(0).producer_id == -1);
  CHECK(broker.init_producer_id_requests() == 0);

  options.idempotence = true;
  auto refused = Producer::Create(options);
  CHECK(CodeOf(refused.status()) == ErrorCode::kInvalidConfig);
  CHECK(MessageOf(refused.status()) ==
        "ProducerOptions.idempotence is true but acks is 1: an idempotent producer needs acks = "
        "-1 (all), as in Kafka. Set acks = -1, or leave idempotence unset (or false) for acks 0 "
        "or 1");

  options.acks = -1;
  options.idempotence = false;
  CHECK_FALSE(options.idempotent());
  auto plain = MakeProducer(options);
  REQUIRE(plain->Send({.topic = "t", .value = "v"}).get().ok());
  CHECK(Headers(broker, "t", 0).at(1).producer_id == -1);
  CHECK(broker.init_producer_id_requests() == 0);
}

TEST_CASE_FIXTURE(Delivered,
                  "batches whose answers were lost are answered with their original offsets") {
  // The next request is appended, then the connection drops instead of the answer; requests
  // behind it on the connection fail too. All are retried after the reconnect.
  broker.LoseNextAnswers(1);
  std::vector<std::future<Result>> futures = SendRange(*producer, 1, 12);
  for (size_t i = 0; i < futures.size(); ++i) {
    Result result = futures[i].get();
    REQUIRE(result.ok());
    CHECK(result->offset == static_cast<int64_t>(i) + 1);
  }
  CHECK(broker.connections_accepted() == 2);
  CHECK(broker.duplicates() >= 1);
  CHECK(Values(broker) == Numbered(12));  // Each record once, in send order.
  CHECK(producer->Flush().ok());
}

TEST_CASE_FIXTURE(Delivered,
                  "batches refused for a gap are retried after the batch that failed, in order") {
  // The next request fails (nothing appended); the four behind it are refused for the gap.
  FailNextProduce(ErrorCode::kKafkaStorageError);
  broker.HoldProduceResponses(true);
  std::vector<std::future<Result>> futures = SendRange(*producer, 1, 6);
  // r1..r5 arrived (r0 was the fixture's), in as many requests as the sender made of them, and
  // every answer after r0's is held.
  WaitUntil([&] {
    return broker.received_batches() == 6 &&
           broker.held() == static_cast<size_t>(broker.produce_requests() - 1);
  });
  broker.HoldProduceResponses(false);
  broker.ReleaseHeld(/*reverse=*/true);
  for (size_t i = 0; i < futures.size(); ++i) {
    Result result = futures[i].get();
    REQUIRE(result.ok());
    CHECK(result->offset == static_cast<int64_t>(i) + 1);
  }
  CHECK(Values(broker) == Numbered(6));
  CHECK(broker.init_producer_id_requests() == 1);  // Nothing broke.
  CHECK(producer->Flush().ok());
}

TEST_CASE("one batch of a partition is in flight until the first is acknowledged, then five") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  auto producer = MakeProducer(OneBatchPerRecord(broker));
  broker.HoldProduceResponses(true);
  std::vector<std::future<Result>> futures = SendRange(*producer, 0, 12);
  WaitUntil([&] { return broker.held() == 1; });
  std::this_thread::sleep_for(milliseconds(50));
  CHECK(broker.produce_requests() == 1);  // r1..r11 wait for r0's answer.
  broker.ReleaseHeld(false);
  WaitUntil([&] { return broker.held() == 1; });
  std::this_thread::sleep_for(milliseconds(50));
  // Five batches went, in one request; max_in_flight is 20: the partition's bound holds the
  // other six back.
  CHECK(broker.produce_requests() == 2);
  CHECK(broker.batches_per_produce() == std::vector<int>{1, 5});
  broker.HoldProduceResponses(false);
  broker.ReleaseHeld(false);
  for (auto& f : futures) REQUIRE(f.get().ok());
  CHECK(Values(broker) == Numbered(12));
}

TEST_CASE("a batch refused for good fails with why; the partition goes on under a new id") {
  for (ErrorCode code : {ErrorCode::kOutOfOrderSequenceNumber, ErrorCode::kInvalidProducerEpoch,
                         ErrorCode::kMessageTooLarge}) {
    CAPTURE(ErrorName(code));
    Delivered delivered;
    Producer* producer = delivered.producer.get();
    delivered.FailNextProduce(code);
    Result refused = producer->Send({.topic = "t", .partition = 0, .value = "lost"}).get();
    CHECK(CodeOf(refused.status()) == code);
    if (code != ErrorCode::kMessageTooLarge) {
      CHECK(MessageOf(refused.status()).find("t-0 refused the batch of idempotent producer 1000 "
                                             "(epoch 0) at sequence 1") == 0);
      CHECK(MessageOf(refused.status()).find("Its records were not appended") !=
            std::string_view::npos);
    }
    // Later records are not refused for the hole: they go under a new producer id.
    delivered.SendUnderNewId();
    CHECK(CodeOf(producer->Flush()) == code);
  }
}

TEST_CASE_FIXTURE(Delivered, "UNKNOWN_PRODUCER_ID: a new producer id, and the records arrive") {
  FailNextProduce(ErrorCode::kUnknownProducerId);
  SendUnderNewId();  // r1 too: it was retried, not failed.
  CHECK(producer->Flush().ok());
}

TEST_CASE("many threads send concurrently to several partitions; each record lands once, "
          "in each thread's order") {
  MiniBroker broker;
  broker.CreateTopic("t", 3);
  ProducerOptions options = OptionsFor(broker);
  options.batch_size = 512;
  options.linger = milliseconds(0);
  auto producer = MakeProducer(options);
  std::atomic<int> failures{0};
  broker.SetProduceFault([&](const std::string&, int32_t) {
    return failures.fetch_add(1) % 7 == 3 ? ErrorCode::kKafkaStorageError : ErrorCode::kNone;
  });
  broker.LoseNextAnswers(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        producer->Send({.topic = "t", .partition = t, .value = std::to_string(i)}, {});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(producer->Flush().ok());
  for (int32_t p = 0; p < 3; ++p) {
    const auto records = broker.Records("t", p);
    REQUIRE(records.size() == 300);
    for (int i = 0; i < 300; ++i) CHECK(*records[static_cast<size_t>(i)].value == std::to_string(i));
  }
}

}  // namespace
}  // namespace brook
