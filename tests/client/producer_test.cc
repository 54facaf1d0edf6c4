#include "client/producer.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "protocol/partitioner.h"
#include "protocol/absl_compat.h"
#include "tests/client/mini_broker.h"

namespace brook {
namespace {

using std::chrono::milliseconds;
using testing::MiniBroker;

ProducerOptions OptionsFor(const MiniBroker& broker) {
  ProducerOptions options;
  options.bootstrap = broker.address();
  options.client_id = "producer-test";
  options.retry_backoff = milliseconds(10);
  options.retry_backoff_max = milliseconds(50);
  return options;
}

std::unique_ptr<Producer> MakeProducer(const ProducerOptions& options) {
  auto producer = Producer::Create(options);
  REQUIRE(producer.ok());
  return *std::move(producer);
}

// Collects callback outcomes in the order the callbacks ran.
struct Outcomes {
  std::mutex mu;
  std::vector<std::pair<int, absl::StatusOr<RecordMetadata>>> seen;
  SendCallback For(int id) {
    return [this, id](const absl::StatusOr<RecordMetadata>& r) {
      std::lock_guard<std::mutex> lock(mu);
      seen.emplace_back(id, r);
    };
  }
};

TEST_CASE("Create fails with the refusal message when no broker listens") {
  ProducerOptions options;
  options.bootstrap = "127.0.0.1:" + std::to_string(testing::UnusedPort());
  auto producer = Producer::Create(options);
  REQUIRE_FALSE(producer.ok());
  CHECK(CodeOf(producer.status()) == ErrorCode::kNetworkException);
  CHECK(MessageOf(producer.status()).find("connection refused — is `brook serve` running?") !=
        std::string_view::npos);
}

TEST_CASE("Create validates its options") {
  ProducerOptions options;
  options.acks = 2;
  CHECK(CodeOf(Producer::Create(options).status()) == ErrorCode::kInvalidRequiredAcks);
  options = ProducerOptions();
  options.compression = static_cast<Compression>(5);  // Attribute value 5 is no codec.
  CHECK(CodeOf(Producer::Create(options).status()) == ErrorCode::kUnsupportedCompressionType);
  options = ProducerOptions();
  options.max_in_flight = 0;
  auto status = Producer::Create(options).status();
  CHECK(CodeOf(status) == ErrorCode::kInvalidRequest);
  CHECK(MessageOf(status).find("max_in_flight") != std::string_view::npos);
}

TEST_CASE("records get consecutive offsets and callbacks run in send order") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  auto producer = MakeProducer(OptionsFor(broker));
  Outcomes outcomes;
  const HeaderView header{"h", std::string_view("v")};
  for (int i = 0; i < 100; ++i) {
    const std::string value = "value-" + std::to_string(i);
    ProducerRecord record{.topic = "t", .value = value, .timestamp_ms = 5000 + i};
    if (i == 0) record.headers = std::span<const HeaderView>(&header, 1);
    producer->Send(record, outcomes.For(i));
  }
  REQUIRE(producer->Flush().ok());
  REQUIRE(outcomes.seen.size() == 100);
  for (int i = 0; i < 100; ++i) {
    CHECK(outcomes.seen[i].first == i);
    REQUIRE(outcomes.seen[i].second.ok());
    CHECK(outcomes.seen[i].second->topic == "t");
    CHECK(outcomes.seen[i].second->partition == 0);
    CHECK(outcomes.seen[i].second->offset == i);
    CHECK(outcomes.seen[i].second->timestamp_ms == 5000 + i);
  }
  auto stored = broker.Records("t", 0);
  REQUIRE(stored.size() == 100);
  CHECK(stored[7].value == "value-7");
  CHECK_FALSE(stored[7].key.has_value());
  CHECK(stored[7].timestamp == 5007);
  REQUIRE(stored[0].headers.size() == 1);
  CHECK(stored[0].headers[0].first == "h");
  CHECK(stored[0].headers[0].second == "v");
  // Batching: far fewer requests than records.
  CHECK(broker.produce_requests() < 100);
}

TEST_CASE("the future form of Send completes with the metadata") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  auto producer = MakeProducer(OptionsFor(broker));
  auto first = producer->Send({.topic = "t", .value = "a"});
  auto second = producer->Send({.topic = "t", .key = "k", .value = std::nullopt});
  auto a = first.get();
  auto b = second.get();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->offset == 0);
  CHECK(b->offset == 1);
  CHECK(a->timestamp_ms > 0);  // "now" was filled in.
  auto stored = broker.Records("t", 0);
  REQUIRE(stored.size() == 2);
  CHECK_FALSE(stored[1].value.has_value());  // A tombstone.
  CHECK(stored[1].key == "k");
}

