// librdkafka's admin API (Debian's 2.0.2) against brook's Kafka listener: CreatePartitions,
// DeleteRecords and DeleteConsumerGroupOffsets, with librdkafka producers and consumers on
// what they change.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "broker/embedded_broker.h"
#include "tests/kafka/rdkafka_support.h"

namespace brook {
namespace {

using testing::AdminCall;
using testing::ConsumedRecord;
using testing::CreateTopic;
using testing::MakeClient;
using testing::PollRecords;
using testing::RdKafka;

EmbeddedBrokerOptions NoInitialDelay() {
  EmbeddedBrokerOptions options;
  options.config.group_initial_rebalance_delay = std::chrono::milliseconds(0);
  return options;
}

int g_failed_deliveries = 0;
void CountFailures(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err) ++g_failed_deliveries;
}

// Sends `values` to one partition and waits until they are delivered. A partition the producer
// does not know yet (RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) is retried until its metadata
// refresh shows it, for up to 20 s.
void ProduceTo(rd_kafka_t* producer, const std::string& topic, int32_t partition,
               const std::vector<std::string>& values) {
  g_failed_deliveries = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (const std::string& value : values) {
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
          std::chrono::steady_clock::now() > give_up) {
        REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
        break;
      }
      rd_kafka_poll(producer, 100);
    }
  }
  REQUIRE(rd_kafka_flush(producer, 20000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(g_failed_deliveries == 0);
}

// The partition count of `topic` in a Metadata answer to `client`.
int PartitionsSeen(rd_kafka_t* client, const std::string& topic) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(client, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  REQUIRE(rd_kafka_metadata(client, 0, rkt, &metadata, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  const int count = metadata->topic_cnt == 1 ? metadata->topics[0].partition_cnt : -1;
  rd_kafka_metadata_destroy(metadata);
  rd_kafka_topic_destroy(rkt);
  return count;
}

// Grows `topic` to `count` partitions; returns the topic's error and its message.
std::pair<rd_kafka_resp_err_t, std::string> CreatePartitions(rd_kafka_t* admin,
                                                             const std::string& topic, int count,
                                                             bool validate_only = false) {
  char error[256];
  rd_kafka_NewPartitions_t* parts =
      rd_kafka_NewPartitions_new(topic.c_str(), static_cast<size_t>(count), error, sizeof error);
  REQUIRE(parts != nullptr);
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(admin, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
  REQUIRE(rd_kafka_AdminOptions_set_validate_only(options, validate_only, error, sizeof error) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_event_t* event = AdminCall(admin, [&](rd_kafka_queue_t* q) {
    rd_kafka_CreatePartitions(admin, &parts, 1, options, q);
  });
  rd_kafka_NewPartitions_destroy(parts);
  rd_kafka_AdminOptions_destroy(options);
  REQUIRE(event != nullptr);
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &n);
  REQUIRE(n == 1);
  const char* message = rd_kafka_topic_result_error_string(results[0]);
  std::pair<rd_kafka_resp_err_t, std::string> outcome{rd_kafka_topic_result_error(results[0]),
                                                      message != nullptr ? message : ""};
  rd_kafka_event_destroy(event);
  return outcome;
}

TEST_CASE("librdkafka CreatePartitions: Metadata shows them, a producer and a group member use them") {
  EmbeddedBroker broker(NoInitialDelay());
  const std::string bootstrap = broker.kafka_bootstrap();
  RdKafka admin = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}});
  REQUIRE(CreateTopic(admin.get(), "grow", 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  // Both refresh their metadata every 500 ms, as they do every 5 minutes by default.
  RdKafka producer = MakeClient(RD_KAFKA_PRODUCER,
                                {{"bootstrap.servers", bootstrap},
                                 {"topic.metadata.refresh.interval.ms", "500"}},
                                CountFailures);
  RdKafka member = MakeClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap},
                                                  {"group.id", "grow-group"},
                                                  {"auto.offset.reset", "earliest"},
                                                  {"enable.auto.commit", "false"},
                                                  {"topic.metadata.refresh.interval.ms", "500"}});
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, "grow", RD_KAFKA_PARTITION_UA);
  REQUIRE(rd_kafka_subscribe(member.get(), topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  ProduceTo(producer.get(), "grow", 0, {"zero"});
  std::vector<ConsumedRecord> first = PollRecords(member.get(), 1, std::chrono::seconds(30));
  REQUIRE(first.size() == 1);
  CHECK(first[0].value == "zero");

  CHECK(CreatePartitions(admin.get(), "grow", 3).first == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(PartitionsSeen(admin.get(), "grow") == 3);
  auto same = CreatePartitions(admin.get(), "grow", 3);
  CHECK(same.first == RD_KAFKA_RESP_ERR_INVALID_PARTITIONS);
  CHECK(same.second == "topic 'grow' already has 3 partitions");
  CHECK(CreatePartitions(admin.get(), "grow", 5, /*validate_only=*/true).first ==
        RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(PartitionsSeen(admin.get(), "grow") == 3);

  // The producer writes to the new partitions once its metadata shows them; the member's
  // group rebalances onto them when its metadata does.
  ProduceTo(producer.get(), "grow", 1, {"one"});
  ProduceTo(producer.get(), "grow", 2, {"two"});
  // Nothing was committed: after the rebalance partition 0 is read from the start again.
  std::map<int32_t, std::string> by_partition;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (by_partition.size() < 3 && std::chrono::steady_clock::now() < give_up) {
    for (const ConsumedRecord& r : PollRecords(member.get(), 1, std::chrono::seconds(1))) {
      CHECK(r.offset == 0);
      by_partition[r.partition] = r.value;
    }
  }
  CHECK(by_partition == std::map<int32_t, std::string>{{0, "zero"}, {1, "one"}, {2, "two"}});
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  REQUIRE(rd_kafka_assignment(member.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(assignment->cnt == 3);
  rd_kafka_topic_partition_list_destroy(assignment);
  rd_kafka_consumer_close(member.get());
}

// DeleteRecords of `before` (topic, partition, offset); returns the result's list (owned by
// the caller).
rd_kafka_topic_partition_list_t* DeleteRecords(
    rd_kafka_t* admin, const std::vector<std::tuple<std::string, int32_t, int64_t>>& before) {
  rd_kafka_topic_partition_list_t* offsets =
      rd_kafka_topic_partition_list_new(static_cast<int>(before.size()));
  for (const auto& [topic, partition, offset] : before) {
    rd_kafka_topic_partition_list_add(offsets, topic.c_str(), partition)->offset = offset;
  }
  rd_kafka_DeleteRecords_t* deletion = rd_kafka_DeleteRecords_new(offsets);
  rd_kafka_topic_partition_list_destroy(offsets);
  rd_kafka_event_t* event = AdminCall(admin, [&](rd_kafka_queue_t* q) {
    rd_kafka_DeleteRecords(admin, &deletion, 1, nullptr, q);
  });
  rd_kafka_DeleteRecords_destroy(deletion);
  REQUIRE(event != nullptr);
  REQUIRE(rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_t* result = rd_kafka_topic_partition_list_copy(
      rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event)));
  rd_kafka_event_destroy(event);
  return result;
}

TEST_CASE("librdkafka DeleteRecords: low watermarks, and consumers start at them") {
  EmbeddedBroker broker;
  const std::string bootstrap = broker.kafka_bootstrap();
  RdKafka admin = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}});
  REQUIRE(CreateTopic(admin.get(), "del", 2) == RD_KAFKA_RESP_ERR_NO_ERROR);
  RdKafka producer =
      MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}}, CountFailures);
  std::vector<std::string> values;
  for (int i = 0; i < 10; ++i) values.push_back("v" + std::to_string(i));
  ProduceTo(producer.get(), "del", 0, values);

  rd_kafka_topic_partition_list_t* result =
      DeleteRecords(admin.get(), {{"del", 0, 4}, {"del", 1, 3}});
  rd_kafka_topic_partition_t* p0 = rd_kafka_topic_partition_list_find(result, "del", 0);
  rd_kafka_topic_partition_t* p1 = rd_kafka_topic_partition_list_find(result, "del", 1);
  REQUIRE(p0 != nullptr);
  REQUIRE(p1 != nullptr);
  CHECK(p0->err == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(p0->offset == 4);
  CHECK(p1->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);  // Partition 1 is empty.
  rd_kafka_topic_partition_list_destroy(result);
  int64_t low = -1;
  int64_t high = -1;
  REQUIRE(rd_kafka_query_watermark_offsets(admin.get(), "del", 0, &low, &high, 10000) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(low == 4);
  CHECK(high == 10);

  const std::map<std::string, std::string> settings = {{"bootstrap.servers", bootstrap},
                                                       {"group.id", "unused"},
                                                       {"auto.offset.reset", "earliest"},
                                                       {"enable.auto.commit", "false"}};
  // From the beginning, and from an offset that is gone (reset by auto.offset.reset): both
  // start at the low watermark.
  for (int64_t start : {int64_t{RD_KAFKA_OFFSET_BEGINNING}, int64_t{1}}) {
    CAPTURE(start);
    RdKafka consumer = MakeClient(RD_KAFKA_CONSUMER, settings);
    rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(assignment, "del", 0)->offset = start;
    REQUIRE(rd_kafka_assign(consumer.get(), assignment) == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(assignment);
    std::vector<ConsumedRecord> records =
        PollRecords(consumer.get(), 6, std::chrono::seconds(30));
    REQUIRE(records.size() == 6);
    CHECK(records.front().offset == 4);
    CHECK(records.front().value == "v4");
    CHECK(records.back().offset == 9);
    rd_kafka_consumer_close(consumer.get());
  }

  // -1 (RD_KAFKA_OFFSET_END): up to the high watermark.
  result = DeleteRecords(admin.get(), {{"del", 0, RD_KAFKA_OFFSET_END}});
  CHECK(result->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(result->elems[0].offset == 10);
  rd_kafka_topic_partition_list_destroy(result);
}

// DeleteConsumerGroupOffsets of `group` for `partitions`: the group's error, and each
// partition's error by "topic-partition".
std::pair<rd_kafka_resp_err_t, std::map<std::string, rd_kafka_resp_err_t>> DeleteGroupOffsets(
    rd_kafka_t* admin, const std::string& group,
    const std::vector<std::pair<std::string, int32_t>>& partitions) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const auto& [topic, partition] : partitions) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  }
  rd_kafka_DeleteConsumerGroupOffsets_t* deletion =
      rd_kafka_DeleteConsumerGroupOffsets_new(group.c_str(), list);
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_event_t* event = AdminCall(admin, [&](rd_kafka_queue_t* q) {
    rd_kafka_DeleteConsumerGroupOffsets(admin, &deletion, 1, nullptr, q);
  });
  rd_kafka_DeleteConsumerGroupOffsets_destroy(deletion);
  REQUIRE(event != nullptr);
  std::pair<rd_kafka_resp_err_t, std::map<std::string, rd_kafka_resp_err_t>> outcome;
  // librdkafka reports the answer's group-level error as the event's.
  outcome.first = rd_kafka_event_error(event);
  size_t n = 0;
  const rd_kafka_group_result_t** groups = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
      rd_kafka_event_DeleteConsumerGroupOffsets_result(event), &n);
  if (outcome.first == RD_KAFKA_RESP_ERR_NO_ERROR) REQUIRE(n == 1);
  for (size_t g = 0; g < n; ++g) {
    const rd_kafka_error_t* error = rd_kafka_group_result_error(groups[g]);
    if (error != nullptr) outcome.first = rd_kafka_error_code(error);
    const rd_kafka_topic_partition_list_t* results = rd_kafka_group_result_partitions(groups[g]);
    if (results == nullptr) continue;
    for (int i = 0; i < results->cnt; ++i) {
      const rd_kafka_topic_partition_t& p = results->elems[i];
      outcome.second[std::string(p.topic) + "-" + std::to_string(p.partition)] = p.err;
    }
  }
  rd_kafka_event_destroy(event);
  return outcome;
}

