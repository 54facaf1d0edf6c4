// A librdkafka consumer group seen and steered through brook's own CLI: `brook group list` and
// `describe` show its member (client id, subscription, assignment), committed offsets and lag;
// `reset-offsets` refuses while the member is there and, once it left, moves the commits so
// the next Kafka member of the group reads from the new place.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "broker/embedded_broker.h"
#include "tests/cli/cli_fixture.h"
#include "tests/kafka/rdkafka_support.h"

namespace brook {
namespace {

using testing::CommandResult;
using testing::ConsumedRecord;
using testing::Contains;
using testing::HasRow;
using testing::MakeClient;
using testing::PollRecords;
using testing::RdKafka;

constexpr char kTopic[] = "tools";
constexpr char kGroup[] = "kafka-tools";

void Produce(const EmbeddedBroker& broker, int count) {
  RdKafka producer = MakeClient(RD_KAFKA_PRODUCER, {{"bootstrap.servers", broker.kafka_bootstrap()}});
  for (int i = 0; i < count; ++i) {
    const std::string value = std::to_string(i);
    REQUIRE(rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(kTopic), RD_KAFKA_V_PARTITION(i % 2),
                              RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  REQUIRE(rd_kafka_flush(producer.get(), 20000) == RD_KAFKA_RESP_ERR_NO_ERROR);
}

RdKafka GroupMember(const EmbeddedBroker& broker) {
  RdKafka consumer = MakeClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", broker.kafka_bootstrap()},
                                                    {"group.id", kGroup},
                                                    {"client.id", "tools-member"},
                                                    {"enable.auto.commit", "false"},
                                                    {"auto.offset.reset", "earliest"}});
  rd_kafka_poll_set_consumer(consumer.get());
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, kTopic, RD_KAFKA_PARTITION_UA);
  REQUIRE(rd_kafka_subscribe(consumer.get(), topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  return consumer;
}

CommandResult Brook(const EmbeddedBroker& broker, std::vector<std::string> args) {
  args.push_back("--bootstrap");
  args.push_back(broker.bootstrap());
  CommandResult result = testing::RunBrook(args);
  INFO(result.err);
  return result;
}

TEST_CASE("a Kafka group shows in brook group list/describe and resets with reset-offsets") {
  EmbeddedBroker broker;
  REQUIRE(Brook(broker, {"topic", "create", kTopic, "--partitions", "2"}).exit_code == 0);
  Produce(broker, 20);  // Offsets 0-9 on each partition.

  RdKafka member = GroupMember(broker);
  std::vector<ConsumedRecord> first = PollRecords(member.get(), 20, std::chrono::seconds(30));
  REQUIRE(first.size() == 20);
  REQUIRE(rd_kafka_commit(member.get(), nullptr, 0) == RD_KAFKA_RESP_ERR_NO_ERROR);
  Produce(broker, 6);  // Three more on each partition: lag 3 each.

  CommandResult listed = Brook(broker, {"group", "list"});
  CHECK(listed.exit_code == 0);
  CHECK(HasRow(listed.out, {kGroup, "Stable", "1"}));

  CommandResult described = Brook(broker, {"group", "describe", kGroup});
  CHECK(described.exit_code == 0);
  CHECK(HasRow(described.out, {"state", "Stable"}));
  CHECK(HasRow(described.out, {"members", "1"}));
  CHECK(Contains(described.out, "tools-member"));
  CHECK(Contains(described.out, "tools-0,tools-1"));
  for (const std::string partition : {"0", "1"}) {
    bool found = false;
    for (const auto& row : testing::Rows(described.out)) {
      // TOPIC PARTITION COMMITTED LOG-END LAG MEMBER: owned by the Kafka member.
      if (row.size() == 6 && row[0] == kTopic && row[1] == partition) {
        found = true;
        CHECK(row[2] == "10");
        CHECK(row[3] == "13");
        CHECK(row[4] == "3");
        CHECK(row[5] != "-");
      }
    }
    CHECK(found);
  }

  // A group with a member is not reset: its commits would race the member's.
  CommandResult busy = Brook(broker, {"group", "reset-offsets", kGroup, "--topic", kTopic,
                                      "--to-earliest"});
  CHECK(busy.exit_code != 0);
  CHECK_FALSE(busy.err.empty());

  rd_kafka_consumer_close(member.get());
  member.reset();
  CommandResult empty = Brook(broker, {"group", "describe", kGroup});
  CHECK(HasRow(empty.out, {"state", "Empty"}));
  CHECK(HasRow(empty.out, {kTopic, "0", "10", "13", "3", "-"}));

  CommandResult reset = Brook(broker, {"group", "reset-offsets", kGroup, "--topic", kTopic,
                                       "--to-offset", "8"});
  CHECK(reset.exit_code == 0);
  CHECK(HasRow(reset.out, {kTopic, "0", "10", "8"}));
  CHECK(HasRow(reset.out, {kTopic, "1", "10", "8"}));

  // The next Kafka member of the group starts where brook's CLI put the commits.
  RdKafka again = GroupMember(broker);
  std::vector<ConsumedRecord> rest = PollRecords(again.get(), 10, std::chrono::seconds(30));
  REQUIRE(rest.size() == 10);
  for (int partition : {0, 1}) {
    std::vector<int64_t> offsets;
    for (const ConsumedRecord& r : rest) {
      if (r.partition == partition) offsets.push_back(r.offset);
    }
    CHECK(offsets == std::vector<int64_t>{8, 9, 10, 11, 12});
  }
  rd_kafka_consumer_close(again.get());
}

}  // namespace
}  // namespace brook
