// The `brook` CLI as a person uses it, against `brook serve` running as a child process.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "tests/cli/cli_fixture.h"
#include "tests/support/child_broker.h"
#include "tests/support/raw_client.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using testing::ChildBroker;
using testing::CliFixture;
using testing::CommandResult;
using testing::Contains;
using testing::HasRow;
using testing::RunBrook;
using testing::Rows;
using testing::TempDir;

TEST_CASE_FIXTURE(CliFixture, "topic create, list, describe and delete") {
  auto created = Run({"topic", "create", "orders", "--partitions", "3", "--config",
                      "retention.ms=86400000"});
  CHECK(created.exit_code == 0);
  CHECK(Contains(created.out, "orders"));
  auto listed = Run({"topic", "list"});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out == "orders\n");
  auto described = Run({"topic", "describe", "orders"});
  CHECK(described.exit_code == 0);
  CHECK(Contains(described.out, "partitions  3"));
  CHECK(Contains(described.out, "retention.ms = 86400000"));
  CHECK(Contains(described.out, "cleanup.policy = delete"));
  auto deleted = Run({"topic", "delete", "orders"});
  CHECK(deleted.exit_code == 0);
  CHECK(Run({"topic", "list"}).out.empty());
}

TEST_CASE_FIXTURE(CliFixture, "errors are clear, on stderr, with a non-zero exit code") {
  auto missing = Run({"topic", "describe", "x"});
  CHECK(missing.exit_code == 1);
  CHECK(Contains(missing.err, "topic 'x' does not exist"));
  CHECK(missing.out.empty());

  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  auto again = Run({"topic", "create", "t"});
  CHECK(again.exit_code == 1);
  CHECK(Contains(again.err, "already exists"));

  auto bad_config = Run({"topic", "create", "u", "--config", "retention.ms=soon"});
  CHECK(bad_config.exit_code == 1);
  CHECK(Contains(bad_config.err, "retention.ms"));

  auto bad_name = Run({"topic", "create", "a/b"});
  CHECK(bad_name.exit_code == 1);
  CHECK(Contains(bad_name.err, "invalid topic name"));

  auto produce_missing = Run({"produce", "nope"}, "hello\n");
  CHECK(produce_missing.exit_code == 1);
  CHECK(Contains(produce_missing.err, "topic 'nope' does not exist"));

  auto usage = RunBrook({"topic", "create"});
  CHECK(usage.exit_code == 2);
  auto bad_acks = Run({"produce", "t", "--acks", "2"}, "x\n");
  CHECK(bad_acks.exit_code == 2);
  auto idempotent_acks1 = Run({"produce", "t", "--acks", "1", "--idempotence"}, "x\n");
  CHECK(idempotent_acks1.exit_code == 2);
  CHECK(Contains(idempotent_acks1.err, "--idempotence needs --acks all"));
}

TEST_CASE_FIXTURE(CliFixture, "produce is idempotent by default; acks 0 or 1 or a flag turn it off") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  CHECK(Run({"produce", "t"}, "a\n").exit_code == 0);
  CHECK(Run({"produce", "t", "--idempotence"}, "b\n").exit_code == 0);
  CHECK(Run({"produce", "t", "--no-idempotence"}, "c\n").exit_code == 0);
  CHECK(Run({"produce", "t", "--acks", "1"}, "d\n").exit_code == 0);
  CHECK(Run({"produce", "t", "--acks", "0", "--no-idempotence"}, "e\n").exit_code == 0);
  auto consumed = Run({"consume", "t", "--from-beginning", "--count", "5", "--timeout-ms", "5000"});
  CHECK(consumed.exit_code == 0);
  CHECK(consumed.out == "a\nb\nc\nd\ne\n");
}

TEST_CASE("a client command without a broker says how to fix it") {
  const std::string port = std::to_string(testing::FreePort());
  auto result = RunBrook({"topic", "list", "--bootstrap", "127.0.0.1:" + port});
  CHECK(result.exit_code == 1);
  CHECK(Contains(result.err, "cannot connect to 127.0.0.1:" + port + ": connection refused"));
  CHECK(Contains(result.err, "brook serve"));
}

