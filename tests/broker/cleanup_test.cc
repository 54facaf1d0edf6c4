// Retention and compaction through the broker over TCP: AlterConfigs, CompactTopic,
// DeleteRecords, and the log cleaner's background passes (broker/log_cleaner.h).
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "broker/embedded_broker.h"
#include "tests/broker/call.h"
#include "tests/support/batches.h"
#include "tests/support/keyed_records.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using testing::Call;
using testing::KeyedBatch;
using testing::KeyValue;
using testing::RawClient;
using testing::ReadKeyed;
using testing::Roundtrip;

void Create(RawClient& client, const std::string& name, int32_t partitions,
            std::vector<ConfigEntry> configs) {
  CreateTopicsRequest create;
  create.topics.push_back({name, partitions, std::move(configs)});
  auto reply = Call(client, create);
  REQUIRE(reply.second.topics.at(0).error_code == ErrorCode::kNone);
}

// Appends one batch; returns its base offset.
int64_t Append(RawClient& client, const std::string& topic, int32_t partition,
               const std::string& batch) {
  ProduceRequest produce;
  produce.topics.push_back({topic, {{partition, batch}}});
  auto reply = Call(client, produce);
  const auto& p = reply.second.topics.at(0).partitions.at(0);
  REQUIRE(p.error_code == ErrorCode::kNone);
  return p.base_offset;
}

AlterConfigsRequest Alter(const std::string& topic,
                          std::vector<AlterConfigsRequest::Config> configs,
                          bool validate_only = false) {
  AlterConfigsRequest alter;
  alter.topics.push_back({topic, std::move(configs)});
  alter.validate_only = validate_only;
  return alter;
}

// The topic's resolved config `key`, from Metadata.
std::string ConfigOf(RawClient& client, const std::string& topic, const std::string& key) {
  auto reply = Call(client, MetadataRequest{std::vector<std::string>{topic}});
  for (const ConfigEntry& entry : reply.second.topics.at(0).configs) {
    if (entry.name == key) return std::string(entry.value);
  }
  FAIL("no config " << key);
  return "";
}

MetadataResponse::Partition PartitionOf(RawClient& client, const std::string& topic) {
  auto reply = Call(client, MetadataRequest{std::vector<std::string>{topic}});
  return reply.second.topics.at(0).partitions.at(0);
}

