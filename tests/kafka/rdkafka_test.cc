// A program on librdkafka's C API (Debian's 2.0.2) against brook's Kafka listener: admin
// create/describe/alter/delete with configs, and keyed records produced with acks=all and read
// back with their partitions and order.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/embedded_broker.h"
#include "protocol/frame.h"
#include "protocol/kafka/codec.h"
#include "protocol/kafka/header.h"
#include "protocol/kafka/messages/producers.h"
#include "protocol/wire.h"
#include "tests/kafka/rdkafka_support.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using testing::AdminCall;
using testing::ConsumedRecord;
using testing::CreateTopic;
using testing::MakeClient;
using testing::PollRecords;
using testing::RdKafka;

struct DescribedConfig {
  std::string value;
  rd_kafka_ConfigSource_t source;
};

std::map<std::string, DescribedConfig> DescribeTopicConfigs(rd_kafka_t* admin,
                                                            const std::string& topic) {
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  rd_kafka_event_t* event = AdminCall(admin, [&](rd_kafka_queue_t* q) {
    rd_kafka_DescribeConfigs(admin, &resource, 1, nullptr, q);
  });
  rd_kafka_ConfigResource_destroy(resource);
  REQUIRE(event != nullptr);
  REQUIRE(rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR);
  size_t n = 0;
  const rd_kafka_ConfigResource_t** resources =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &n);
  REQUIRE(n == 1);
  CHECK(rd_kafka_ConfigResource_error(resources[0]) == RD_KAFKA_RESP_ERR_NO_ERROR);
  size_t count = 0;
  const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(resources[0], &count);
  std::map<std::string, DescribedConfig> out;
  for (size_t i = 0; i < count; ++i) {
    const char* value = rd_kafka_ConfigEntry_value(entries[i]);
    out[rd_kafka_ConfigEntry_name(entries[i])] = {value ? value : "",
                                                  rd_kafka_ConfigEntry_source(entries[i])};
  }
  rd_kafka_event_destroy(event);
  return out;
}