TEST_CASE("keyed records land on PartitionForKey's partition") {
  MiniBroker broker;
  broker.CreateTopic("keyed", 5);
  auto producer = MakeProducer(OptionsFor(broker));
  std::map<std::string, int32_t> expected;
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> futures;
  for (int i = 0; i < 50; ++i) {
    const std::string key = "key-" + std::to_string(i % 10);
    expected[key] = PartitionForKey(key, 5);
    futures.push_back(producer->Send({.topic = "keyed", .key = key, .value = "v"}));
  }
  for (int i = 0; i < 50; ++i) {
    auto md = futures[i].get();
    REQUIRE(md.ok());
    CHECK(md->partition == expected["key-" + std::to_string(i % 10)]);
  }
  for (int32_t p = 0; p < 5; ++p) {
    for (const auto& record : broker.Records("keyed", p)) {
      CHECK(expected.at(*record.key) == p);
    }
  }
}

TEST_CASE("keyless records stick to a partition until its batch is sealed") {
  MiniBroker broker;
  broker.CreateTopic("sticky", 3);
  ProducerOptions options = OptionsFor(broker);
  options.batch_size = 1024;
  options.linger = milliseconds(1000);  // Only size seals batches here.
  auto producer = MakeProducer(options);
  const std::string value(100, 'x');
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> futures;
  for (int i = 0; i < 60; ++i)
    futures.push_back(producer->Send({.topic = "sticky", .value = value}));
  REQUIRE(producer->Flush().ok());
  std::vector<int32_t> partitions;
  for (auto& f : futures) {
    auto md = f.get();
    REQUIRE(md.ok());
    partitions.push_back(md->partition);
  }
  // Runs of the same partition, each run a batch of several records, all partitions used.
  int switches = 0;
  for (size_t i = 1; i < partitions.size(); ++i) switches += partitions[i] != partitions[i - 1];
  CHECK(switches >= 3);
  CHECK(switches <= 10);
  CHECK(std::set<int32_t>(partitions.begin(), partitions.end()).size() == 3);
  for (int32_t p = 0; p < 3; ++p) {
    for (const std::string& batch : broker.Batches("sticky", p)) {
      CHECK(batch.size() <= 1024 + 200);
    }
  }
}

