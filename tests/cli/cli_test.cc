// The `brook` CLI as a person uses it, against `brook serve` running as a child process.
#include <doctest/doctest.h>

#include "tests/support/child_broker.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using testing::ChildBroker;
using testing::CommandResult;
using testing::RunBrook;
using testing::TempDir;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct CliFixture {
  TempDir dir;
  ChildBroker broker{dir.path()};
  std::string bootstrap;
  CliFixture() {
    REQUIRE(broker.Start());
    bootstrap = broker.bootstrap();
  }
  CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.push_back("--bootstrap");
    args.push_back(bootstrap);
    return RunBrook(args, input);
  }
};

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
}

TEST_CASE("a client command without a broker says how to fix it") {
  const std::string port = std::to_string(testing::FreePort());
  auto result = RunBrook({"topic", "list", "--bootstrap", "127.0.0.1:" + port});
  CHECK(result.exit_code == 1);
  CHECK(Contains(result.err, "cannot connect to 127.0.0.1:" + port + ": connection refused"));
  CHECK(Contains(result.err, "brook serve"));
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
  CHECK(Contains(json.out, "\"key\":\"bob\",\"value\":\"two\",\"headers\":{\"source\":\"cli\"}"));
}

TEST_CASE_FIXTURE(CliFixture, "consume a partition from an offset; plain output is values") {
  REQUIRE(Run({"topic", "create", "t"}).exit_code == 0);
  REQUIRE(Run({"produce", "t", "--partition", "0", "--acks", "all"}, "a\nb\nc\nd\n").exit_code == 0);
  auto from2 = Run({"consume", "t", "--partition", "0", "--offset", "2", "--count", "2"});
  CHECK(from2.exit_code == 0);
  CHECK(from2.out == "c\nd\n");
  auto format = Run({"consume", "t", "--from-beginning", "--count", "1", "--format", "%p:%o:%v"});
  CHECK(format.out == "0:0:a\n");
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

TEST_CASE("serve refuses a bad listen address and a data dir in use") {
  TempDir dir;
  auto bad = RunBrook({"serve", "--listen", "nonsense", "--data-dir", dir.path()});
  CHECK(bad.exit_code == 2);
  CHECK(Contains(bad.err, "HOST:PORT"));

  ChildBroker running(dir.path());
  REQUIRE(running.Start());
  auto second = RunBrook({"serve", "--listen", "127.0.0.1:" + std::to_string(testing::FreePort()),
                          "--data-dir", dir.path()});
  CHECK(second.exit_code == 1);
  CHECK(Contains(second.err, "another brook"));
}

}  // namespace
}  // namespace brook
