// Crash safety of dead letters: `brook serve` killed with SIGKILL again and again while a
// RecordProcessor retries flaky records and dead-letters poison ones. After the last restart
// no record is lost (every good record was processed) and no record is in the dead-letter
// topic twice (nor counted twice).
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "client/admin.h"
#include "client/producer.h"
#include "client/record_processor.h"
#include "tests/support/child_broker.h"
#include "tests/support/temp_dir.h"
#include "tests/support/topic_reader.h"

namespace brook {
namespace {

using std::chrono::milliseconds;

constexpr int kPartitions = 4;
constexpr int kRecords = 1200;

bool IsPoison(int i) { return i % 10 == 3; }
bool IsFlaky(int i) { return i % 10 == 6; }

// Whether every partition's committed offset has reached its log end.
bool GroupCaughtUp(Admin& admin) {
  auto description = admin.DescribeTopic("orders");
  auto offsets = admin.ListGroupOffsets("crash-group");
  if (!description.ok() || !offsets.ok()) return false;
  int caught_up = 0;
  for (const auto& p : description->partitions) {
    for (const auto& c : *offsets) {
      if (c.partition.topic == "orders" && c.partition.partition.value == p.partition &&
          c.offset == p.log_end_offset) {
        ++caught_up;
      }
    }
  }
  return caught_up == kPartitions;
}

TEST_CASE("kill -9 during retries and dead-lettering loses nothing and duplicates no dead letter") {
  testing::TempDir dir;
  testing::ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  {
    auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
    REQUIRE(admin.ok());
    REQUIRE((*admin)->CreateTopic({.name = "orders", .partitions = kPartitions}).ok());
    auto producer = Producer::Create({.bootstrap = broker.bootstrap(), .acks = -1});
    REQUIRE(producer.ok());
    for (int i = 0; i < kRecords; ++i) {
      const std::string value =
          (IsPoison(i) ? "poison-" : IsFlaky(i) ? "flaky-" : "ok-") + std::to_string(i);
      const std::string key = "k" + std::to_string(i % 37);
      (*producer)->Send({.topic = "orders", .partition = i % kPartitions, .key = key,
                         .value = value},
                        [](const absl::StatusOr<RecordMetadata>&) {});
    }
    REQUIRE((*producer)->Flush().ok());
  }

  std::mutex mu;
  std::set<std::string> processed;         // Good values handled successfully.
  std::map<std::string, int> flaky_tries;  // Attempts per flaky value.
  RecordProcessor::Options options;
  options.consumer.bootstrap = broker.bootstrap();
  options.consumer.group_id = "crash-group";
  options.consumer.auto_offset_reset = OffsetReset::kEarliest;
  options.consumer.session_timeout = std::chrono::seconds(2);
  options.consumer.heartbeat_interval = milliseconds(300);
  options.consumer.request_timeout = std::chrono::seconds(5);
  options.topics = {"orders"};
  options.retry.max_attempts = 3;
  options.retry.initial_backoff = milliseconds(2);
  options.retry.max_backoff = milliseconds(10);
  options.commit_interval = milliseconds(20);
  auto processor = RecordProcessor::Create(options, [&](const ConsumerRecord& r) {
    std::this_thread::sleep_for(milliseconds(1));  // Slow enough for the kills to land inside.
    const std::string value(*r.value);
    std::lock_guard lock(mu);
    if (value.starts_with("poison")) return RecordOutcome::Permanent("poison");
    if (value.starts_with("flaky") && ++flaky_tries[value] % 2 == 1) {
      return RecordOutcome::Retry("flaky downstream");
    }
    processed.insert(value);
    return RecordOutcome::Success();
  });
  REQUIRE(processor.ok());
  std::atomic<bool> run_failed{false};
  std::jthread worker([&](std::stop_token stop) {
    absl::Status status = (*processor)->Run(stop);
    if (!status.ok()) {
      MESSAGE("processor stopped: ", status.ToString());
      run_failed = true;
    }
  });

  // Three crashes while the processor works through the topic (each lands mid-way: records
  // are still waiting, among them retries and dead letters).
  for (int crash = 0; crash < 3; ++crash) {
    std::this_thread::sleep_for(milliseconds(400));
    {
      std::lock_guard lock(mu);
      MESSAGE("crash ", crash, ": ", processed.size(), " records processed, ",
              (*processor)->stats().dead_lettered, " dead-lettered so far");
      CHECK(processed.size() < static_cast<size_t>(kRecords - kRecords / 10));
    }
    broker.Kill();
    std::this_thread::sleep_for(milliseconds(100));
    REQUIRE(broker.Start());
  }
  {
    auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
    REQUIRE(admin.ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!GroupCaughtUp(**admin) && !run_failed) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(milliseconds(100));
    }
  }
  worker.request_stop();
  worker.join();
  REQUIRE_FALSE(run_failed);
  (*processor)->Close();

  // No record lost: every good record was processed (some more than once: at-least-once).
  std::set<std::string> expected_good, expected_poison;
  for (int i = 0; i < kRecords; ++i) {
    if (IsPoison(i)) {
      expected_poison.insert(std::to_string(i % kPartitions) + "@" + std::to_string(i / kPartitions));
    } else {
      expected_good.insert((IsFlaky(i) ? "flaky-" : "ok-") + std::to_string(i));
    }
  }
  CHECK(processed == expected_good);

  // No dead letter twice: exactly the poison records, once each.
  std::multiset<std::string> dead;
  for (const testing::StoredRecord& d : testing::ReadTopic(broker.bootstrap(), "orders.dlq")) {
    CHECK(d.value->starts_with("poison-"));
    dead.insert(d.headers.at("brook.dlq.partition") + "@" + d.headers.at("brook.dlq.offset"));
  }
  CHECK(dead.size() == expected_poison.size());
  CHECK(std::set<std::string>(dead.begin(), dead.end()) == expected_poison);
  auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  auto stats = (*admin)->DeadLetterStats({"orders"});
  REQUIRE(stats.ok());
  REQUIRE(stats->size() == 1);
  CHECK((*stats)[0].dead_lettered == static_cast<int64_t>(expected_poison.size()));
}

}  // namespace
}  // namespace brook
