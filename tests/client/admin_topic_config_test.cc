// Admin's AlterTopicConfigs and CompactTopic against a real broker (EmbeddedBroker).
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "tests/support/embedded_fixture.h"

namespace brook {
namespace {

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Fixture : testing::EmbeddedFixture {

  std::map<std::string, std::string> Configs(const std::string& topic) {
    auto described = admin->DescribeTopic(topic);
    REQUIRE(described.ok());
    return described->configs;
  }
};

TEST_CASE_FIXTURE(Fixture, "AlterTopicConfigs sets, removes, validates, and is all or nothing") {
  REQUIRE(admin->CreateTopic({.name = "t", .configs = {{"retention.ms", "1000"}}}).ok());

  SUBCASE("validate_only changes nothing") {
    CHECK(admin->AlterTopicConfigs("t", {{"retention.ms", "5000"}}, {}, true).ok());
    CHECK(Configs("t").at("retention.ms") == "1000");
  }
  SUBCASE("set and remove") {
    REQUIRE(admin->AlterTopicConfigs("t", {{"cleanup.policy", "compact"},
                                           {"segment.bytes", "4096"}}, {}).ok());
    auto configs = Configs("t");
    CHECK(configs.at("cleanup.policy") == "compact");
    CHECK(configs.at("segment.bytes") == "4096");
    CHECK(configs.at("retention.ms") == "1000");  // Keys not named keep their values.

    REQUIRE(admin->AlterTopicConfigs("t", {{"delete.retention.ms", "60000"}},
                                     {"retention.ms", "segment.bytes"}).ok());
    configs = Configs("t");
    CHECK(configs.at("retention.ms") == "604800000");  // The broker default again.
    CHECK(configs.at("segment.bytes") == "67108864");
    CHECK(configs.at("delete.retention.ms") == "60000");
    CHECK(configs.at("cleanup.policy") == "compact");
  }
  SUBCASE("invalid changes are refused with the broker's message, and nothing changes") {
    absl::Status bad_value = admin->AlterTopicConfigs(
        "t", {{"cleanup.policy", "compact"}, {"retention.ms", "soon"}}, {});
    CHECK(CodeOf(bad_value) == ErrorCode::kInvalidConfig);
    CHECK(Contains(MessageOf(bad_value), "retention.ms"));
    CHECK(Configs("t").at("cleanup.policy") == "delete");

    absl::Status unknown = admin->AlterTopicConfigs("t", {}, {"no.such.key"});
    CHECK(CodeOf(unknown) == ErrorCode::kInvalidConfig);
    CHECK(Contains(MessageOf(unknown), "no.such.key"));

    absl::Status twice = admin->AlterTopicConfigs("t", {{"retention.ms", "5"}}, {"retention.ms"});
    CHECK(CodeOf(twice) == ErrorCode::kInvalidConfig);
    CHECK(Configs("t").at("retention.ms") == "1000");

    CHECK(CodeOf(admin->AlterTopicConfigs("t", {{"retention.ms", "soon"}}, {}, true)) ==
          ErrorCode::kInvalidConfig);
  }
  SUBCASE("an unknown topic") {
    CHECK(CodeOf(admin->AlterTopicConfigs("nope", {{"retention.ms", "5"}}, {})) ==
          ErrorCode::kUnknownTopicOrPartition);
  }
}

struct Record {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone.
  int64_t offset = 0;
  bool operator==(const Record&) const = default;
};

// Reads partition 0 of `topic` from the beginning up to `end_offset`.
std::vector<Record> ReadAll(const std::string& bootstrap, const std::string& topic,
                            int64_t end_offset) {
  auto consumer = Consumer::Create({.bootstrap = bootstrap});
  REQUIRE(consumer.ok());
  const std::vector<TopicPartition> partitions{{topic, PartitionId(0)}};
  REQUIRE((*consumer)->Assign(partitions).ok());
  REQUIRE((*consumer)->SeekToBeginning(partitions).ok());
  std::vector<Record> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((out.empty() || out.back().offset + 1 < end_offset) &&
         std::chrono::steady_clock::now() < deadline) {
    auto records = (*consumer)->Poll(std::chrono::milliseconds(500));
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) {
      out.push_back({std::string(r.key.value_or("")),
                     r.value ? std::optional<std::string>(*r.value) : std::nullopt, r.offset});
    }
  }
  return out;
}

TEST_CASE_FIXTURE(Fixture, "CompactTopic keeps the latest record per key at its offset") {
  REQUIRE(admin->CreateTopic({.name = "c",
                              .configs = {{"cleanup.policy", "compact"},
                                          {"delete.retention.ms", "60000"}}})
              .ok());
  ProducerOptions options;
  options.bootstrap = broker.bootstrap();
  options.acks = -1;
  auto producer = Producer::Create(options);
  REQUIRE(producer.ok());
  const auto send = [&](const std::string& key, std::optional<std::string> value,
                        int64_t timestamp_ms = -1) {
    (*producer)->Send({.topic = "c",
                       .key = key,
                       .value = value ? std::optional<std::string_view>(*value) : std::nullopt,
                       .timestamp_ms = timestamp_ms},
                      nullptr);
  };
  for (int i = 0; i < 10; ++i) send("k" + std::to_string(i), "v1");  // Offsets 0-9.
  for (int i = 0; i < 5; ++i) send("k" + std::to_string(i), "v2");   // 10-14: overwrites.
  send("k5", std::nullopt, NowMs() - 3600 * 1000);  // 15: older than delete.retention.ms.
  send("k6", std::nullopt);                          // 16: a recent tombstone stays.
  REQUIRE((*producer)->Flush().ok());
  send("end", "x");  // 17, in its own batch: the last batch is compacted too.
  REQUIRE((*producer)->Flush().ok());

  auto compacted = admin->CompactTopic("c");
  REQUIRE(compacted.ok());
  REQUIRE(compacted->size() == 1);
  const PartitionCompactionStats& p = (*compacted)[0];
  CHECK(p.partition == 0);
  CHECK(p.bytes_read > 0);
  CHECK(p.bytes_written < p.bytes_read);
  CHECK(p.records_removed == 8);  // k0-k6's first values, and k5's tombstone.
  CHECK(p.tombstones_removed == 1);
  CHECK(p.cleaned_up_to == 18);  // The log end.
  CHECK(p.duration_ms >= 0);

  const std::vector<Record> expected{
      {"k7", "v1", 7},  {"k8", "v1", 8},  {"k9", "v1", 9},  {"k0", "v2", 10},
      {"k1", "v2", 11}, {"k2", "v2", 12}, {"k3", "v2", 13}, {"k4", "v2", 14},
      {"k6", std::nullopt, 16}, {"end", "x", 17}};
  CHECK(ReadAll(broker.bootstrap(), "c", 18) == expected);

  auto again = admin->CompactTopic("c");
  REQUIRE(again.ok());
  CHECK((*again)[0].records_removed == 0);
  CHECK((*again)[0].cleaned_up_to == 18);
}

TEST_CASE_FIXTURE(Fixture, "CompactTopic refuses topics that do not compact") {
  REQUIRE(admin->CreateTopic({.name = "d", .partitions = 2}).ok());
  auto not_compacted = admin->CompactTopic("d");
  CHECK(CodeOf(not_compacted.status()) == ErrorCode::kInvalidRequest);
  CHECK(Contains(MessageOf(not_compacted.status()), "d"));
  CHECK(CodeOf(admin->CompactTopic("nope").status()) == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE_FIXTURE(Fixture, "CompactTopic reports every partition of an empty topic") {
  REQUIRE(admin->CreateTopic({.name = "e", .partitions = 3,
                              .configs = {{"cleanup.policy", "compact,delete"}}})
              .ok());
  auto compacted = admin->CompactTopic("e");
  REQUIRE(compacted.ok());
  REQUIRE(compacted->size() == 3);
  for (int32_t i = 0; i < 3; ++i) {
    CHECK((*compacted)[static_cast<size_t>(i)].partition == i);
    CHECK((*compacted)[static_cast<size_t>(i)].records_removed == 0);
  }
}

}  // namespace
}  // namespace brook
