// Producer, Consumer and Admin against a real broker (EmbeddedBroker) over TCP.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <thread>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "protocol/partitioner.h"
#include "client/producer.h"
#include "protocol/error_codes.h"
#include "tests/support/embedded_fixture.h"

namespace brook {
namespace {

struct Fixture : testing::EmbeddedFixture {
  std::unique_ptr<Producer> MakeProducer(ProducerOptions options = {}) {
    options.bootstrap = broker.bootstrap();
    auto p = Producer::Create(options);
    REQUIRE(p.ok());
    return *std::move(p);
  }
  std::unique_ptr<Consumer> MakeConsumer(const std::string& topic, int partitions) {
    ConsumerOptions options;
    options.bootstrap = broker.bootstrap();
    options.auto_offset_reset = OffsetReset::kEarliest;
    auto c = Consumer::Create(options);
    REQUIRE(c.ok());
    std::vector<TopicPartition> tps;
    for (int p = 0; p < partitions; ++p) tps.push_back({topic, PartitionId(p)});
    REQUIRE((*c)->Assign(tps).ok());
    return *std::move(c);
  }
};

struct Received {
  std::string key;
  std::string value;
  int32_t partition;
  int64_t offset;
  std::map<std::string, std::string> headers;
};

std::vector<Received> ConsumeN(Consumer& consumer, size_t n, int max_polls = 200) {
  std::vector<Received> out;
  for (int i = 0; i < max_polls && out.size() < n; ++i) {
    auto records = consumer.Poll(std::chrono::milliseconds(500));
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) {
      Received rec{std::string(r.key.value_or("")), std::string(r.value.value_or("")),
                   r.partition, r.offset, {}};
      for (const HeaderView& h : r.headers) rec.headers[std::string(h.key)] = std::string(h.value.value_or(""));
      out.push_back(std::move(rec));
    }
  }
  return out;
}

TEST_CASE_FIXTURE(Fixture, "every record produced is consumed once, in order per partition") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 4}).ok());
  auto producer = MakeProducer();
  constexpr int kRecords = 20000;
  std::atomic<int> acked{0};
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "key-" + std::to_string(i % 97);
    const std::string value = "value-" + std::to_string(i);
    producer->Send({.topic = "t", .key = key, .value = value},
                   [&](const absl::StatusOr<RecordMetadata>& m) {
                     if (m.ok()) acked.fetch_add(1);
                   });
  }
  REQUIRE(producer->Flush().ok());
  CHECK(acked.load() == kRecords);

  auto consumer = MakeConsumer("t", 4);
  auto received = ConsumeN(*consumer, kRecords);
  REQUIRE(received.size() == kRecords);
  std::set<std::string> values;
  std::map<std::string, int32_t> partition_of_key;
  std::map<int32_t, int64_t> last_offset;
  std::map<std::string, int> last_index_of_key;
  for (const Received& r : received) {
    values.insert(r.value);
    // Same key, same partition, as Kafka's partitioner decides.
    CHECK(r.partition == PartitionForKey(r.key, 4));
    auto [it, fresh] = partition_of_key.emplace(r.key, r.partition);
    CHECK(it->second == r.partition);
    // Offsets strictly increase per partition; per key, send order is kept.
    if (last_offset.count(r.partition)) CHECK(r.offset == last_offset[r.partition] + 1);
    last_offset[r.partition] = r.offset;
    const int index = std::stoi(r.value.substr(6));
    if (last_index_of_key.count(r.key)) CHECK(index > last_index_of_key[r.key]);
    last_index_of_key[r.key] = index;
  }
  CHECK(values.size() == kRecords);
}

TEST_CASE_FIXTURE(Fixture, "futures carry offsets; headers, null values and explicit partitions arrive") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 3}).ok());
  auto producer = MakeProducer({.acks = -1});
  const HeaderView headers[] = {{"trace", "abc"}, {"empty", std::nullopt}};
  auto first = producer->Send({.topic = "t", .partition = 2, .key = "k", .value = "v", .headers = headers});
  auto tombstone = producer->Send({.topic = "t", .partition = 2, .key = "k", .value = std::nullopt});
  auto m1 = first.get();
  auto m2 = tombstone.get();
  REQUIRE(m1.ok());
  REQUIRE(m2.ok());
  CHECK(m1->partition == 2);
  CHECK(m1->offset == 0);
  CHECK(m2->offset == 1);

  auto consumer = MakeConsumer("t", 3);
  std::vector<ConsumerRecord> seen;
  ConsumerRecords kept;
  for (int i = 0; i < 20 && seen.size() < 2; ++i) {
    auto records = consumer->Poll(std::chrono::milliseconds(500));
    REQUIRE(records.ok());
    if (records->empty()) continue;
    kept = *std::move(records);
    for (const ConsumerRecord& r : kept) seen.push_back(r);
  }
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].headers.size() == 2);
  CHECK(seen[0].headers[0].key == "trace");
  CHECK(seen[0].headers[0].value == std::optional<std::string_view>("abc"));
  CHECK_FALSE(seen[0].headers[1].value.has_value());
  CHECK_FALSE(seen[1].value.has_value());
}

