// librdkafka (Debian's 2.0.2) against injected faults on brook's Kafka listener: a producer
// retries NOT_LEADER_OR_FOLLOWER and a dropped connection and delivers once, a delay holds a
// delivery back, and a consumer group gets past coordinator errors.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "broker/embedded_broker.h"
#include "protocol/error_codes.h"
#include "tests/kafka/rdkafka_support.h"

namespace brook {
namespace {

using testing::ConsumedRecord;
using testing::CreateTopic;
using testing::MakeClient;
using testing::PollRecords;
using testing::RdKafka;

struct Delivery {
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__STATE;
  int64_t offset = -1;
};
Delivery g_delivery;
void Delivered(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  g_delivery = {m->err, m->offset};
}

// Produces one record to `topic` partition 0 and waits for its delivery report.
Delivery ProduceOne(const EmbeddedBroker& broker, const std::string& topic,
                    const std::string& value) {
  g_delivery = {};
  RdKafka producer = MakeClient(RD_KAFKA_PRODUCER,
                                {{"bootstrap.servers", broker.kafka_bootstrap()},
                                 {"acks", "all"},
                                 {"retry.backoff.ms", "20"}},
                                Delivered);
  REQUIRE(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                            RD_KAFKA_V_PARTITION(0),
                            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
  REQUIRE(rd_kafka_flush(producer.get(), 30000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  return g_delivery;
}

// Every record of partition 0 of `topic`, read by an assigned consumer.
std::vector<ConsumedRecord> ReadAll(const EmbeddedBroker& broker, const std::string& topic,
                                    size_t expected) {
  RdKafka consumer = MakeClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", broker.kafka_bootstrap()},
                                                    {"group.id", "reader"},
                                                    {"enable.auto.commit", "false"},
                                                    {"enable.partition.eof", "true"}});
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(partitions, topic.c_str(), 0)->offset =
      RD_KAFKA_OFFSET_BEGINNING;
  REQUIRE(rd_kafka_assign(consumer.get(), partitions) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(partitions);
  // One more than expected, so that a duplicate would show.
  std::vector<ConsumedRecord> records =
      PollRecords(consumer.get(), expected + 1, std::chrono::seconds(5));
  rd_kafka_consumer_close(consumer.get());
  return records;
}

void MakeTopic(const EmbeddedBroker& broker, const std::string& topic) {
  RdKafka admin = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker.kafka_bootstrap()}});
  REQUIRE(CreateTopic(admin.get(), topic, 1) == RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST_CASE("librdkafka faults: NOT_LEADER_OR_FOLLOWER x3 on Produce is retried; delivered once") {
  EmbeddedBroker broker;
  MakeTopic(broker, "orders");
  REQUIRE(broker
              .AddFault({.api = "Produce",
                         .listener = FaultListener::kKafka,
                         .topic = "orders",
                         .error_code = static_cast<int16_t>(ErrorCode::kNotLeaderOrFollower),
                         .count = 3})
              .ok());
  const Delivery delivery = ProduceOne(broker, "orders", "order 1");
  CHECK(delivery.err == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(delivery.offset == 0);
  const std::vector<FaultState> faults = broker.ListFaults();
  REQUIRE(faults.size() == 1);
  CHECK(faults[0].fired == 3);
  CHECK(faults[0].remaining == 0);
  const std::vector<ConsumedRecord> records = ReadAll(broker, "orders", 1);
  REQUIRE(records.size() == 1);
  CHECK(records[0].value == "order 1");
}

TEST_CASE("librdkafka faults: a dropped Produce connection is reconnected and retried") {
  EmbeddedBroker broker;
  MakeTopic(broker, "orders");
  REQUIRE(broker.AddFault({.api = "Produce", .action = FaultAction::kDrop}).ok());
  const Delivery delivery = ProduceOne(broker, "orders", "order 1");
  CHECK(delivery.err == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(broker.ListFaults().at(0).fired == 1);
  const std::vector<ConsumedRecord> records = ReadAll(broker, "orders", 1);
  REQUIRE(records.size() == 1);  // Dropped before it was handled: appended once.
  CHECK(records[0].offset == 0);
}

TEST_CASE("librdkafka faults: a delay on Produce holds the delivery back") {
  EmbeddedBroker broker;
  MakeTopic(broker, "orders");
  constexpr int kDelayMs = 500;
  REQUIRE(broker.AddFault({.api = "Produce", .action = FaultAction::kDelay,
                           .delay_ms = kDelayMs})
              .ok());
  const auto start = std::chrono::steady_clock::now();
  CHECK(ProduceOne(broker, "orders", "slow").err == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(kDelayMs));
  CHECK(broker.ListFaults().at(0).fired == 1);
}

TEST_CASE("librdkafka faults: a consumer group gets past coordinator errors") {
  EmbeddedBroker broker;
  MakeTopic(broker, "orders");
  REQUIRE(ProduceOne(broker, "orders", "order 1").err == RD_KAFKA_RESP_ERR_NO_ERROR);
  const int16_t not_available = static_cast<int16_t>(ErrorCode::kCoordinatorNotAvailable);
  const int16_t not_coordinator = static_cast<int16_t>(ErrorCode::kNotCoordinator);
  REQUIRE(broker.AddFault({.api = "FindCoordinator", .group = "billing",
                           .error_code = not_available, .count = 2})
              .ok());
  REQUIRE(broker.AddFault({.api = "JoinGroup", .group = "billing",
                           .error_code = not_coordinator, .count = 1})
              .ok());
  RdKafka consumer = MakeClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", broker.kafka_bootstrap()},
                                                    {"group.id", "billing"},
                                                    {"auto.offset.reset", "earliest"}});
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, "orders", RD_KAFKA_PARTITION_UA);
  REQUIRE(rd_kafka_subscribe(consumer.get(), topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  const std::vector<ConsumedRecord> records =
      PollRecords(consumer.get(), 1, std::chrono::seconds(30));
  REQUIRE(records.size() == 1);
  CHECK(records[0].value == "order 1");
  rd_kafka_consumer_close(consumer.get());
  const std::vector<FaultState> faults = broker.ListFaults();
  CHECK(faults.at(0).fired == 2);
  CHECK(faults.at(1).fired == 1);
}

}  // namespace
}  // namespace brook
