// Crash safety: `brook serve` killed with SIGKILL mid-stream loses no acknowledged record,
// and offsets continue after restart without gap or reuse.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <thread>

#include "tests/support/batches.h"
#include "tests/support/child_broker.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using testing::ChildBroker;
using testing::DecodeReply;
using testing::MakeBatch;
using testing::RawClient;
using testing::TempDir;
using testing::ValuesOf;

void CreateTopic(const std::string& bootstrap, const std::string& name, int partitions) {
  RawClient client(bootstrap);
  REQUIRE(testing::CreateTopic(client, name, partitions));
}

// Every record of a partition, read from offset 0.
std::vector<std::string> ReadAll(const std::string& bootstrap, const std::string& topic,
                                 int32_t partition, int64_t* log_end) {
  RawClient client(bootstrap);
  std::vector<std::string> values;
  int64_t offset = 0;
  for (int round = 0; round < 100000; ++round) {
    FetchRequest fetch;
    fetch.max_wait_ms = 0;
    fetch.topics.push_back({topic, {{partition, offset, 4 << 20}}});
    REQUIRE(client.Send(fetch, round));
    auto payload = client.ReadFrame();
    REQUIRE(payload);
    auto reply = DecodeReply<FetchResponse>(*payload);
    REQUIRE(reply);
    const auto& p = reply->second.topics.at(0).partitions.at(0);
    REQUIRE(p.error_code == ErrorCode::kNone);
    *log_end = p.log_end_offset;
    if (p.records.empty()) break;
    for (std::string& v : ValuesOf(p.records)) values.push_back(std::move(v));
    offset = static_cast<int64_t>(values.size());
  }
  return values;
}

TEST_CASE("every acknowledged record survives kill -9, in order, and offsets continue") {
  TempDir dir;
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  CreateTopic(broker.bootstrap(), "t", 1);

  // Acknowledged: offset -> value, as the broker reported them.
  std::map<int64_t, std::string> acked;
  std::atomic<int> acks{0};
  std::thread producer([&] {
    RawClient client(broker.bootstrap());
    for (int i = 0; i < 1000000; ++i) {
      std::vector<std::string> values;
      for (int j = 0; j < 10; ++j) values.push_back("r" + std::to_string(i) + "-" + std::to_string(j));
      std::string batch = MakeBatch(values);
      ProduceRequest produce;
      produce.acks = kAcksLeader;
      produce.topics.push_back({"t", {{0, batch}}});
      if (!client.Send(produce, i)) return;
      auto payload = client.ReadFrame(2000);
      if (!payload) return;  // The broker died: this batch is not acknowledged.
      auto reply = DecodeReply<ProduceResponse>(*payload);
      if (!reply || reply->second.topics[0].partitions[0].error_code != ErrorCode::kNone) return;
      int64_t base = reply->second.topics[0].partitions[0].base_offset;
      for (size_t j = 0; j < values.size(); ++j) acked[base + static_cast<int64_t>(j)] = values[j];
      acks.fetch_add(1);
    }
  });
  // Kill once a good number of batches are acknowledged, while the producer is mid-stream.
  for (int i = 0; i < 2000 && acks.load() < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  broker.Kill();
  producer.join();
  REQUIRE(acks.load() >= 300);

  REQUIRE(broker.Start());
  int64_t log_end = 0;
  std::vector<std::string> stored = ReadAll(broker.bootstrap(), "t", 0, &log_end);
  CHECK(static_cast<int64_t>(stored.size()) == log_end);  // No gap: offsets 0..end-1 all there.
  REQUIRE(stored.size() >= acked.size());
  size_t mismatches = 0;
  for (const auto& [offset, value] : acked) mismatches += stored[static_cast<size_t>(offset)] != value;
  CHECK(mismatches == 0);

  // New records continue right after the recovered log end.
  RawClient client(broker.bootstrap());
  std::string batch = MakeBatch({"after-restart"});
  ProduceRequest produce;
  produce.topics.push_back({"t", {{0, batch}}});
  REQUIRE(client.Send(produce, 1));
  auto reply = DecodeReply<ProduceResponse>(*client.ReadFrame());
  CHECK(reply->second.topics[0].partitions[0].base_offset == log_end);
  CHECK(broker.Terminate() == 0);
}

TEST_CASE("SIGTERM stops the broker gracefully with exit code 0 and data intact") {
  TempDir dir;
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  CreateTopic(broker.bootstrap(), "t", 1);
  {
    RawClient client(broker.bootstrap());
    std::string batch = MakeBatch({"a", "b"});
    ProduceRequest produce;
    produce.topics.push_back({"t", {{0, batch}}});
    REQUIRE(client.Send(produce, 1));
    REQUIRE(client.ReadFrame());
  }
  CHECK(broker.Terminate() == 0);
  REQUIRE(broker.Start());
  int64_t log_end = 0;
  CHECK(ReadAll(broker.bootstrap(), "t", 0, &log_end) == std::vector<std::string>{"a", "b"});
}

}  // namespace
}  // namespace brook
