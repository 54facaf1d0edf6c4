// `brook dlq list|stats|replay` as a person uses them, against `brook serve` running as a
// child process: on dead letters made by a RecordProcessor, and on dead-letter topics that
// Spring Kafka and Kafka Connect write (records produced with exactly their headers).
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "client/admin.h"
#include "client/producer.h"
#include "client/record_processor.h"
#include "tests/cli/cli_fixture.h"
#include "tests/support/dead_letter_headers.h"
#include "tests/support/topic_reader.h"

namespace brook {
namespace {

using testing::CliFixture;
using testing::ConnectDeadLetterHeaders;
using testing::Contains;
using testing::HasRow;
using testing::ReadTopic;
using testing::Rows;
using testing::SpringDeadLetterHeaders;

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
  CHECK(rows[0] == std::vector<std::string>{"DLQ", "CONVENTION", "ORIGINAL", "KEY", "REASON",
                                            "ATTEMPTS", "FIRST-FAILURE", "DEAD-LETTERED",
                                            "REPLAYED-TO", "VALUE"});
  std::set<std::string> originals;
  for (size_t i = 1; i < rows.size(); ++i) {
    CHECK(rows[i][1] == "brook");
    originals.insert(rows[i][2]);
  }
  CHECK(originals ==
        std::set<std::string>{"orders-0@1", "orders-0@2", "orders-1@0", "orders-1@2"});
  CHECK(Contains(listed.out, "timeout"));
  CHECK(Contains(listed.out, "bad payload"));