TEST_CASE("bench events-floors measures round trips and storage writes") {
  auto result = RunBrook({"bench", "events-floors", "--runs", "1", "--seconds", "0.2",
                          "--clients", "2", "--in-flight", "3", "--batch", "10"});
  REQUIRE(result.exit_code == 0);
  CHECK(Contains(result.out, "2 clients, 1 in flight each"));
  CHECK(Contains(result.out, "2 clients, 3 in flight each"));
  CHECK(Contains(result.out, "appends of 1 event "));
  CHECK(Contains(result.out, "appends of 10 events"));
  // Every figure was measured: no row reads 0.
  CHECK(!Contains(result.out, " 0 round trips/s"));
  CHECK(!Contains(result.out, " 0 events/s"));
}

TEST_CASE_FIXTURE(CliFixture, "produce lines with keys and headers, consume them back") {
  REQUIRE(Run({"topic", "create", "t", "--partitions", "2"}).exit_code == 0);
  auto produced = Run({"produce", "t", "--key-separator", ":", "--header", "source=cli"},
                      "alice:one\nbob:two\nalice:three\n");
  CHECK(produced.exit_code == 0);
  CHECK(Contains(produced.err, "produced 3 records"));

  auto consumed = Run({"consume", "t", "--from-beginning", "--count", "3", "--timeout-ms", "5000",
                       "--format", "%k=%v %h"});
  CHECK(consumed.exit_code == 0);
  // Same key, same partition, in order; both alice records share one partition.
  CHECK(Contains(consumed.out, "alice=one source=cli\n"));
  CHECK(Contains(consumed.out, "bob=two source=cli\n"));
  CHECK(consumed.out.find("alice=one") < consumed.out.find("alice=three"));

  auto json = Run({"consume", "t", "--from-beginning", "--count", "3", "--timeout-ms", "5000", "--json"});
  CHECK(json.exit_code == 0);
  CHECK(Contains(json.out, R"("key":"bob","value":"two","headers":[{"key":"source","value":"cli"}])"));
}

TEST_CASE_FIXTURE(CliFixture, "consume a partition from an offset; plain output is values") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  REQUIRE(Run({"produce", "t", "--partition", "0", "--acks", "all"}, "a\nb\nc\nd\n").exit_code == 0);
  auto from2 = Run({"consume", "t", "--partition", "0", "--offset", "2", "--count", "2"});
  CHECK(from2.exit_code == 0);
  CHECK(from2.out == "c\nd\n");
  auto format = Run({"consume", "t", "--from-beginning", "--count", "1", "--format", "%p:%o:%v"});
  CHECK(format.out == "0:0:a\n");
  auto escaped = Run({"consume", "t", "--from-beginning", "--count", "1", "--format", "100%% %v\\t|"});
  CHECK(escaped.out == "100% a\t|\n");
  // An unknown directive is a usage error naming it and the known ones, not printed literally.
  for (const std::string bad : {"%s", "%v%"}) {
    auto unknown = Run({"consume", "t", "--from-beginning", "--count", "1", "--format", bad});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.out.empty());
    CHECK(Contains(unknown.err, "known directives: %k key, %v value"));
  }
  CHECK(Contains(Run({"consume", "t", "--format", "%s"}).err, "unknown directive %s"));
  auto out_of_range = Run({"consume", "t", "--partition", "0", "--offset", "99", "--timeout-ms", "1000"});
  CHECK(out_of_range.exit_code == 1);
  CHECK(Contains(out_of_range.err, "out"));
}

