// A broker killed with SIGKILL under librdkafka's idempotent acks=all producer loses nothing
// and duplicates nothing: the producer's retries after the restart are recognised by the
// producer state that storage wrote with the records.
#include <doctest/doctest.h>

#include <csignal>
#include <mutex>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/kafka/rdkafka_support.h"
#include "tests/support/child_broker.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using testing::MakeClient;
using testing::RdKafka;

struct Delivery {
  std::mutex mu;
  std::map<int, std::pair<int32_t, int64_t>> acknowledged;  // value -> (partition, offset)
  std::vector<std::string> errors;
};

void Delivered(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* delivery = static_cast<Delivery*>(opaque);
  std::lock_guard<std::mutex> lock(delivery->mu);
  if (m->err) {
    delivery->errors.push_back(rd_kafka_err2str(m->err));
    return;
  }
  const std::string value(static_cast<const char*>(m->payload), m->len);
  delivery->acknowledged[std::stoi(value)] = {m->partition, m->offset};
}

TEST_CASE("kill -9 under an idempotent acks=all Kafka producer: nothing lost, nothing twice") {
  testing::TempDir dir;
  testing::ChildBroker broker(dir.path());
  REQUIRE(broker.Start({"--kafka-default-partitions", "3"}));

  Delivery delivery;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[256];
  const std::map<std::string, std::string> settings = {
      {"bootstrap.servers", broker.kafka_bootstrap()}, {"enable.idempotence", "true"},
      {"acks", "all"}, {"linger.ms", "2"}, {"message.timeout.ms", "120000"},
      {"reconnect.backoff.ms", "50"}, {"reconnect.backoff.max.ms", "200"}};
  for (const auto& [k, v] : settings) {
    REQUIRE(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), error, sizeof error) ==
            RD_KAFKA_CONF_OK);
  }
  rd_kafka_conf_set_dr_msg_cb(conf, Delivered);
  rd_kafka_conf_set_opaque(conf, &delivery);
  RdKafka producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error));
  REQUIRE(producer);

  constexpr int kRecords = 30000;
  auto send = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const std::string value = std::to_string(i);
      const std::string key = "k" + std::to_string(i % 50);
      while (rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC("idem"),
                               RD_KAFKA_V_KEY(key.data(), key.size()),
                               RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(producer.get(), 10);
      }
      rd_kafka_poll(producer.get(), 0);
    }
  };
  send(0, kRecords / 2);
  // Kill it while the second half streams: some batches are acknowledged, some in flight.
  size_t acknowledged_at_kill = 0;
  std::thread killer([&] {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard<std::mutex> lock(delivery.mu);
        if (delivery.acknowledged.size() >= kRecords / 3) break;
      }
      std::this_thread::sleep_for(10ms);
    }
    {
      std::lock_guard<std::mutex> lock(delivery.mu);
      acknowledged_at_kill = delivery.acknowledged.size();
    }
    broker.Kill();
    std::this_thread::sleep_for(300ms);
    REQUIRE(broker.Start({"--kafka-default-partitions", "3"}));
  });
  send(kRecords / 2, kRecords);
  killer.join();
  CHECK(acknowledged_at_kill < static_cast<size_t>(kRecords));  // It died mid-stream.
  REQUIRE(rd_kafka_flush(producer.get(), 120000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  INFO("first delivery error: ", delivery.errors.empty() ? "" : delivery.errors.front());
  CHECK(delivery.errors.empty());
  CHECK(delivery.acknowledged.size() == kRecords);

  // Read everything back: each value once, at the offset its acknowledgement gave.
  RdKafka consumer = MakeClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", broker.kafka_bootstrap()},
                                                    {"group.id", "check"},
                                                    {"enable.auto.commit", "false"}});
  rd_kafka_topic_partition_list_t* partitions = rd_kafka_topic_partition_list_new(3);
  for (int p = 0; p < 3; ++p) {
    rd_kafka_topic_partition_list_add(partitions, "idem", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  REQUIRE(rd_kafka_assign(consumer.get(), partitions) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(partitions);
  std::vector<testing::ConsumedRecord> records =
      testing::PollRecords(consumer.get(), kRecords + 1, 20s);
  std::map<int, int> times_seen;
  size_t misplaced = 0;
  for (const testing::ConsumedRecord& r : records) {
    REQUIRE(r.offset >= 0);
    const int value = std::stoi(r.value);
    ++times_seen[value];
    auto it = delivery.acknowledged.find(value);
    if (it == delivery.acknowledged.end() || it->second != std::make_pair(r.partition, r.offset)) {
      ++misplaced;
    }
  }
  CHECK(records.size() == kRecords);
  CHECK(times_seen.size() == kRecords);
  size_t duplicated = 0;
  for (const auto& [value, n] : times_seen) duplicated += n > 1;
  CHECK(duplicated == 0);
  CHECK(misplaced == 0);
  rd_kafka_consumer_close(consumer.get());
}

}  // namespace
}  // namespace brook
