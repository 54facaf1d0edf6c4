// examples/embedded_broker_test.cc: testing a service against a real brook broker started
// inside the test, instead of a Kafka container. Built and run with the test suite.
//
// The "service" here is a tiny order-total projection: it consumes `orders` and keeps the
// total amount per customer, the way an event-driven service would.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"

namespace {

// The code under test: folds order events ("customer:amount" values keyed by customer).
std::map<std::string, int> TotalsFrom(brook::Consumer& consumer, int expected_events) {
  std::map<std::string, int> totals;
  int seen = 0;
  while (seen < expected_events) {
    auto records = consumer.Poll(std::chrono::seconds(5));
    REQUIRE(records.ok());
    REQUIRE_FALSE(records->empty());
    for (const brook::ConsumerRecord& record : *records) {
      totals[std::string(*record.key)] += std::stoi(std::string(*record.value));
      ++seen;
    }
  }
  return totals;
}

TEST_CASE("order totals are computed per customer") {
  brook::EmbeddedBroker broker;  // One line: a real broker on a free port, temp data dir.

  auto admin = brook::Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  REQUIRE((*admin)->CreateTopic({.name = "orders", .partitions = 3}).ok());

  auto producer = brook::Producer::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(producer.ok());
  for (auto [customer, amount] : {std::pair{"alice", "10"}, {"bob", "5"}, {"alice", "7"}}) {
    (*producer)->Send({.topic = "orders", .key = customer, .value = amount}, nullptr);
  }
  REQUIRE((*producer)->Flush().ok());

  auto consumer = brook::Consumer::Create(
      {.bootstrap = broker.bootstrap(), .auto_offset_reset = brook::OffsetReset::kEarliest});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)
              ->Assign({{"orders", brook::PartitionId(0)},
                        {"orders", brook::PartitionId(1)},
                        {"orders", brook::PartitionId(2)}})
              .ok());

  auto totals = TotalsFrom(**consumer, 3);
  CHECK(totals["alice"] == 17);
  CHECK(totals["bob"] == 5);
}  // The broker stops and its data dir is removed here.

}  // namespace

namespace {

// A broker for the tests below: in memory (nothing touches the disk), with a clock that stands
// still until the test moves it.
brook::EmbeddedBrokerOptions InMemoryWithManualClock() {
  brook::EmbeddedBrokerOptions options;
  options.in_memory = true;
  options.config.clock = brook::ClockMode::kManual;
  return options;
}

TEST_CASE("a leader move is retried, and a week later the orders are gone") {
  brook::EmbeddedBroker broker(InMemoryWithManualClock());
  auto admin = brook::Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  REQUIRE((*admin)
              ->CreateTopic({.name = "orders", .partitions = 1,
                             .configs = {{"retention.ms", "604800000"}}})
              .ok());

  // A fault: the next two Produce requests are answered NOT_LEADER_OR_FOLLOWER (6), as while a
  // partition's leader moves. The producer retries and the order is written once.
  REQUIRE(broker.AddFault({.api = "Produce", .error_code = 6, .count = 2}).ok());
  auto producer = brook::Producer::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(producer.ok());
  auto sent = (*producer)->Send({.topic = "orders", .key = "alice", .value = "10"}).get();
  REQUIRE(sent.ok());
  CHECK(sent->offset == 0);
  CHECK(broker.ListFaults().at(0).fired == 2);

  // The clock: 8 days pass in a call, and retention (7 days) has removed the order.
  REQUIRE(broker.AdvanceClock(std::chrono::hours(24 * 8)).ok());
  // Retention deletes whole segments, never the one taking records: the next order starts a
  // new segment (segment.ms is long past), and the next pass deletes the old one.
  REQUIRE((*producer)->Send({.topic = "orders", .key = "bob", .value = "5"}).get().ok());
  REQUIRE(broker.AdvanceClock(std::chrono::milliseconds(1)).ok());  // Waits for that pass.
  auto orders = (*admin)->DescribeTopic("orders");
  REQUIRE(orders.ok());
  CHECK(orders->partitions.at(0).log_start_offset == 1);

  // Reset: the next test starts from nothing, on the same broker.
  REQUIRE(broker.Reset().ok());
  CHECK((*admin)->ListTopics()->empty());
}

}  // namespace