TEST_CASE_FIXTURE(CliFixture, "consume --timeout-ms exits when nothing arrives") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  auto result = Run({"consume", "t", "--timeout-ms", "300"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  CHECK(Contains(result.err, "consumed 0 records"));
}

TEST_CASE_FIXTURE(CliFixture, "BROOK_BOOTSTRAP sets the broker address") {
  auto result = RunBrook({"topic", "list"}, "", "BROOK_BOOTSTRAP=" + bootstrap);
  CHECK(result.exit_code == 0);
}

TEST_CASE_FIXTURE(CliFixture, "group list, describe, reset-offsets and delete") {
  auto none = Run({"group", "list"});
  CHECK(none.exit_code == 0);
  CHECK(none.out == "no consumer groups\n");

  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  REQUIRE(Run({"produce", "t", "--acks", "all"}, "a\nb\nc\nd\ne\n").exit_code == 0);
  auto consumed = Run({"consume", "t", "--group", "g", "--from-beginning", "--count", "3",
                       "--timeout-ms", "10000"});
  REQUIRE(consumed.exit_code == 0);
  CHECK(consumed.out == "a\nb\nc\n");

  auto listed = Run({"group", "list"});
  CHECK(listed.exit_code == 0);
  CHECK(Rows(listed.out) == std::vector<std::vector<std::string>>{{"GROUP", "STATE", "MEMBERS"},
                                                                  {"g", "Empty", "0"}});
  auto described = Run({"group", "describe", "g"});
  CHECK(described.exit_code == 0);
  CHECK(HasRow(described.out, {"state", "Empty"}));
  CHECK(HasRow(described.out, {"members", "0"}));
  CHECK(HasRow(described.out, {"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER"}));
  CHECK(HasRow(described.out, {"t", "0", "3", "5", "2", "-"}));

  auto dry = Run({"group", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--dry-run"});
  CHECK(dry.exit_code == 0);
  CHECK(HasRow(dry.out, {"TOPIC", "PARTITION", "OLD", "NEW"}));
  CHECK(HasRow(dry.out, {"t", "0", "3", "0"}));
  CHECK(Contains(dry.out, "dry run"));
  CHECK(HasRow(Run({"group", "describe", "g"}).out, {"t", "0", "3", "5", "2", "-"}));

  auto shift = Run({"group", "reset-offsets", "g", "--topic", "t", "--shift-by", "-1"});
  CHECK(shift.exit_code == 0);
  CHECK(HasRow(shift.out, {"t", "0", "3", "2"}));
  auto datetime = Run({"group", "reset-offsets", "g", "--topic", "t", "--to-datetime",
                       "2000-01-01T00:00:00+01:00"});
  CHECK(datetime.exit_code == 0);
  CHECK(HasRow(datetime.out, {"t", "0", "2", "0"}));
  auto clamped = Run({"group", "reset-offsets", "g", "--topic", "t", "--to-offset", "99"});
  CHECK(HasRow(clamped.out, {"t", "0", "0", "5"}));
  auto latest = Run({"group", "reset-offsets", "g", "--topic", "t", "--to-latest"});
  CHECK(HasRow(latest.out, {"t", "0", "5", "5"}));
  CHECK(HasRow(Run({"group", "describe", "g"}).out, {"t", "0", "5", "5", "0", "-"}));

  auto deleted = Run({"group", "delete", "g"});
  CHECK(deleted.exit_code == 0);
  CHECK(deleted.out == "deleted group 'g'\n");
  auto gone = Run({"group", "describe", "g"});
  CHECK(gone.exit_code == 1);
  CHECK(Contains(gone.err, "group 'g'"));
  CHECK(Run({"group", "delete", "g"}).exit_code == 1);
  CHECK(Run({"group", "list"}).out == "no consumer groups\n");
}

TEST_CASE_FIXTURE(CliFixture, "group commands: bad usage exits 2 with a clear message") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  auto no_mode = Run({"group", "reset-offsets", "g", "--topic", "t"});
  CHECK(no_mode.exit_code == 2);
  CHECK(Contains(no_mode.err, "exactly one of --to-earliest"));
  auto two_modes = Run({"group", "reset-offsets", "g", "--topic", "t", "--to-earliest",
                        "--shift-by", "2"});
  CHECK(two_modes.exit_code == 2);
  CHECK(Contains(two_modes.err, "(2 given)"));
  auto bad_time = Run({"group", "reset-offsets", "g", "--topic", "t", "--to-datetime", "noon"});
  CHECK(bad_time.exit_code == 2);
  CHECK(Contains(bad_time.err, "'noon' is not an ISO 8601 date-time"));
  CHECK(Run({"group", "reset-offsets", "g", "--to-latest"}).exit_code == 2);  // No --topic.
  CHECK(Run({"group", "describe"}).exit_code == 2);
  auto mixed = Run({"consume", "t", "--group", "g", "--partition", "0"});
  CHECK(mixed.exit_code == 2);
  CHECK(Contains(mixed.err, "--group"));
  CHECK(Run({"consume", "t", "--group", "g", "--offset", "1"}).exit_code == 2);
}

TEST_CASE_FIXTURE(CliFixture, "consume --group commits what it printed; the next run goes on") {
  REQUIRE(Run({"topic", "create", "t", "--partitions", "2"}).exit_code == 0);
  REQUIRE(Run({"produce", "t", "--partition", "1", "--acks", "all"}, "a\nb\nc\n").exit_code == 0);
  auto first = Run({"consume", "t", "--group", "g", "--from-beginning", "--count", "2",
                    "--timeout-ms", "10000"});
  REQUIRE(first.exit_code == 0);
  CHECK(first.out == "a\nb\n");
  REQUIRE(Run({"produce", "t", "--partition", "1", "--acks", "all"}, "d\n").exit_code == 0);
  auto second = Run({"consume", "t", "--group", "g", "--from-beginning", "--timeout-ms", "2000"});
  CHECK(second.exit_code == 0);
  CHECK(second.out == "c\nd\n");
  CHECK(Contains(second.err, "consumed 2 records"));
  auto third = Run({"consume", "t", "--group", "g", "--from-beginning", "--timeout-ms", "1000"});
  CHECK(third.out.empty());
  CHECK(HasRow(Run({"group", "describe", "g"}).out, {"t", "1", "4", "4", "0", "-"}));
  // Without --from-beginning a new group starts at the log end; it commits its positions,
  // also of the partition that has no records.
  auto fresh = Run({"consume", "t", "--group", "other", "--timeout-ms", "1000"});
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out.empty());
  auto other = Run({"group", "describe", "other"});
  CHECK(HasRow(other.out, {"t", "0", "0", "0", "0", "-"}));
  CHECK(HasRow(other.out, {"t", "1", "4", "4", "0", "-"}));
}

TEST_CASE_FIXTURE(CliFixture, "reset-offsets and delete are refused while the group has members") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  testing::RawClient member(bootstrap);
  JoinGroupRequest join;
  join.group_id = "g";
  join.session_timeout_ms = 60000;
  join.topics = {"t"};
  REQUIRE(member.Send(join, 1));
  auto joined = testing::DecodeReply<JoinGroupResponse>(member.ReadFrame(30000).value_or(""));
  REQUIRE(joined);
  REQUIRE(joined->first.error_code == ErrorCode::kNone);

  auto described = Run({"group", "describe", "g"});
  CHECK(described.exit_code == 0);
  CHECK(HasRow(described.out, {"state", "Stable"}));
  bool member_row = false;  // MEMBER CLIENT-ID HOST TOPICS ASSIGNMENT
  for (const auto& row : Rows(described.out)) {
    if (row.size() == 5 && row[0] == joined->second.member_id) {
      member_row = row[1] == "raw-test" && row[3] == "t" && row[4] == "t-0";
    }
  }
  CHECK(member_row);
  CHECK(HasRow(described.out, {"t", "0", "-", "0", "-", joined->second.member_id}));
  CHECK(HasRow(Run({"group", "list"}).out, {"g", "Stable", "1"}));

  auto reset = Run({"group", "reset-offsets", "g", "--topic", "t", "--to-earliest"});
  CHECK(reset.exit_code == 1);
  CHECK(Contains(reset.err, "group 'g' has 1 live member; stop it before resetting its offsets"));
  auto deleted = Run({"group", "delete", "g"});
  CHECK(deleted.exit_code == 1);
  CHECK(Contains(deleted.err, "group 'g'"));
}