// Polls `pred` every 20 ms until it holds or 20 s pass; returns its last value.
bool WaitFor(const std::function<bool()>& pred) {
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

EmbeddedBrokerOptions FastCleaner() {
  EmbeddedBrokerOptions options;
  options.config.log_cleanup_interval = 50ms;
  return options;
}

// Three keys, overwritten and one deleted, then a last batch with a fourth key.
void ProduceChangelog(RawClient& client, const std::string& topic, int64_t timestamp_ms) {
  Append(client, topic, 0, KeyedBatch({{"a", "a1"}, {"b", "b1"}, {"c", "c1"}}, timestamp_ms));
  Append(client, topic, 0, KeyedBatch({{"a", "a2"}, {"b", std::nullopt}}, timestamp_ms));
  Append(client, topic, 0, KeyedBatch({{"a", "a3"}}, timestamp_ms));
  Append(client, topic, 0, KeyedBatch({{"d", "d1"}}, timestamp_ms));
}

TEST_CASE("AlterConfigs sets and removes overrides, shown by Metadata and kept across a restart") {
  EmbeddedBroker broker;
  {
    RawClient client(broker.bootstrap());
    Create(client, "t", 1, {{"retention.ms", "1000"}});
    auto reply = Call(client, Alter("t", {{"retention.bytes", "4096"}, {"retention.ms", std::nullopt}}));
    REQUIRE(reply.second.topics.size() == 1);
    CHECK(reply.second.topics[0].name == "t");
    CHECK(reply.second.topics[0].error_code == ErrorCode::kNone);
    CHECK(ConfigOf(client, "t", "retention.bytes") == "4096");
    CHECK(ConfigOf(client, "t", "retention.ms") == "604800000");  // Back to the default.
  }
  REQUIRE(broker.Restart().ok());
  RawClient client(broker.bootstrap());
  CHECK(ConfigOf(client, "t", "retention.bytes") == "4096");
  CHECK(ConfigOf(client, "t", "retention.ms") == "604800000");
}

TEST_CASE("AlterConfigs refuses bad changes per topic and validate_only changes nothing") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  Create(client, "t", 1, {});
  auto code_of = [&](const AlterConfigsRequest& request) {
    return Call(client, request).second.topics.at(0).error_code;
  };
  CHECK(code_of(Alter("t", {{"no.such.key", "1"}})) == ErrorCode::kInvalidConfig);
  CHECK(code_of(Alter("t", {{"retention.ms", "soon"}})) == ErrorCode::kInvalidConfig);
  CHECK(code_of(Alter("t", {{"no.such.key", std::nullopt}})) == ErrorCode::kInvalidConfig);
  CHECK(code_of(Alter("t", {{"retention.ms", "1"}, {"retention.ms", std::nullopt}})) ==
        ErrorCode::kInvalidConfig);
  // All or nothing: the valid key of a refused change is not applied either.
  CHECK(code_of(Alter("t", {{"retention.bytes", "4096"}, {"cleanup.policy", "shred"}})) ==
        ErrorCode::kInvalidConfig);
  CHECK(ConfigOf(client, "t", "retention.bytes") == "-1");
  CHECK(code_of(Alter("missing", {{"retention.ms", "1"}})) ==
        ErrorCode::kUnknownTopicOrPartition);

  CHECK(code_of(Alter("t", {{"retention.bytes", "4096"}}, /*validate_only=*/true)) ==
        ErrorCode::kNone);
  CHECK(code_of(Alter("t", {{"retention.bytes", "x"}}, /*validate_only=*/true)) ==
        ErrorCode::kInvalidConfig);
  CHECK(ConfigOf(client, "t", "retention.bytes") == "-1");

  // One topic's failure does not stop another's change.
  AlterConfigsRequest both = Alter("missing", {{"retention.ms", "1"}});
  both.topics.push_back({"t", {{"retention.ms", "5000"}}});
  auto reply = Call(client, both);
  CHECK(reply.second.topics[0].error_code == ErrorCode::kUnknownTopicOrPartition);
  CHECK(reply.second.topics[0].error_message.has_value());
  CHECK(reply.second.topics[1].error_code == ErrorCode::kNone);
  CHECK(ConfigOf(client, "t", "retention.ms") == "5000");
}

TEST_CASE("CompactTopic keeps the latest record of every key at its offset") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  Create(client, "c", 1, {{"cleanup.policy", "compact"}});
  ProduceChangelog(client, "c", testing::WallClockMs());
  const auto before = ReadKeyed(client, "c", 0);
  REQUIRE(before.size() == 7);

  auto reply = Call(client, CompactTopicRequest{"c", std::nullopt});
  REQUIRE(reply.second.partitions.size() == 1);
  const auto& p = reply.second.partitions[0];
  CHECK(p.partition == 0);
  CHECK(p.error_code == ErrorCode::kNone);
  CHECK(p.records_removed == 3);  // a1, b1, a2; the tombstone of b is young: it stays.
  CHECK(p.tombstones_removed == 0);
  CHECK(p.bytes_read > 0);
  CHECK(p.cleaned_up_to == 7);  // Up to the log end.

  const auto after = ReadKeyed(client, "c", 0);
  REQUIRE(after.size() == 4);
  CHECK(after[0].offset == 2);
  CHECK(after[0].key == "c");
  CHECK(after[1].offset == 4);
  CHECK(after[1].key == "b");
  CHECK_FALSE(after[1].value.has_value());
  CHECK(after[2].offset == 5);
  CHECK(after[2].value == "a3");
  CHECK(after[3].offset == 6);
  CHECK(testing::LatestByKey(after) == testing::LatestByKey(before));
  CHECK(PartitionOf(client, "c").log_end_offset == 7);
}

TEST_CASE("CompactTopic drops tombstones older than delete.retention.ms") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  Create(client, "c", 1, {{"cleanup.policy", "compact"}, {"delete.retention.ms", "1000"}});
  ProduceChangelog(client, "c", testing::WallClockMs() - 60'000);
  auto reply = Call(client, CompactTopicRequest{"c", std::vector<int32_t>{0}});
  CHECK(reply.second.partitions.at(0).tombstones_removed == 1);
  const auto after = ReadKeyed(client, "c", 0);
  REQUIRE(after.size() == 3);
  CHECK(after[0].key == "c");
  CHECK(after[1].key == "a");
  CHECK(after[2].key == "d");
}