TEST_CASE("an explicit partition outside the topic fails that record only") {
  MiniBroker broker;
  broker.CreateTopic("t", 2);
  auto producer = MakeProducer(OptionsFor(broker));
  auto bad = producer->Send({.topic = "t", .partition = 2, .value = "v"});
  auto good = producer->Send({.topic = "t", .partition = 1, .value = "v"});
  auto b = bad.get();
  CHECK(CodeOf(b.status()) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(MessageOf(b.status()) == "topic 't' has 2 partition(s); partition 2 does not exist");
  auto g = good.get();
  REQUIRE(g.ok());
  CHECK(g->partition == 1);
  // Flush reports the first error since the last Flush, once.
  CHECK(CodeOf(producer->Flush()) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(producer->Flush().ok());
}

TEST_CASE("records for a topic that does not exist fail with its name") {
  MiniBroker broker;
  auto producer = MakeProducer(OptionsFor(broker));
  Outcomes outcomes;
  for (int i = 0; i < 3; ++i) producer->Send({.topic = "nope", .value = "v"}, outcomes.For(i));
  absl::Status status = producer->Flush();
  CHECK(CodeOf(status) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(MessageOf(status) == "topic 'nope' does not exist");
  REQUIRE(outcomes.seen.size() == 3);
  for (auto& [id, result] : outcomes.seen) {
    CHECK(MessageOf(result.status()) == "topic 'nope' does not exist");
  }
  // The topic appears later: the next send asks again.
  broker.CreateTopic("nope", 1);
  CHECK(producer->Send({.topic = "nope", .value = "v"}).get().ok());
}

TEST_CASE("several partitions and batches travel in one Produce request") {
  MiniBroker broker;
  broker.CreateTopic("a", 4);
  ProducerOptions options = OptionsFor(broker);
  options.max_in_flight = 1;
  options.batch_size = 512;
  auto producer = MakeProducer(options);
  // An idempotent producer sends a partition's first batch alone until it is acknowledged.
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> firsts;
  for (int p = 0; p < 4; ++p) firsts.push_back(producer->Send({.topic = "a", .partition = p, .value = "0"}));
  for (auto& f : firsts) REQUIRE(f.get().ok());
  const int warm_up = broker.produce_requests();
  // Hold the first request so that batches pile up behind it.
  broker.HoldProduceResponses(true);
  auto first = producer->Send({.topic = "a", .partition = 0, .value = "first"});
  while (broker.held() == 0) std::this_thread::sleep_for(milliseconds(1));
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> futures;
  const std::string value(100, 'v');
  for (int i = 0; i < 40; ++i) {
    futures.push_back(producer->Send({.topic = "a", .partition = i % 4, .value = value}));
  }
  std::this_thread::sleep_for(milliseconds(50));   // Let them linger and seal.
  CHECK(broker.produce_requests() == warm_up + 1);  // max_in_flight = 1.
  broker.HoldProduceResponses(false);
  broker.ReleaseHeld(false);
  REQUIRE(first.get().ok());
  for (auto& f : futures) REQUIRE(f.get().ok());
  CHECK(broker.produce_requests() == warm_up + 2);  // Everything else went in one request.
  const std::vector<int> batches = broker.batches_per_produce();
  int most = 0;
  for (int n : batches) most = std::max(most, n);
  CHECK(most >= 2);  // A partition carried several batches back to back.
}

TEST_CASE("callbacks keep send order per partition when responses come back reversed") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  ProducerOptions options = OptionsFor(broker);
  options.linger = milliseconds(0);
  options.batch_size = 128;
  auto producer = MakeProducer(options);
  // An idempotent producer sends a partition's first batch alone until it is acknowledged.
  REQUIRE(producer->Send({.topic = "t", .value = "first"}).get().ok());
  broker.HoldProduceResponses(true);
  Outcomes outcomes;
  const std::string value(100, 'v');
  for (int i = 0; i < 5; ++i) {
    producer->Send({.topic = "t", .value = value}, outcomes.For(i));
    while (broker.held() < static_cast<size_t>(i + 1)) std::this_thread::sleep_for(milliseconds(1));
  }
  broker.HoldProduceResponses(false);
  broker.ReleaseHeld(/*reverse=*/true);
  REQUIRE(producer->Flush().ok());
  REQUIRE(outcomes.seen.size() == 5);
  for (int i = 0; i < 5; ++i) {
    CHECK(outcomes.seen[i].first == i);
    CHECK(outcomes.seen[i].second->offset == i + 1);
  }
}

TEST_CASE("a retriable error is retried and the records land once") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  std::atomic<int> failures{2};
  broker.SetProduceFault([&](const std::string&, int32_t) {
    return failures.fetch_sub(1) > 0 ? ErrorCode::kKafkaStorageError : ErrorCode::kNone;
  });
  auto producer = MakeProducer(OptionsFor(broker));
  auto result = producer->Send({.topic = "t", .value = "v"}).get();
  REQUIRE(result.ok());
  CHECK(result->offset == 0);
  CHECK(broker.produce_requests() == 3);
  CHECK(broker.Records("t", 0).size() == 1);
  CHECK(producer->Flush().ok());
}

TEST_CASE("retries stop at `retries`, and a non-retriable error fails at once") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.SetProduceFault([](const std::string&, int32_t) { return ErrorCode::kKafkaStorageError; });
  ProducerOptions options = OptionsFor(broker);
  options.retries = 2;
  auto producer = MakeProducer(options);
  auto result = producer->Send({.topic = "t", .value = "v"}).get();
  CHECK(CodeOf(result.status()) == ErrorCode::kKafkaStorageError);
  CHECK(MessageOf(result.status()) == "injected STORAGE_ERROR");
  CHECK(broker.produce_requests() == 3);

  broker.SetProduceFault([](const std::string&, int32_t) { return ErrorCode::kMessageTooLarge; });
  auto too_large = producer->Send({.topic = "t", .value = "v"}).get();
  CHECK(CodeOf(too_large.status()) == ErrorCode::kMessageTooLarge);
  CHECK(broker.produce_requests() == 4);
}

TEST_CASE("a dropped connection is reconnected and the batch retried") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  auto producer = MakeProducer(OptionsFor(broker));
  broker.DropNextProduces(1);
  auto result = producer->Send({.topic = "t", .value = "v"}).get();
  REQUIRE(result.ok());
  CHECK(result->offset == 0);
  CHECK(broker.connections_accepted() == 2);
  CHECK(broker.Records("t", 0).size() == 1);
}