TEST_CASE_FIXTURE(CliFixture, "consume --group stops on SIGINT and leaves the group at once") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  REQUIRE(Run({"produce", "t", "--acks", "all"}, "a\nb\n").exit_code == 0);
  const std::string out = dir.path() + "/consume.out", err = dir.path() + "/consume.err";
  testing::ChildProcess consumer;
  REQUIRE(consumer.Spawn({"consume", "t", "--group", "g", "--from-beginning", "--bootstrap",
                          bootstrap},
                         out, err));
  // Wait until it has printed both records (and so committed them).
  for (int i = 0; i < 400 && testing::ReadFile(out) != "a\nb\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(HasRow(Run({"group", "list"}).out, {"g", "Stable", "1"}));
  CHECK(consumer.Signal(SIGINT) == 0);
  CHECK(testing::ReadFile(out) == "a\nb\n");
  CHECK(testing::ReadFile(err) == "consumed 2 records\n");
  // It left (no session timeout to wait for) and its commit is there.
  CHECK(HasRow(Run({"group", "list"}).out, {"g", "Empty", "0"}));
  CHECK(HasRow(Run({"group", "describe", "g"}).out, {"t", "0", "2", "2", "0", "-"}));
}

TEST_CASE("serve refuses a bad listen address and a data dir in use") {
  TempDir dir;
  auto bad = RunBrook({"serve", "--listen", "nonsense", "--data-dir", dir.path()});
  CHECK(bad.exit_code == 2);
  CHECK(Contains(bad.err, "invalid address 'nonsense': no port; expected host:port"));

  ChildBroker running(dir.path());
  REQUIRE(running.Start());
  auto second = RunBrook({"serve", "--listen", "127.0.0.1:0", "--kafka-listen", "off",
                          "--http-listen", "off", "--data-dir", dir.path()});
  CHECK(second.exit_code == 1);
  CHECK(Contains(second.err, "another brook"));
}