TEST_CASE("CompactTopic refuses delete topics, unknown topics and unknown partitions") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  Create(client, "d", 1, {});
  Create(client, "c", 2, {{"cleanup.policy", "compact,delete"}});
  CHECK(Roundtrip(client, CompactTopicRequest{"d", std::nullopt}).first.error_code ==
        ErrorCode::kInvalidRequest);
  CHECK(Roundtrip(client, CompactTopicRequest{"missing", std::nullopt}).first.error_code ==
        ErrorCode::kUnknownTopicOrPartition);
  auto reply = Call(client, CompactTopicRequest{"c", std::vector<int32_t>{1, 7}});
  REQUIRE(reply.second.partitions.size() == 2);
  CHECK(reply.second.partitions[0].partition == 1);
  CHECK(reply.second.partitions[0].error_code == ErrorCode::kNone);
  CHECK(reply.second.partitions[1].partition == 7);
  CHECK(reply.second.partitions[1].error_code == ErrorCode::kUnknownTopicOrPartition);
  auto all = Call(client, CompactTopicRequest{"c", std::nullopt});
  CHECK(all.second.partitions.size() == 2);
}

TEST_CASE("a shutdown stops a running CompactTopic, which answers BROKER_SHUTTING_DOWN") {
  EmbeddedBrokerOptions options;
  options.config.compaction_max_bytes_per_second = 1024;  // 64 KiB would take over a minute.
  EmbeddedBroker broker(options);
  RawClient client(broker.bootstrap());
  Create(client, "c", 1, {{"cleanup.policy", "compact"}});
  const std::string value(1000, 'v');
  for (int i = 0; i < 64; ++i) Append(client, "c", 0, KeyedBatch({{"k", value}}));
  REQUIRE(client.Send(CompactTopicRequest{"c", std::nullopt}, 9));
  std::this_thread::sleep_for(200ms);  // Let the cleaner start it (queued would answer alike).
  REQUIRE(broker.Restart().ok());      // A graceful stop waits for the answer to be written.
  auto payload = client.ReadFrame(10000);
  REQUIRE(payload);
  auto reply = testing::DecodeReply<CompactTopicResponse>(*payload);
  REQUIRE(reply);
  REQUIRE(reply->first.error_code == ErrorCode::kNone);
  CHECK(reply->second.partitions.at(0).error_code == ErrorCode::kBrokerShuttingDown);
}

TEST_CASE("DeleteRecords: per-partition low watermarks and errors; a fetch below is out of range") {
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  Create(client, "d", 2, {});
  Create(client, "c", 1, {{"cleanup.policy", "compact"}});
  for (int i = 0; i < 5; ++i) {
    Append(client, "d", 0, testing::MakeBatch({"v" + std::to_string(i)}));
  }
  DeleteRecordsRequest request;
  request.topics.push_back({"d", {{0, 3}, {1, 1}, {7, 0}}});
  request.topics.push_back({"c", {{0, 0}}});
  request.topics.push_back({"d", {{0, kDeleteToHighWatermark}}});
  auto reply = Call(client, request);
  REQUIRE(reply.second.topics.size() == 3);
  const auto& d = reply.second.topics[0].partitions;
  REQUIRE(d.size() == 3);
  CHECK(d[0].partition == 0);
  CHECK(d[0].error_code == ErrorCode::kNone);
  CHECK(d[0].low_watermark == 3);
  CHECK(d[1].error_code == ErrorCode::kOffsetOutOfRange);  // Partition 1 is empty.
  CHECK(d[1].low_watermark == -1);
  CHECK(*d[1].error_message == "cannot delete records before offset 1: the log is [0, 0)");
  CHECK(d[2].partition == 7);
  CHECK(d[2].error_code == ErrorCode::kUnknownTopicOrPartition);
  CHECK(reply.second.topics[1].partitions[0].error_code == ErrorCode::kPolicyViolation);
  // Deletions run in request order: the last one empties partition 0.
  CHECK(reply.second.topics[2].partitions[0].low_watermark == 5);

  CHECK(PartitionOf(client, "d").log_start_offset == 5);
  ListOffsetsRequest earliest;
  earliest.topics.push_back({"d", {{0, kEarliestTimestamp}}});
  CHECK(Call(client, earliest).second.topics[0].partitions[0].offset == 5);
  FetchRequest below;
  below.topics.push_back({"d", {{0, 4, 1 << 20}}});
  CHECK(Call(client, below).second.topics[0].partitions[0].error_code ==
        ErrorCode::kOffsetOutOfRange);
  REQUIRE(broker.Restart().ok());
  RawClient after(broker.bootstrap());
  CHECK(PartitionOf(after, "d").log_start_offset == 5);
  CHECK(Append(after, "d", 0, testing::MakeBatch({"next"})) == 5);
}

