// At-least-once delivery when a consumer-group member's process is killed: `brook consume
// --group` (which commits what it printed) is SIGKILLed mid-stream; a member started afterwards
// gets the dead member's partitions once its session expires, starts exactly at the group's
// committed offsets, and between them the two have seen every record. The only records seen
// twice are the dead member's uncommitted window.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "tests/support/child_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using Seen = std::map<int32_t, std::set<int64_t>>;  // partition -> offsets

constexpr int32_t kPartitions = 2;

// The "PARTITION OFFSET" lines the dead member printed.
Seen ParsePrinted(const std::string& text) {
  Seen seen;
  std::istringstream in(text);
  int32_t partition = 0;
  int64_t offset = 0;
  while (in >> partition >> offset) seen[partition].insert(offset);
  return seen;
}

size_t CountLines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST_CASE("a group member killed with SIGKILL mid-stream loses no record to the group") {
  EmbeddedBrokerOptions broker_options;
  broker_options.config.group_initial_rebalance_delay = 0ms;
  EmbeddedBroker broker(broker_options);
  auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  REQUIRE((*admin)->CreateTopic({.name = "t", .partitions = kPartitions}).ok());
  auto producer = Producer::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(producer.ok());

  // Produce steadily while the member consumes, so it dies mid-stream.
  std::atomic<bool> producing{true};
  std::thread feeder([&] {
    for (int i = 0; producing.load(); ++i) {
      (*producer)->Send({.topic = "t", .partition = i % kPartitions, .value = "v"}, nullptr);
      if (i % 20 == 0) std::this_thread::sleep_for(1ms);
    }
  });

  testing::TempDir dir;
  const std::string printed_path = dir.path() + "/printed";
  testing::ChildProcess member;
  REQUIRE(member.Spawn({"consume", "t", "--group", "g", "--from-beginning", "--format", "%p %o",
                        "--session-timeout-ms", "1000", "--bootstrap", broker.bootstrap()},
                       printed_path, dir.path() + "/stderr"));
  // Kill it mid-stream once it has printed a good part and committed on every partition (a
  // first poll can print thousands of records before its first commit). Up to a minute: a
  // loaded machine (sanitizers, parallel tests) can be slow to join.
  auto committed_everywhere = [&] {
    auto commits = (*admin)->ListGroupOffsets("g");
    return commits.ok() && commits->size() == static_cast<size_t>(kPartitions);
  };
  for (int i = 0; i < 3000; ++i) {
    if (CountLines(testing::ReadFile(printed_path)) >= 2000 && committed_everywhere()) break;
    std::this_thread::sleep_for(20ms);
  }
  CHECK(member.Signal(SIGKILL) == 128 + SIGKILL);
  REQUIRE_MESSAGE(CountLines(testing::ReadFile(printed_path)) > 0,
                  "the member printed nothing; its stderr: ",
                  testing::ReadFile(dir.path() + "/stderr"));
  std::this_thread::sleep_for(50ms);
  producing = false;
  feeder.join();
  REQUIRE((*producer)->Flush().ok());
  const Seen printed = ParsePrinted(testing::ReadFile(printed_path));
  REQUIRE(printed.size() == kPartitions);

  // What the dead member committed: it printed everything below its commits.
  auto commits = (*admin)->ListGroupOffsets("g");
  REQUIRE(commits.ok());
  std::map<int32_t, int64_t> committed;
  for (const auto& c : *commits) committed[c.partition.partition.value] = c.offset;
  REQUIRE(committed.size() == kPartitions);
  std::map<int32_t, int64_t> log_end;
  auto topic = (*admin)->DescribeTopic("t");
  REQUIRE(topic.ok());
  for (const auto& p : topic->partitions) log_end[p.partition] = p.log_end_offset;
  for (int32_t p = 0; p < kPartitions; ++p) {
    for (int64_t offset = 0; offset < committed[p]; ++offset) {
      REQUIRE_MESSAGE(printed.at(p).count(offset), "committed but never printed: ", p, "/", offset);
    }
  }

  // A new member takes over once the dead one's session expires, from the commits on.
  ConsumerOptions options;
  options.bootstrap = broker.bootstrap();
  options.group_id = "g";
  options.auto_offset_reset = OffsetReset::kNone;  // Must start from the commits.
  auto survivor = Consumer::Create(options);
  REQUIRE(survivor.ok());
  REQUIRE((*survivor)->Subscribe({"t"}).ok());
  Seen received;
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  auto caught_up = [&] {
    for (int32_t p = 0; p < kPartitions; ++p) {
      if (received[p].empty() || *received[p].rbegin() + 1 < log_end[p]) return false;
    }
    return true;
  };
  while (!caught_up() && std::chrono::steady_clock::now() < give_up) {
    auto records = (*survivor)->Poll(200ms);
    REQUIRE(records.ok());
    for (const ConsumerRecord& r : *records) received[r.partition].insert(r.offset);
  }
  REQUIRE(caught_up());
  for (int32_t p = 0; p < kPartitions; ++p) {
    // It started exactly at the commit and missed nothing after it...
    CHECK(*received[p].begin() == committed[p]);
    CHECK(static_cast<int64_t>(received[p].size()) == log_end[p] - committed[p]);
    // ...so together they saw every record, and the duplicates are exactly the dead member's
    // printed-but-uncommitted window.
    size_t duplicates = 0;
    for (int64_t offset : printed.at(p)) duplicates += received[p].count(offset);
    CHECK(duplicates == static_cast<size_t>(std::count_if(
                            printed.at(p).begin(), printed.at(p).end(),
                            [&](int64_t o) { return o >= committed[p]; })));
    MESSAGE("partition ", p, ": dead member printed ", printed.at(p).size(), ", committed ",
            committed[p], ", survivor received ", received[p].size(), ", duplicates ", duplicates);
  }
  (*survivor)->Close();
}

}  // namespace
}  // namespace brook