TEST_CASE("serve --topic-default sets the configs of topics that do not set them") {
  TempDir dir;
  auto bad = RunBrook({"serve", "--topic-default", "retention.ms=soon", "--data-dir", dir.path()});
  CHECK(bad.exit_code == 2);
  CHECK(Contains(bad.err, "retention.ms"));
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start({"--topic-default", "retention.ms=3600000", "--topic-default",
                        "segment.bytes=1048576"}));
  const std::string bootstrap = broker.bootstrap();
  REQUIRE(RunBrook({"topic", "create", "d", "--bootstrap", bootstrap}).exit_code == 0);
  REQUIRE(RunBrook({"topic", "create", "o", "--config", "retention.ms=60000", "--bootstrap",
                    bootstrap})
              .exit_code == 0);
  const std::string d = RunBrook({"topic", "describe", "d", "--bootstrap", bootstrap}).out;
  CHECK(Contains(d, "retention.ms = 3600000"));
  CHECK(Contains(d, "segment.bytes = 1048576"));
  CHECK(Contains(RunBrook({"topic", "describe", "o", "--bootstrap", bootstrap}).out,
                 "retention.ms = 60000"));
}

TEST_CASE_FIXTURE(CliFixture, "topic alter changes settings and describe shows them") {
  REQUIRE(Run({"topic", "create", "t", "--config", "retention.ms=1000"}).exit_code == 0);
  auto altered = Run({"topic", "alter", "t", "--config", "cleanup.policy=compact", "--config",
                      "min.compaction.lag.ms=5", "--delete-config", "retention.ms"});
  CHECK(altered.exit_code == 0);
  CHECK(Contains(altered.out, "altered topic 't'"));
  CHECK(Contains(altered.out, "cleanup.policy: delete -> compact\n"));
  CHECK(Contains(altered.out, "min.compaction.lag.ms: 0 -> 5\n"));
  CHECK(Contains(altered.out, "retention.ms: 1000 -> 604800000\n"));

  auto described = Run({"topic", "describe", "t"});
  CHECK(described.exit_code == 0);
  CHECK(Contains(described.out, "cleanup.policy = compact\n"));
  CHECK(Contains(described.out, "min.compaction.lag.ms = 5\n"));
  CHECK(Contains(described.out, "retention.ms = 604800000\n"));
  for (const char* key : {"segment.bytes = ", "segment.ms = ", "max.compaction.lag.ms = ",
                          "delete.retention.ms = ", "min.cleanable.dirty.ratio = ",
                          "retention.bytes = "}) {
    CHECK_MESSAGE(Contains(described.out, key), key);
  }

  auto validated =
      Run({"topic", "alter", "t", "--config", "segment.bytes=4096", "--validate-only"});
  CHECK(validated.exit_code == 0);
  CHECK(Contains(validated.out, "validated (nothing changed)"));
  CHECK(Contains(validated.out, "segment.bytes: 67108864 -> 4096\n"));
  CHECK(Contains(Run({"topic", "describe", "t"}).out, "segment.bytes = 67108864\n"));
}