TEST_CASE("a DeleteRecords queued behind a throttled compaction times out, then happens") {
  EmbeddedBrokerOptions options;
  options.config.compaction_max_bytes_per_second = 1024;  // 2 KiB: about 4 s.
  EmbeddedBroker broker(options);
  RawClient client(broker.bootstrap());
  Create(client, "c", 1, {{"cleanup.policy", "compact"}});
  Create(client, "d", 1, {});
  const std::string value(1000, 'v');
  for (int i = 0; i < 2; ++i) Append(client, "c", 0, KeyedBatch({{"k", value}}));
  for (int i = 0; i < 3; ++i) Append(client, "d", 0, testing::MakeBatch({"x"}));
  REQUIRE(client.Send(CompactTopicRequest{"c", std::nullopt}, 9));  // Occupies the cleaner.
  std::this_thread::sleep_for(200ms);  // Let it be queued first (another connection follows).

  RawClient other(broker.bootstrap());
  DeleteRecordsRequest request;
  request.topics.push_back({"d", {{0, 2}}});
  request.timeout_ms = 100;
  auto reply = Call(other, request);
  const DeleteRecordsResponse::Partition& p = reply.second.topics.at(0).partitions.at(0);
  CHECK(p.error_code == ErrorCode::kRequestTimedOut);
  CHECK(p.low_watermark == -1);
  // It stayed queued: once the compaction is done, it runs.
  auto compacted = client.ReadFrame(30000);
  REQUIRE(compacted);
  CHECK(WaitFor([&] { return PartitionOf(other, "d").log_start_offset == 2; }));
}

TEST_CASE("background retention advances the log start; a fetch below it is out of range") {
  EmbeddedBroker broker(FastCleaner());
  RawClient client(broker.bootstrap());
  Create(client, "r", 1, {{"segment.bytes", "1024"}, {"retention.bytes", "2048"}});
  const std::string value(300, 'x');
  for (int i = 0; i < 20; ++i) {
    Append(client, "r", 0, testing::MakeBatch({value}, testing::WallClockMs()));
  }
  int64_t log_start = 0;
  REQUIRE(WaitFor([&] {
    log_start = PartitionOf(client, "r").log_start_offset;
    return log_start > 0;
  }));
  CHECK(PartitionOf(client, "r").log_end_offset == 20);

  ListOffsetsRequest earliest;
  earliest.topics.push_back({"r", {{0, kEarliestTimestamp}}});
  CHECK(Call(client, earliest).second.topics[0].partitions[0].offset >= log_start);

  FetchRequest below;
  below.topics.push_back({"r", {{0, 0, 1 << 20}}});
  auto fetched = Call(client, below);
  const auto& p = fetched.second.topics[0].partitions[0];
  CHECK(p.error_code == ErrorCode::kOffsetOutOfRange);
  CHECK(p.log_start_offset >= log_start);
  CHECK(ReadKeyed(client, "r", 0, p.log_start_offset).size() ==
        static_cast<size_t>(20 - p.log_start_offset));
}

TEST_CASE("background compaction cleans a dirty compacted topic by itself") {
  EmbeddedBroker broker(FastCleaner());
  RawClient client(broker.bootstrap());
  Create(client, "c", 1, {{"cleanup.policy", "compact"}});
  ProduceChangelog(client, "c", testing::WallClockMs());
  std::vector<testing::KeyedRecord> records;
  REQUIRE(WaitFor([&] {
    records = ReadKeyed(client, "c", 0);
    return records.size() == 4;
  }));
  CHECK(records[2].value == "a3");
  CHECK(records[3].offset == 6);
}

}  // namespace
}  // namespace brook
