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
  CHECK(entries.size() == 4);
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
