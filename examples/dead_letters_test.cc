// examples/dead_letters_test.cc: a service that retries what may work later and parks what
// never will, tested against a real broker started inside the test. Built and run with the
// test suite.
//
// The "service" charges payments: a malformed amount can never succeed (a poison record: it
// goes to the dead-letter topic at once); a declined card may be a blip (retried with
// backoff, then dead-lettered). After the fix, an operator replays the dead letters.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/producer.h"
#include "client/record_processor.h"

namespace {

// The code under test: what to do with one payment ("customer:amount" values).
brook::RecordOutcome Charge(const brook::ConsumerRecord& record, std::map<std::string, int>& charged) {
  const std::string value(*record.value);
  const auto colon = value.find(':');
  if (colon == std::string::npos) return brook::RecordOutcome::Permanent("malformed payment");
  if (value.ends_with(":declined")) return brook::RecordOutcome::Retry("card declined");
  charged[value.substr(0, colon)] += std::stoi(value.substr(colon + 1));
  return brook::RecordOutcome::Success();
}

TEST_CASE("payments: poison records are parked, the rest is charged, then replayed") {
  brook::EmbeddedBroker broker;
  auto admin = brook::Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  REQUIRE((*admin)->CreateTopic({.name = "payments", .partitions = 2}).ok());
  auto producer = brook::Producer::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(producer.ok());
  for (const char* value : {"alice:10", "garbage", "bob:5", "carol:declined", "alice:7"}) {
    (*producer)->Send({.topic = "payments", .partition = 0, .value = value}, nullptr);
  }
  REQUIRE((*producer)->Flush().ok());

  std::map<std::string, int> charged;
  brook::RecordProcessor::Options options;
  options.consumer.bootstrap = broker.bootstrap();
  options.consumer.group_id = "billing";
  options.consumer.auto_offset_reset = brook::OffsetReset::kEarliest;
  options.topics = {"payments"};
  options.retry.max_attempts = 3;
  options.retry.initial_backoff = std::chrono::milliseconds(10);
  auto processor = brook::RecordProcessor::Create(
      options, [&](const brook::ConsumerRecord& r) { return Charge(r, charged); });
  REQUIRE(processor.ok());
  while ((*processor)->stats().succeeded + (*processor)->stats().dead_lettered < 5) {
    REQUIRE((*processor)->RunOnce(std::chrono::milliseconds(100)).ok());
  }
  CHECK(charged == std::map<std::string, int>{{"alice", 17}, {"bob", 5}});
  CHECK((*processor)->stats().dead_lettered == 2);  // "garbage" at once, carol after 3 tries.

  // The operator replays the dead letters (here: all of payments.dlq's partition 0, which is
  // where keyless records from partition 0 land); each goes back to "payments" once.
  auto replayed = (*admin)->ReplayDeadLetters({"payments.dlq", brook::PartitionId(0)}, {0, 1});
  REQUIRE(replayed.ok());
  for (const brook::DeadLetterReplay& r : *replayed) {
    CHECK(r.status.ok());
    CHECK(r.target.topic == "payments");
  }
  auto stats = (*admin)->DeadLetterStats({"payments"});
  REQUIRE(stats.ok());
  CHECK(stats->at(0).dead_lettered == 2);
  CHECK(stats->at(0).replayed == 2);
}

}  // namespace
