// `brook dlq list|stats|replay` as a person uses them, on dead letters made by a
// RecordProcessor against `brook serve` running as a child process.
#include <doctest/doctest.h>

#include <chrono>
#include <set>

#include "client/admin.h"
#include "client/record_processor.h"
#include "tests/cli/cli_fixture.h"

namespace brook {
namespace {

using testing::CliFixture;
using testing::Contains;
using testing::HasRow;
using testing::Rows;

// Produces six records to "orders" (two partitions) and dead-letters the four "bad" ones:
// three for "bad payload", one for "timeout".
struct DlqFixture : CliFixture {
  DlqFixture() {
    REQUIRE(Run({"topic", "create", "orders", "--partitions", "2"}).exit_code == 0);
    REQUIRE(Run({"produce", "orders", "--partition", "0", "--key-separator", ":", "--acks", "all"},
                "a:good-1\nb:bad-1\nc:bad-2\n")
                .exit_code == 0);
    REQUIRE(Run({"produce", "orders", "--partition", "1", "--key-separator", ":", "--acks", "all"},
                "d:bad-3\ne:good-2\nf:slow-1\n")
                .exit_code == 0);
    RecordProcessor::Options options;
    options.consumer.bootstrap = bootstrap;
    options.consumer.group_id = "cli-group";
    options.consumer.auto_offset_reset = OffsetReset::kEarliest;
    options.topics = {"orders"};
    auto processor = RecordProcessor::Create(options, [](const ConsumerRecord& r) {
      if (r.value->starts_with("bad")) return RecordOutcome::Permanent("bad payload");
      if (r.value->starts_with("slow")) return RecordOutcome::Permanent("timeout");
      return RecordOutcome::Success();
    });
    REQUIRE(processor.ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while ((*processor)->stats().succeeded + (*processor)->stats().dead_lettered < 6) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      REQUIRE((*processor)->RunOnce(std::chrono::milliseconds(100)).ok());
    }
  }
  int64_t OrdersLogEnd(int32_t partition) {
    auto admin = Admin::Create({.bootstrap = bootstrap});
    REQUIRE(admin.ok());
    auto topic = (*admin)->DescribeTopic("orders");
    REQUIRE(topic.ok());
    return topic->partitions.at(static_cast<size_t>(partition)).log_end_offset;
  }
};

TEST_CASE_FIXTURE(DlqFixture, "dlq list shows where each dead letter came from and why") {
  auto listed = Run({"dlq", "list", "orders.dlq"});
  REQUIRE(listed.exit_code == 0);
  const auto rows = Rows(listed.out);
  REQUIRE(rows.size() == 5);  // The header and four dead letters.
  CHECK(rows[0] == std::vector<std::string>{"DLQ", "ORIGINAL", "KEY", "REASON", "ATTEMPTS",
                                            "FIRST-FAILURE", "DEAD-LETTERED", "REPLAYED-TO",
                                            "VALUE"});
  std::set<std::string> originals;
  for (size_t i = 1; i < rows.size(); ++i) originals.insert(rows[i][1]);
  CHECK(originals ==
        std::set<std::string>{"orders-0@1", "orders-0@2", "orders-1@0", "orders-1@2"});
  CHECK(Contains(listed.out, "timeout"));
  CHECK(Contains(listed.out, "bad payload"));

  auto limited = Run({"dlq", "list", "orders.dlq", "--limit", "1"});
  CHECK(Rows(limited.out).size() == 2);
  auto json = Run({"dlq", "list", "orders.dlq", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(Rows(json.out).size() == 4);
  CHECK(Contains(json.out, "\"topic\":\"orders\""));
  CHECK(Contains(json.out, "\"reason\":\"timeout\""));
  CHECK(Contains(json.out, "\"value\":\"slow-1\""));
  CHECK(Contains(json.out, "\"group\":\"cli-group\""));
  CHECK(Contains(json.out, "\"replayed_to\":null"));
}

TEST_CASE_FIXTURE(DlqFixture, "dlq stats counts by original topic and reason") {
  auto stats = Run({"dlq", "stats", "orders.dlq"});
  REQUIRE(stats.exit_code == 0);
  CHECK(HasRow(stats.out, {"records", "4"}));
  CHECK(HasRow(stats.out, {"orders", "4"}));
  CHECK(HasRow(stats.out, {"bad", "payload", "3"}));
  CHECK(HasRow(stats.out, {"timeout", "1"}));
  CHECK(HasRow(stats.out, {"orders", "cli-group", "4", "0"}));
  CHECK(Contains(stats.out, "oldest"));
}

TEST_CASE_FIXTURE(DlqFixture, "dlq replay: filtered, dry run, interrupted and run again, never twice") {
  auto dry = Run({"dlq", "replay", "orders.dlq", "--filter-reason", "time", "--dry-run"});
  REQUIRE(dry.exit_code == 0);
  CHECK(Contains(dry.out, "would go to orders-1"));
  CHECK(Contains(dry.out, "dry run: 1 would be replayed, 0 cannot be; nothing changed"));
  CHECK(OrdersLogEnd(1) == 3);

  auto some = Run({"dlq", "replay", "orders.dlq", "--filter-reason", "timeout"});
  REQUIRE(some.exit_code == 0);
  CHECK(Contains(some.out, "done: 1 replayed, 0 already replayed, 0 failed"));
  CHECK(OrdersLogEnd(1) == 4);

  // An interrupted run (stopped after one record), then the whole replay: nothing twice.
  auto interrupted = Run({"dlq", "replay", "orders.dlq", "--filter-topic", "orders", "--limit", "1"});
  REQUIRE(interrupted.exit_code == 0);
  CHECK(Contains(interrupted.out, "4 dead letter(s) in 'orders.dlq' match: 1 replayed before, 1 to replay"));
  auto all = Run({"dlq", "replay", "orders.dlq"});
  REQUIRE(all.exit_code == 0);
  CHECK(Contains(all.out, "match: 2 replayed before, 2 to replay"));
  CHECK(Contains(all.out, "2/2: 2 replayed, 0 already replayed, 0 failed"));
  auto again = Run({"dlq", "replay", "orders.dlq"});
  CHECK(Contains(again.out, "done: 0 replayed, 4 already replayed, 0 failed"));
  CHECK(OrdersLogEnd(0) + OrdersLogEnd(1) == 6 + 4);

  auto consumed = Run({"consume", "orders", "--from-beginning", "--count", "10", "--timeout-ms",
                       "10000", "--format", "%v %h"});
  REQUIRE(consumed.exit_code == 0);
  std::set<std::string> replayed_from;
  for (const auto& row : Rows(consumed.out)) {
    if (row.size() == 2 && Contains(row[1], "brook.replayed-from=")) {
      CHECK(replayed_from.insert(row[1]).second);
    }
  }
  CHECK(replayed_from.size() == 4);
  const auto listed = Rows(Run({"dlq", "list", "orders.dlq"}).out);
  REQUIRE(listed.size() == 5);
  for (size_t i = 1; i < listed.size(); ++i) {
    // REPLAYED-TO (before the value; reasons may hold spaces) names the copy.
    CHECK(listed[i][listed[i].size() - 2].starts_with("orders-"));
  }
  CHECK(HasRow(Run({"dlq", "stats", "orders.dlq"}).out, {"orders", "cli-group", "4", "4"}));
}

TEST_CASE_FIXTURE(CliFixture, "dlq commands explain bad input") {
  auto missing = Run({"dlq", "list", "nope.dlq"});
  CHECK(missing.exit_code == 1);
  CHECK(Contains(missing.err, "does not exist"));
  REQUIRE(Run({"topic", "create", "t.dlq"}).exit_code == 0);
  auto bad_time = Run({"dlq", "replay", "t.dlq", "--since", "yesterday"});
  CHECK(bad_time.exit_code == 2);
  CHECK(Contains(bad_time.err, "--since takes a datetime"));
  CHECK(Run({"dlq", "replay", "t.dlq", "--limit", "0"}).exit_code == 2);
  CHECK(Run({"dlq"}).exit_code == 2);
  auto empty = Run({"dlq", "list", "t.dlq"});
  CHECK(empty.exit_code == 0);
  CHECK(Contains(empty.out, "no dead letters in 't.dlq'"));
  REQUIRE(Run({"produce", "t.dlq", "--acks", "all"}, "not a dead letter\n").exit_code == 0);
  auto replay = Run({"dlq", "replay", "t.dlq"});
  CHECK(replay.exit_code == 0);
  CHECK(Contains(replay.out, "0 dead letter(s) in 't.dlq' match: 0 replayed before, 0 to replay"));
  CHECK(Contains(Run({"dlq", "list", "t.dlq"}).out, "1 record(s) without brook.dlq headers"));
}

}  // namespace
}  // namespace brook
