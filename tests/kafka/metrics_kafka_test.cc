// The broker's metrics for a librdkafka consumer group and producer: the Kafka listener's
// requests are counted per API, and the group shows up with kind "kafka", its member, state,
// committed offset and lag, as brook's own groups do (docs/metrics.md).
#include <doctest/doctest.h>

#include <string>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "tests/kafka/rdkafka_support.h"
#include "tests/support/metrics_text.h"

namespace brook {
namespace {

using testing::MakeClient;
using testing::PollRecords;
using testing::RdKafka;
using testing::Sample;

TEST_CASE("metrics: a Kafka consumer group's member, state, commit and lag; Kafka requests") {
  EmbeddedBroker broker;
  auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  REQUIRE((*admin)->CreateTopic({.name = "events", .partitions = 1}).ok());
  RdKafka producer =
      MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker.kafka_bootstrap()}});
  for (int i = 0; i < 4; ++i) {
    const std::string value = "event " + std::to_string(i);
    REQUIRE(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("events"), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  REQUIRE(rd_kafka_flush(producer.get(), 20000) == RD_KAFKA_RESP_ERR_NO_ERROR);

  RdKafka member = MakeClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", broker.kafka_bootstrap()},
                                                  {"group.id", "audit"},
                                                  {"enable.auto.commit", "false"},
                                                  {"auto.offset.reset", "earliest"}});
  rd_kafka_poll_set_consumer(member.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, "events", RD_KAFKA_PARTITION_UA);
  REQUIRE(rd_kafka_subscribe(member.get(), topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  REQUIRE(PollRecords(member.get(), 4, std::chrono::seconds(30)).size() == 4);
  rd_kafka_topic_partition_list_t* commit = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(commit, "events", 0)->offset = 3;
  REQUIRE(rd_kafka_commit(member.get(), commit, /*async=*/0) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(commit);

  const std::string text = broker.MetricsText();
  const std::map<std::string, std::string> group = {{"group", "audit"}, {"kind", "kafka"}};
  CHECK(Sample(text, "brook_group_members", group) == 1);
  CHECK(Sample(text, "brook_group_state",
               {{"group", "audit"}, {"kind", "kafka"}, {"state", "Stable"}}) == 1);
  CHECK(Sample(text, "brook_group_rebalances_total", group) >= 1);
  const std::map<std::string, std::string> partition = {
      {"group", "audit"}, {"topic", "events"}, {"partition", "0"}};
  CHECK(Sample(text, "brook_group_committed_offset", partition) == 3);
  CHECK(Sample(text, "brook_group_lag_records", partition) == 1);
  CHECK(Sample(text, "brook_group_lag_seconds", partition) >= 0);
  CHECK(Sample(text, "brook_partition_appended_records_total",
               {{"topic", "events"}, {"partition", "0"}}) == 4);
  CHECK(Sample(text, "brook_partition_fetched_records_total",
               {{"topic", "events"}, {"partition", "0"}}) >= 4);
  for (const char* api : {"Produce", "Fetch", "JoinGroup", "SyncGroup", "OffsetCommit"}) {
    INFO(api);
    CHECK(Sample(text, "brook_requests_total", {{"listener", "kafka"}, {"api", api}}) >= 1);
  }
  CHECK(Sample(text, "brook_connections", {{"listener", "kafka"}}) >= 2);
  testing::CommandResult check = testing::PromtoolCheck(text);
  INFO(check.out, check.err);
  CHECK(check.exit_code == 0);
  rd_kafka_consumer_close(member.get());
}

}  // namespace
}  // namespace brook