// The offset `consumer`'s group committed for the partition (RD_KAFKA_OFFSET_INVALID: none).
int64_t Committed(rd_kafka_t* consumer, const std::string& topic, int32_t partition) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  REQUIRE(rd_kafka_committed(consumer, list, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  const int64_t offset = list->elems[0].offset;
  rd_kafka_topic_partition_list_destroy(list);
  return offset;
}

TEST_CASE("librdkafka DeleteConsumerGroupOffsets: not while a live member reads the topic") {
  EmbeddedBroker broker(NoInitialDelay());
  const std::string bootstrap = broker.kafka_bootstrap();
  RdKafka admin = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap}});
  REQUIRE(CreateTopic(admin.get(), "read", 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  REQUIRE(CreateTopic(admin.get(), "idle", 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  const std::map<std::string, std::string> settings = {{"bootstrap.servers", bootstrap},
                                                       {"group.id", "dg"},
                                                       {"auto.offset.reset", "earliest"},
                                                       {"enable.auto.commit", "false"}};
  // Commits of both topics, from outside the group.
  RdKafka tool = MakeClient(RD_KAFKA_CONSUMER, settings);
  rd_kafka_topic_partition_list_t* commits = rd_kafka_topic_partition_list_new(2);
  rd_kafka_topic_partition_list_add(commits, "read", 0)->offset = 0;
  rd_kafka_topic_partition_list_add(commits, "idle", 0)->offset = 0;
  REQUIRE(rd_kafka_commit(tool.get(), commits, 0) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(commits);

  // A member of the group subscribes to "read" and gets it.
  RdKafka member = MakeClient(RD_KAFKA_CONSUMER, settings);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, "read", RD_KAFKA_PARTITION_UA);
  REQUIRE(rd_kafka_subscribe(member.get(), topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  int assigned = 0;
  for (int i = 0; i < 300 && assigned == 0; ++i) {
    PollRecords(member.get(), 1, std::chrono::milliseconds(100));
    rd_kafka_topic_partition_list_t* assignment = nullptr;
    REQUIRE(rd_kafka_assignment(member.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR);
    assigned = assignment->cnt;
    rd_kafka_topic_partition_list_destroy(assignment);
  }
  REQUIRE(assigned == 1);

  auto [group_error, partitions] =
      DeleteGroupOffsets(admin.get(), "dg", {{"read", 0}, {"idle", 0}});
  CHECK(group_error == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(partitions == std::map<std::string, rd_kafka_resp_err_t>{
                          {"read-0", RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC},
                          {"idle-0", RD_KAFKA_RESP_ERR_NO_ERROR}});
  CHECK(Committed(tool.get(), "read", 0) == 0);
  CHECK(Committed(tool.get(), "idle", 0) == RD_KAFKA_OFFSET_INVALID);

  // Once the member left, its topic's commit can go too.
  rd_kafka_consumer_close(member.get());
  auto [after_error, after] = DeleteGroupOffsets(admin.get(), "dg", {{"read", 0}});
  CHECK(after_error == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(after ==
        std::map<std::string, rd_kafka_resp_err_t>{{"read-0", RD_KAFKA_RESP_ERR_NO_ERROR}});
  CHECK(Committed(tool.get(), "read", 0) == RD_KAFKA_OFFSET_INVALID);

  CHECK(DeleteGroupOffsets(admin.get(), "nobody", {{"read", 0}}).first ==
        RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
  rd_kafka_consumer_close(tool.get());
}

}  // namespace
}  // namespace brook