TEST_CASE_FIXTURE(Fixture, "sending to a missing topic or partition fails with a clear error") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 1}).ok());
  auto producer = MakeProducer();
  auto missing = producer->Send({.topic = "nope", .value = "x"}).get();
  CHECK(CodeOf(missing.status()) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(std::string(missing.status().message()).find("topic 'nope' does not exist") != std::string::npos);
  auto bad_partition = producer->Send({.topic = "t", .partition = 7, .value = "x"}).get();
  CHECK(CodeOf(bad_partition.status()) == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE_FIXTURE(Fixture, "zstd batches round trip") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 1}).ok());
  auto producer = MakeProducer({.compression = Compression::kZstd});
  for (int i = 0; i < 1000; ++i) {
    producer->Send({.topic = "t", .value = "compressible value number " + std::to_string(i)}, nullptr);
  }
  REQUIRE(producer->Flush().ok());
  auto consumer = MakeConsumer("t", 1);
  auto received = ConsumeN(*consumer, 1000);
  REQUIRE(received.size() == 1000);
  CHECK(received[999].value == "compressible value number 999");
}

TEST_CASE_FIXTURE(Fixture, "seek to beginning, end, offset and timestamp") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 1}).ok());
  auto producer = MakeProducer();
  for (int i = 0; i < 10; ++i) {
    producer->Send({.topic = "t", .value = std::to_string(i), .timestamp_ms = 1000 + i * 100}, nullptr);
  }
  REQUIRE(producer->Flush().ok());
  auto consumer = MakeConsumer("t", 1);
  const TopicPartition tp{"t", PartitionId(0)};

  REQUIRE(consumer->SeekToTimestamp(tp, 1450).ok());
  CHECK(ConsumeN(*consumer, 1).at(0).value == "5");
  REQUIRE(consumer->Seek(tp, 8).ok());
  CHECK(ConsumeN(*consumer, 2).at(1).value == "9");
  REQUIRE(consumer->SeekToEnd({tp}).ok());
  CHECK(*consumer->Position(tp) == 10);
  REQUIRE(consumer->SeekToBeginning({tp}).ok());
  CHECK(ConsumeN(*consumer, 10).size() == 10);
}

TEST_CASE_FIXTURE(Fixture, "a consumer waiting at the end gets new records as they arrive") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 1}).ok());
  auto consumer = MakeConsumer("t", 1);
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto producer = MakeProducer();
    REQUIRE(producer->Send({.topic = "t", .value = "late"}).get().ok());
  });
  auto received = ConsumeN(*consumer, 1, 20);
  later.join();
  REQUIRE(received.size() == 1);
  CHECK(received[0].value == "late");
}

TEST_CASE_FIXTURE(Fixture, "many producers at once, acks=all, lose nothing") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 3}).ok());
  constexpr int kProducers = 8, kEach = 500;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      auto producer = MakeProducer({.acks = -1, .linger = std::chrono::milliseconds(1)});
      for (int i = 0; i < kEach; ++i) {
        producer->Send({.topic = "t", .value = std::to_string(p) + "-" + std::to_string(i)},
                       [&](const absl::StatusOr<RecordMetadata>& m) {
                         if (!m.ok()) failures.fetch_add(1);
                       });
      }
      if (!producer->Flush().ok()) failures.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures.load() == 0);
  auto consumer = MakeConsumer("t", 3);
  auto received = ConsumeN(*consumer, kProducers * kEach);
  std::set<std::string> unique;
  for (const auto& r : received) unique.insert(r.value);
  CHECK(unique.size() == kProducers * kEach);
  CHECK(received.size() == kProducers * kEach);
}

TEST_CASE_FIXTURE(Fixture, "a busy partition does not starve the others when fetches are small") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 2}).ok());
  auto producer = MakeProducer({.linger = std::chrono::milliseconds(0)});
  for (int i = 0; i < 50; ++i) {
    REQUIRE(producer->Send({.topic = "t", .partition = 0, .value = "busy"}).get().ok());
  }
  REQUIRE(producer->Send({.topic = "t", .partition = 1, .value = "quiet"}).get().ok());

  ConsumerOptions options;
  options.bootstrap = broker.bootstrap();
  options.auto_offset_reset = OffsetReset::kEarliest;
  options.fetch_max_bytes = 1;  // One batch per fetch: partitions must take turns.
  auto consumer = Consumer::Create(options);
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Assign({{"t", PartitionId(0)}, {"t", PartitionId(1)}}).ok());
  bool quiet_seen = false;
  for (int poll = 0; poll < 4 && !quiet_seen; ++poll) {
    auto records = (*consumer)->Poll(std::chrono::milliseconds(500));
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) quiet_seen |= r.partition == 1;
  }
  CHECK(quiet_seen);  // Within a few polls, not after all 50 busy batches.
}

TEST_CASE_FIXTURE(Fixture, "admin describes topics and offsets; records survive a restart") {
  REQUIRE(admin->CreateTopic({.name = "t", .partitions = 2, .configs = {{"retention.ms", "5000"}}}).ok());
  auto producer = MakeProducer();
  REQUIRE(producer->Send({.topic = "t", .partition = 1, .value = "x"}).get().ok());
  producer.reset();
  auto described = admin->DescribeTopic("t");
  REQUIRE(described.ok());
  CHECK(described->partitions.size() == 2);
  CHECK(described->partitions[1].log_end_offset == 1);
  CHECK(described->configs.at("retention.ms") == "5000");

  admin.reset();
  REQUIRE(broker.Restart().ok());
  auto again = Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(again.ok());
  CHECK((*again)->DescribeTopic("t")->partitions[1].log_end_offset == 1);
  CHECK((*again)->ListTopics()->size() == 1);
}

}  // namespace
}  // namespace brook