  auto limited = Run({"dlq", "list", "orders.dlq", "--limit", "1"});
  CHECK(Rows(limited.out).size() == 2);
  auto json = Run({"dlq", "list", "orders.dlq", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(Rows(json.out).size() == 4);
  CHECK(Contains(json.out, "\"convention\":\"brook\",\"topic\":\"orders\""));
  CHECK(Contains(json.out, "\"attempts\":1,"));
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
  // A record without dead-letter headers is listed, but cannot be replayed.
  REQUIRE(Run({"produce", "t.dlq", "--acks", "all"}, "not a dead letter\n").exit_code == 0);
  auto replay = Run({"dlq", "replay", "t.dlq"});
  CHECK(replay.exit_code == 1);
  CHECK(Contains(replay.out, "1 dead letter(s) in 't.dlq' match: 0 replayed before, 1 to replay"));
  CHECK(Contains(replay.err,
                 "error: replaying t.dlq-0@0: its origin is unknown"));
  CHECK(Contains(replay.out, "done: 0 replayed, 0 already replayed, 1 failed"));
  CHECK(Contains(Run({"dlq", "list", "t.dlq"}).out, "(1 record(s) of unknown origin"));
}

// Dead-letter topics as Kafka clients leave them, written with brook's producer:
//   orders.DLT (Spring Kafka's DeadLetterPublishingRecoverer, two partitions)
//     0@0  orders-0@1 for group "billing";  0@1  the same record for group "audit";
//     0@2  a record without dead-letter headers;  1@0  orders-1@0 for group "billing";
//   connect-dlq (Kafka Connect's reporter with context headers, one partition)
//     0@0  orders-1@2, a converter's exception;  0@1  orders-0@0, only the stage.
struct KafkaClientsDlqFixture : CliFixture {
  std::unique_ptr<Producer> producer;
  KafkaClientsDlqFixture() {
    REQUIRE(Run({"topic", "create", "orders", "--partitions", "2"}).exit_code == 0);
    REQUIRE(Run({"topic", "create", "orders.DLT", "--partitions", "2"}).exit_code == 0);
    REQUIRE(Run({"topic", "create", "connect-dlq"}).exit_code == 0);
    auto created = Producer::Create({.bootstrap = bootstrap, .acks = -1});
    REQUIRE(created.ok());
    producer = std::move(*created);
    const SpringDeadLetterHeaders a("orders", 0, 1, "billing", "t-a");
    Send({.topic = "orders.DLT", .partition = 0, .key = "a", .value = "bad-1",
          .headers = a.headers});
    const SpringDeadLetterHeaders audit("orders", 0, 1, "audit", "t-a");
    Send({.topic = "orders.DLT", .partition = 0, .key = "a", .value = "bad-1",
          .headers = audit.headers});
    Send({.topic = "orders.DLT", .partition = 0, .value = "mystery"});
    const SpringDeadLetterHeaders b("orders", 1, 0, "billing", "t-b");
    Send({.topic = "orders.DLT", .partition = 1, .key = "b", .value = "bad-2",
          .headers = b.headers});
    const ConnectDeadLetterHeaders converter("orders", 1, 2, "jdbc-sink");
    Send({.topic = "connect-dlq", .key = "c", .value = "{oops", .headers = converter.headers});
    ConnectDeadLetterHeaders stage_only("orders", 0, 0, "jdbc-sink");
    stage_only.headers.resize(6);  // No exception: a task's put failed.
    stage_only.headers[5].value = "TASK_PUT";
    Send({.topic = "connect-dlq", .key = "d", .value = "row", .headers = stage_only.headers});
  }
  void Send(const ProducerRecord& record) { REQUIRE(producer->Send(record).get().ok()); }
};

TEST_CASE_FIXTURE(KafkaClientsDlqFixture,
                  "dlq list reads Spring Kafka's and Kafka Connect's headers") {
  auto listed = Run({"dlq", "list", "orders.DLT"});
  REQUIRE(listed.exit_code == 0);
  auto rows = Rows(listed.out);
  REQUIRE(rows.size() == 6);  // The header, four records, and the note on unknown ones.
  const std::vector<std::string> spring{"0@0", "spring", "orders-0@1", "a",
                                        "ListenerExecutionFailedException:"};
  CHECK(std::vector<std::string>(rows[1].begin(), rows[1].begin() + 5) == spring);
  CHECK(Contains(listed.out, "ListenerExecutionFailedException: Listen... "));
  CHECK(rows[4][2] == "orders-1@0");
  // The unknown one: what is known, and "-" or "unknown" for the rest.
  REQUIRE(rows[3].size() == 10);
  CHECK(std::vector<std::string>(rows[3].begin(), rows[3].begin() + 7) ==
        std::vector<std::string>{"0@2", "unknown", "unknown", "null", "unknown", "-", "-"});
  CHECK(rows[3][8] == "-");
  CHECK(rows[3][9] == "mystery");
  CHECK(Contains(listed.out,
                 "(1 record(s) of unknown origin: replay cannot know where to send them)"));

  auto json = Run({"dlq", "list", "orders.DLT", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(Contains(json.out, "\"convention\":\"spring\",\"topic\":\"orders\",\"partition\":0,"
                           "\"offset\":1,\"timestamp\":1700000000123,\"key\":\"a\","
                           "\"reason\":\"ListenerExecutionFailedException: Listener failed "
                           "(cause: IllegalStateException)\",\"attempts\":null,"));
  CHECK(Contains(json.out, "\"group\":\"audit\""));
  CHECK(Contains(json.out, "\"convention\":\"unknown\",\"topic\":null,\"partition\":null,"
                           "\"offset\":null,\"timestamp\":null,\"key\":null,\"reason\":null,"));

  auto connect = Run({"dlq", "list", "connect-dlq", "--json"});
  REQUIRE(connect.exit_code == 0);
  CHECK(Contains(connect.out, "\"convention\":\"connect\",\"topic\":\"orders\",\"partition\":1,"
                              "\"offset\":2,\"timestamp\":null,\"key\":\"c\",\"reason\":"
                              "\"DataException: Converting byte[] to Kafka Connect data failed\""));
  CHECK(Contains(connect.out, "\"group\":\"jdbc-sink\",\"member\":\"0\""));
  CHECK(Contains(connect.out, "\"reason\":\"stage TASK_PUT\""));
  auto table = Rows(Run({"dlq", "list", "connect-dlq"}).out);
  REQUIRE(table.size() == 3);
  CHECK(std::vector<std::string>(table[2].begin(), table[2].begin() + 7) ==
        std::vector<std::string>{"0@1", "connect", "orders-0@0", "d", "stage", "TASK_PUT", "-"});
}

TEST_CASE_FIXTURE(KafkaClientsDlqFixture,
                  "dlq stats counts Kafka clients' dead letters, unknown ones apart") {
  auto stats = Run({"dlq", "stats", "orders.DLT"});
  REQUIRE(stats.exit_code == 0);
  CHECK(HasRow(stats.out, {"records", "4"}));
  CHECK(HasRow(stats.out, {"unknown", "origin", "1"}));
  CHECK(HasRow(stats.out, {"orders", "3"}));
  CHECK(HasRow(stats.out, {"unknown", "1"}));
  CHECK(HasRow(stats.out, {"ListenerExecutionFailedException:", "Listener", "failed", "(cause:",
                           "Il...", "3"}));
  auto connect = Run({"dlq", "stats", "connect-dlq"});
  REQUIRE(connect.exit_code == 0);
  CHECK(HasRow(connect.out, {"orders", "2"}));
  CHECK(HasRow(connect.out, {"stage", "TASK_PUT", "1"}));
}

TEST_CASE_FIXTURE(KafkaClientsDlqFixture,
                  "dlq replay sends Kafka clients' dead letters back once, refusing unknown ones") {
  auto dry = Run({"dlq", "replay", "orders.DLT", "--dry-run"});
  CHECK(dry.exit_code == 1);
  CHECK(Contains(dry.out, "orders.DLT-1@0 would go to orders-1"));
  CHECK(Contains(dry.out, "dry run: 3 would be replayed, 1 cannot be; nothing changed"));

  auto replay = Run({"dlq", "replay", "orders.DLT"});
  CHECK(replay.exit_code == 1);  // The unknown one; the others are replayed.
  CHECK(Contains(replay.err,
                 "error: replaying orders.DLT-0@2: its origin is unknown"));
  // orders-0@1 was dead-lettered by two groups: replayed once.
  CHECK(Contains(replay.out, "done: 2 replayed, 1 already replayed, 1 failed"));
  auto again = Run({"dlq", "replay", "orders.DLT"});
  CHECK(Contains(again.out,
                 "4 dead letter(s) in 'orders.DLT' match: 3 replayed before, 1 to replay"));
  CHECK(Contains(again.out, "done: 0 replayed, 3 already replayed, 1 failed"));

  auto connect = Run({"dlq", "replay", "connect-dlq"});
  CHECK(connect.exit_code == 0);
  CHECK(Contains(connect.out, "done: 2 replayed, 0 already replayed, 0 failed"));

  // Each to its original partition, with its key, value and own headers, without the
  // convention's.
  std::map<std::string, testing::StoredRecord> by_source;
  for (const testing::StoredRecord& r : ReadTopic(bootstrap, "orders")) {
    REQUIRE(r.headers.count("brook.replayed-from") == 1);
    CHECK(by_source.emplace(r.headers.at("brook.replayed-from"), r).second);
    for (const auto& [key, value] : r.headers) {
      CHECK_FALSE(key.starts_with("kafka_dlt-"));
      CHECK_FALSE(key.starts_with("__connect.errors."));
    }
  }
  REQUIRE(by_source.size() == 4);
  const testing::StoredRecord& a = by_source.at("orders.DLT-0@0");
  CHECK(a.partition == 0);
  CHECK(a.key == "a");
  CHECK(a.value == "bad-1");
  CHECK(a.headers == std::map<std::string, std::string>{
                         {"trace", "t-a"}, {"brook.replayed-from", "orders.DLT-0@0"}});
  CHECK(by_source.at("orders.DLT-1@0").partition == 1);
  CHECK(by_source.at("connect-dlq-0@0").partition == 1);
  CHECK(by_source.at("connect-dlq-0@0").value == "{oops");
  CHECK(by_source.at("connect-dlq-0@1").partition == 0);

  // Counted under (original topic, group or connector), with nothing dead-lettered by brook.
  auto stats = Run({"dlq", "stats", "orders.DLT"});
  CHECK(HasRow(stats.out, {"orders", "billing", "0", "2"}));
  CHECK(HasRow(stats.out, {"orders", "jdbc-sink", "0", "2"}));
  const auto listed = Rows(Run({"dlq", "list", "orders.DLT"}).out);
  REQUIRE(listed.size() == 6);
  CHECK(listed[2][listed[2].size() - 2] == "orders-0@0");  // The audit group's copy too.
}

}  // namespace
}  // namespace brook
