#include "storage/topic_config.h"

#include <doctest/doctest.h>

#include "protocol/error_codes.h"

namespace brook::storage {
namespace {

TEST_CASE("defaults resolve to Kafka's defaults") {
  auto config = ResolveTopicConfig(TopicConfig{}, {});
  REQUIRE(config.ok());
  CHECK(config->retention_ms == 604800000);
  CHECK(config->retention_bytes == -1);
  CHECK(config->cleanup_policy == CleanupPolicy::kDelete);
  CHECK(config->max_message_bytes == 1048588);
}

TEST_CASE("overrides are parsed and listed back") {
  auto config = ResolveTopicConfig(TopicConfig{}, {{"cleanup.policy", "compact,delete"},
                                                   {"retention.ms", "-1"},
                                                   {"max.message.bytes", "2048"}});
  REQUIRE(config.ok());
  CHECK(config->cleanup_policy == CleanupPolicy::kCompactDelete);
  CHECK(config->retention_ms == -1);
  auto entries = ConfigEntries(*config);
  CHECK(entries.at("cleanup.policy") == "compact,delete");
  CHECK(entries.at("max.message.bytes") == "2048");
  CHECK(entries.at("dlq.topic") == "");
  CHECK(entries.at("event.store") == "false");
  CHECK(entries.size() == 12);
}

TEST_CASE("event.store is true or false, and a store cannot be compacted") {
  auto store = ResolveTopicConfig(TopicConfig{}, {{"event.store", "true"}});
  REQUIRE(store.ok());
  CHECK(store->event_store);
  CHECK(CodeOf(ResolveTopicConfig(TopicConfig{}, {{"event.store", "yes"}}).status()) ==
        ErrorCode::kInvalidConfig);
  CHECK(CodeOf(ResolveTopicConfig(TopicConfig{}, {{"event.store", "true"},
                                                  {"cleanup.policy", "compact,delete"}})
                   .status()) == ErrorCode::kInvalidConfig);
}

TEST_CASE("dlq.topic is empty (meaning <topic>.dlq) or a valid topic name") {
  auto named = ResolveTopicConfig(TopicConfig{}, {{"dlq.topic", "payments-dead"}});
  REQUIRE(named.ok());
  CHECK(named->dlq_topic == "payments-dead");
  CHECK(ResolveTopicConfig(TopicConfig{}, {{"dlq.topic", ""}}).ok());
  auto bad = ResolveTopicConfig(TopicConfig{}, {{"dlq.topic", "no spaces"}});
  CHECK(CodeOf(bad.status()) == ErrorCode::kInvalidConfig);
}

TEST_CASE("segment and compaction settings have defaults, ranges and a cross-check") {
  auto config = ResolveTopicConfig(TopicConfig{}, {});
  REQUIRE(config.ok());
  CHECK(config->segment_bytes == 64 << 20);
  CHECK(config->segment_ms == 3600000);
  CHECK(config->min_compaction_lag_ms == 0);
  CHECK(config->max_compaction_lag_ms == 604800000);
  CHECK(config->delete_retention_ms == 86400000);
  CHECK(config->min_cleanable_dirty_ratio == 0.5);
  CHECK(ConfigEntries(*config).at("min.cleanable.dirty.ratio") == "0.5");

  auto set = ResolveTopicConfig(TopicConfig{}, {{"segment.bytes", "1024"},
                                                {"min.cleanable.dirty.ratio", "0.25"},
                                                {"min.compaction.lag.ms", "10"},
                                                {"max.compaction.lag.ms", "10"}});
  REQUIRE(set.ok());
  CHECK(set->segment_bytes == 1024);
  CHECK(set->min_cleanable_dirty_ratio == 0.25);
  CHECK_FALSE(ResolveTopicConfig(TopicConfig{}, {{"segment.bytes", "1023"}}).ok());
  CHECK_FALSE(ResolveTopicConfig(TopicConfig{}, {{"segment.ms", "0"}}).ok());
  CHECK_FALSE(ResolveTopicConfig(TopicConfig{}, {{"min.cleanable.dirty.ratio", "1.5"}}).ok());
  CHECK_FALSE(ResolveTopicConfig(TopicConfig{}, {{"min.cleanable.dirty.ratio", "half"}}).ok());
  CHECK_FALSE(ResolveTopicConfig(TopicConfig{}, {{"delete.retention.ms", "-1"}}).ok());
  auto crossed = ResolveTopicConfig(TopicConfig{}, {{"min.compaction.lag.ms", "11"},
                                                    {"max.compaction.lag.ms", "10"}});
  REQUIRE_FALSE(crossed.ok());
  CHECK(CodeOf(crossed.status()) == ErrorCode::kInvalidConfig);
  CHECK(ValidateConfigKey("segment.ms").ok());
  CHECK(CodeOf(ValidateConfigKey("segment.size")) == ErrorCode::kInvalidConfig);
}

TEST_CASE("invalid values name the key and the rule") {
  auto bad = ResolveTopicConfig(TopicConfig{}, {{"retention.ms", "-2"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(CodeOf(bad.status()) == ErrorCode::kInvalidConfig);
  CHECK(std::string(bad.status().message()).find("retention.ms") != std::string::npos);
  CHECK_FALSE(ResolveTopicConfig(TopicConfig{}, {{"max.message.bytes", "12abc"}}).ok());
  CHECK_FALSE(ResolveTopicConfig(TopicConfig{}, {{"max.message.bytes", "1"}}).ok());
}

TEST_CASE("topic names follow Kafka's rules") {
  CHECK(ValidateTopicName("orders.v1_eu-west").ok());
  CHECK_FALSE(ValidateTopicName("").ok());
  CHECK_FALSE(ValidateTopicName(".").ok());
  CHECK_FALSE(ValidateTopicName("..").ok());
  CHECK_FALSE(ValidateTopicName("a/b").ok());
  CHECK_FALSE(ValidateTopicName(std::string(250, 'a')).ok());
  CHECK(ValidateTopicName(std::string(249, 'a')).ok());
}

}  // namespace
}  // namespace brook::storage