TEST_CASE("records that cannot be delivered fail after delivery_timeout") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.IgnoreProduces(true);
  ProducerOptions options = OptionsFor(broker);
  options.request_timeout = milliseconds(100);
  options.delivery_timeout = milliseconds(400);
  auto producer = MakeProducer(options);
  const auto start = std::chrono::steady_clock::now();
  auto result = producer->Send({.topic = "t", .value = "v"}).get();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(CodeOf(result.status()) == ErrorCode::kRequestTimedOut);
  CHECK(MessageOf(result.status()).find("delivery_timeout (400 ms)") != std::string_view::npos);
  CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("acks=0 completes on write with offset -1") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  ProducerOptions options = OptionsFor(broker);
  options.acks = 0;
  auto producer = MakeProducer(options);
  auto result = producer->Send({.topic = "t", .value = "v"}).get();
  REQUIRE(result.ok());
  CHECK(result->offset == -1);
  REQUIRE(producer->Flush().ok());
  for (int i = 0; i < 100 && broker.Records("t", 0).empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  CHECK(broker.Records("t", 0).size() == 1);
}

TEST_CASE("compressed batches arrive valid and decode to the same records, with every codec") {
  for (Compression compression : kAllCompressions) {
    CAPTURE(CompressionName(compression));
    MiniBroker broker;
    broker.CreateTopic("z", 1);
    ProducerOptions options = OptionsFor(broker);
    options.compression = compression;
    auto producer = MakeProducer(options);
    for (int i = 0; i < 200; ++i) {
      producer->Send({.topic = "z", .value = std::string(50, static_cast<char>('a' + i % 26))},
                     {});
    }
    REQUIRE(producer->Flush().ok());
    auto stored = broker.Records("z", 0);
    REQUIRE(stored.size() == 200);
    CHECK(stored[199].value == std::string(50, static_cast<char>('a' + 199 % 26)));
    auto header = ParseBatchHeader(broker.Batches("z", 0)[0]);
    CHECK(header->compression() == compression);
  }
}

TEST_CASE("Send blocks while buffer_memory is used up") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  ProducerOptions options = OptionsFor(broker);
  options.batch_size = 1024;
  options.buffer_memory = 2048;
  options.linger = milliseconds(0);
  auto producer = MakeProducer(options);
  broker.HoldProduceResponses(true);
  const std::string value(1500, 'v');
  auto first = producer->Send({.topic = "t", .value = value});
  std::atomic<bool> returned{false};
  std::thread second([&] {
    producer->Send({.topic = "t", .value = value}, {});
    returned = true;
  });
  std::this_thread::sleep_for(milliseconds(200));
  CHECK_FALSE(returned.load());
  broker.HoldProduceResponses(false);
  broker.ReleaseHeld(false);
  second.join();
  CHECK(returned.load());
  REQUIRE(first.get().ok());
  REQUIRE(producer->Flush().ok());
  CHECK(broker.Records("t", 0).size() == 2);
}

TEST_CASE("Flush from a callback is refused; Close flushes; Send after Close fails inline") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  auto producer = MakeProducer(OptionsFor(broker));
  std::promise<absl::Status> inner;
  auto inner_future = inner.get_future();
  producer->Send({.topic = "t", .value = "v"}, [&](const absl::StatusOr<RecordMetadata>&) {
    inner.set_value(producer->Flush());
  });
  CHECK(CodeOf(inner_future.get()) == ErrorCode::kInvalidRequest);

  Outcomes outcomes;
  for (int i = 0; i < 10; ++i) producer->Send({.topic = "t", .value = "v"}, outcomes.For(i));
  CHECK(producer->Close().ok());
  CHECK(outcomes.seen.size() == 10);  // Close waited for them.
  CHECK(broker.Records("t", 0).size() == 11);

  bool ran = false;
  producer->Send({.topic = "t", .value = "v"}, [&](const absl::StatusOr<RecordMetadata>& r) {
    ran = true;
    CHECK(MessageOf(r.status()) == "the producer is closed");
  });
  CHECK(ran);
  CHECK(producer->Close().ok());
}

TEST_CASE("many threads send concurrently; every record lands exactly once") {
  MiniBroker broker;
  broker.CreateTopic("mt", 3);
  auto producer = MakeProducer(OptionsFor(broker));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = std::to_string(t) + "-" + std::to_string(i);
        producer->Send({.topic = "mt", .key = key, .value = key},
                       [&](const absl::StatusOr<RecordMetadata>& r) { ok += r.ok(); });
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(producer->Flush().ok());
  CHECK(ok == 8000);
  size_t total = 0;
  std::set<std::string> keys;
  for (int32_t p = 0; p < 3; ++p) {
    auto records = broker.Records("mt", p);
    total += records.size();
    for (size_t i = 0; i < records.size(); ++i) {
      CHECK(records[i].offset == static_cast<int64_t>(i));
      keys.insert(*records[i].key);
    }
  }
  CHECK(total == 8000);
  CHECK(keys.size() == 8000);
}

}  // namespace
}  // namespace brook