TEST_CASE_FIXTURE(CliFixture, "topic alter: bad usage exits 2, an invalid config exits 1") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  auto nothing = Run({"topic", "alter", "t"});
  CHECK(nothing.exit_code == 2);
  CHECK(Contains(nothing.err, "--config"));
  auto malformed = Run({"topic", "alter", "t", "--config", "retention.ms"});
  CHECK(malformed.exit_code == 2);
  CHECK(Contains(malformed.err, "KEY=VALUE"));

  auto invalid = Run({"topic", "alter", "t", "--config", "retention.ms=soon"});
  CHECK(invalid.exit_code == 1);
  CHECK(Contains(invalid.err, "retention.ms"));
  CHECK(invalid.out.empty());
  auto unknown = Run({"topic", "alter", "t", "--delete-config", "no.such.key"});
  CHECK(unknown.exit_code == 1);
  CHECK(Contains(unknown.err, "no.such.key"));
  auto missing = Run({"topic", "alter", "nope", "--config", "retention.ms=5"});
  CHECK(missing.exit_code == 1);
  CHECK(Contains(missing.err, "topic 'nope' does not exist"));
}

TEST_CASE_FIXTURE(CliFixture, "topic compact keeps the latest value per key and says what it did") {
  REQUIRE(Run({"topic", "create", "c", "--config", "cleanup.policy=compact"}).exit_code == 0);
  REQUIRE(Run({"produce", "c", "--key-separator", ":", "--acks", "all"},
              "a:1\nb:1\na:2\nb:2\nc:1\n")
              .exit_code == 0);
  // A batch of its own, compacted too: the partition's last record.
  REQUIRE(Run({"produce", "c", "--key-separator", ":", "--acks", "all"}, "end:x\n").exit_code == 0);

  auto compacted = Run({"topic", "compact", "c"});
  CHECK(compacted.exit_code == 0);
  const auto rows = Rows(compacted.out);
  REQUIRE(rows.size() >= 2);
  CHECK(rows[0] == std::vector<std::string>{"PARTITION", "BYTES-READ", "BYTES-WRITTEN",
                                            "RECORDS-REMOVED", "TOMBSTONES-REMOVED",
                                            "CLEANED-UP-TO", "DURATION-MS"});
  REQUIRE(rows[1].size() == 7);
  CHECK(rows[1][0] == "0");
  CHECK(rows[1][3] == "2");
  CHECK(rows[1][4] == "0");
  CHECK(rows[1][5] == "6");  // Up to the log end.
  CHECK(Contains(compacted.out, "compacted topic 'c':"));
  CHECK(Contains(compacted.out, "2 records removed"));
  CHECK(Contains(compacted.out, "MB/s"));

  auto consumed = Run({"consume", "c", "--from-beginning", "--count", "4", "--timeout-ms", "5000",
                       "--format", "%o:%k=%v"});
  CHECK(consumed.exit_code == 0);
  CHECK(consumed.out == "2:a=2\n3:b=2\n4:c=1\n5:end=x\n");

  REQUIRE(Run({"topic", "create", "plain"}).exit_code == 0);
  auto refused = Run({"topic", "compact", "plain"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "plain"));
  CHECK(RunBrook({"topic", "compact"}).exit_code == 2);
}

}  // namespace
}  // namespace brook