TEST_CASE("librdkafka admin: create, describe and alter configs, delete") {
  EmbeddedBroker broker;
  RdKafka admin = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker.kafka_bootstrap()}});
  CHECK(CreateTopic(admin.get(), "admin-t", 3, {{"retention.ms", "3600000"}}) ==
        RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(CreateTopic(admin.get(), "admin-t", 3) == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  CHECK(CreateTopic(admin.get(), "bad/name", 1) == RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);

  std::map<std::string, DescribedConfig> configs = DescribeTopicConfigs(admin.get(), "admin-t");
  REQUIRE(configs.contains("retention.ms"));
  CHECK(configs["retention.ms"].value == "3600000");
  CHECK(configs["retention.ms"].source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  CHECK(configs["cleanup.policy"].value == "delete");
  CHECK(configs["cleanup.policy"].source == RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);

  // AlterConfigs replaces the topic's whole set: retention.ms goes back to its default.
  rd_kafka_ConfigResource_t* resource =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, "admin-t");
  rd_kafka_ConfigResource_set_config(resource, "cleanup.policy", "compact");
  rd_kafka_event_t* altered = AdminCall(admin.get(), [&](rd_kafka_queue_t* q) {
    rd_kafka_AlterConfigs(admin.get(), &resource, 1, nullptr, q);
  });
  rd_kafka_ConfigResource_destroy(resource);
  REQUIRE(altered != nullptr);
  CHECK(rd_kafka_event_error(altered) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(altered);
  configs = DescribeTopicConfigs(admin.get(), "admin-t");
  CHECK(configs["cleanup.policy"].value == "compact");
  CHECK(configs["retention.ms"].source == RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);

  rd_kafka_DeleteTopic_t* del = rd_kafka_DeleteTopic_new("admin-t");
  rd_kafka_event_t* deleted = AdminCall(
      admin.get(), [&](rd_kafka_queue_t* q) { rd_kafka_DeleteTopics(admin.get(), &del, 1, nullptr, q); });
  rd_kafka_DeleteTopic_destroy(del);
  REQUIRE(deleted != nullptr);
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(deleted), &n);
  REQUIRE(n == 1);
  CHECK(rd_kafka_topic_result_error(results[0]) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_destroy(deleted);
}

int g_delivery_errors = 0;
void CountErrors(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err) ++g_delivery_errors;
}

TEST_CASE("librdkafka: keyed records keep their partition and order, acks=all") {
  EmbeddedBroker broker;
  RdKafka admin = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker.kafka_bootstrap()}});
  REQUIRE(CreateTopic(admin.get(), "keyed", 4) == RD_KAFKA_RESP_ERR_NO_ERROR);
  g_delivery_errors = 0;
  RdKafka producer = MakeClient(RD_KAFKA_PRODUCER,
                                {{"bootstrap.servers", broker.kafka_bootstrap()},
                                 {"acks", "all"},
                                 {"linger.ms", "5"}},
                                CountErrors);
  constexpr int kRecords = 2000;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "key-" + std::to_string(i % 37);
    const std::string value = std::to_string(i);
    REQUIRE(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("keyed"),
                              RD_KAFKA_V_KEY(key.data(), key.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_poll(producer.get(), 0);
  }
  REQUIRE(rd_kafka_flush(producer.get(), 20000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(g_delivery_errors == 0);

  RdKafka consumer = MakeClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", broker.kafka_bootstrap()},
                                                    {"group.id", "unused"},
                                                    {"enable.auto.commit", "false"}});
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(4);
  for (int p = 0; p < 4; ++p) {
    rd_kafka_topic_partition_list_add(partitions, "keyed", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  REQUIRE(rd_kafka_assign(consumer.get(), partitions) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(partitions);
  std::vector<ConsumedRecord> records =
      PollRecords(consumer.get(), kRecords, std::chrono::seconds(30));
  REQUIRE(records.size() == kRecords);
  std::map<std::string, int32_t> partition_of;
  std::map<std::string, int> last_value;
  std::map<int32_t, int64_t> next_offset;
  for (const ConsumedRecord& r : records) {
    REQUIRE(r.offset >= 0);
    auto [it, fresh] = partition_of.emplace(r.key, r.partition);
    CHECK(it->second == r.partition);  // One key, one partition.
    const int value = std::stoi(r.value);
    if (last_value.contains(r.key)) CHECK(value > last_value[r.key]);  // In order per key.
    last_value[r.key] = value;
    CHECK(r.offset == next_offset[r.partition]);  // No gap, no duplicate.
    next_offset[r.partition] = r.offset + 1;
  }
  CHECK(partition_of.size() == 37);
  rd_kafka_consumer_close(consumer.get());
}

TEST_CASE("librdkafka: offsets committed outside a group are read back, by Kafka and brook") {
  EmbeddedBroker broker;
  RdKafka producer = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker.kafka_bootstrap()}});
  for (int i = 0; i < 10; ++i) {
    const std::string value = std::to_string(i);
    REQUIRE(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("commits"), RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  REQUIRE(rd_kafka_flush(producer.get(), 20000) == RD_KAFKA_RESP_ERR_NO_ERROR);

  const std::map<std::string, std::string> settings = {
      {"bootstrap.servers", broker.kafka_bootstrap()},
      {"group.id", "manual"},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"}};
  {
    RdKafka consumer = MakeClient(RD_KAFKA_CONSUMER, settings);
    rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(assignment, "commits", 0)->offset = RD_KAFKA_OFFSET_STORED;
    REQUIRE(rd_kafka_assign(consumer.get(), assignment) == RD_KAFKA_RESP_ERR_NO_ERROR);
    std::vector<ConsumedRecord> first = PollRecords(consumer.get(), 6, std::chrono::seconds(20));
    REQUIRE(first.size() == 6);
    CHECK(first.front().offset == 0);
    // Commit offset 6: the next record to read.
    rd_kafka_topic_partition_list_t* commit = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(commit, "commits", 0)->offset = 6;
    CHECK(rd_kafka_commit(consumer.get(), commit, 0) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(commit);
    CHECK(rd_kafka_committed(consumer.get(), assignment, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
    CHECK(assignment->elems[0].offset == 6);
    rd_kafka_topic_partition_list_destroy(assignment);
    rd_kafka_consumer_close(consumer.get());
  }
  // A new consumer of the group resumes at the commit.
  RdKafka again = MakeClient(RD_KAFKA_CONSUMER, settings);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(assignment, "commits", 0)->offset = RD_KAFKA_OFFSET_STORED;
  REQUIRE(rd_kafka_assign(again.get(), assignment) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(assignment);
  std::vector<ConsumedRecord> rest = PollRecords(again.get(), 4, std::chrono::seconds(20));
  REQUIRE(rest.size() == 4);
  CHECK(rest.front().offset == 6);
  CHECK(rest.front().value == "6");
  rd_kafka_consumer_close(again.get());
}

TEST_CASE("librdkafka's idempotent producer shows in DescribeProducers") {
  EmbeddedBroker broker;
  RdKafka producer = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker.kafka_bootstrap()},
                                                    {"enable.idempotence", "true"}});
  for (int i = 0; i < 10; ++i) {
    REQUIRE(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("described"),
                              RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_VALUE(const_cast<char*>("v"), 1),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  REQUIRE(rd_kafka_flush(producer.get(), 20000) == RD_KAFKA_RESP_ERR_NO_ERROR);

  testing::RawClient client(broker.kafka_bootstrap());
  kafka::DescribeProducersRequest request;
  request.topics.push_back({"described", {0, 7}});
  std::string frame;
  kafka::BeginRequest({61, 0, 1, std::string("test")}, /*flexible_header=*/true, &frame);
  kafka::Encode(request, 0, &frame);
  FinishFrame(&frame);
  REQUIRE(client.SendBytes(frame));
  std::optional<std::string> payload = client.ReadFrame();
  REQUIRE(payload);
  std::string_view body = std::string_view(*payload).substr(4);  // Past the correlation id.
  REQUIRE(kafka::SkipHeaderTags(&body).ok());
  absl::StatusOr<kafka::DescribeProducersResponse> response =
      kafka::Decode<kafka::DescribeProducersResponse>(body, 0);
  REQUIRE(response.ok());
  const auto& partitions = response->topics.at(0).partitions;
  REQUIRE(partitions.size() == 2);
  CHECK(partitions[0].error_code == ErrorCode::kNone);
  REQUIRE(partitions[0].active_producers.size() == 1);
  CHECK(partitions[0].active_producers[0].producer_id >= 0);
  CHECK(partitions[0].active_producers[0].last_sequence == 9);
  CHECK(partitions[1].error_code == ErrorCode::kUnknownTopicOrPartition);
}

}  // namespace
}  // namespace brook
