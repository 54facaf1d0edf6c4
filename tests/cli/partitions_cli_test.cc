// `brook topic add-partitions`, `brook topic delete-records` and `brook group delete-offsets`
// as a person uses them, against `brook serve` running as a child process.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "tests/cli/cli_fixture.h"
#include "tests/support/child_process.h"

namespace brook {
namespace {

using testing::CliFixture;
using testing::Contains;
using testing::HasRow;

TEST_CASE_FIXTURE(CliFixture, "topic add-partitions grows a topic; its new partitions take records") {
  REQUIRE(Run({"topic", "create", "orders", "--partitions", "2"}).exit_code == 0);
  auto added = Run({"topic", "add-partitions", "orders", "--partitions", "4"});
  CHECK(added.exit_code == 0);
  CHECK(added.out == "added partitions to topic 'orders': 2 -> 4 partitions\n");
  auto described = Run({"topic", "describe", "orders"});
  CHECK(Contains(described.out, "partitions  4"));
  CHECK(HasRow(described.out, {"3", "0", "0"}));
  REQUIRE(Run({"produce", "orders", "--partition", "3"}, "new\n").exit_code == 0);
  auto consumed = Run({"consume", "orders", "--partition", "3", "--from-beginning", "--count",
                       "1", "--format", "%p %o %v"});
  CHECK(consumed.out == "3 0 new\n");

  auto checked = Run({"topic", "add-partitions", "orders", "-p", "6", "--validate-only"});
  CHECK(checked.exit_code == 0);
  CHECK(checked.out == "validated (nothing changed): topic 'orders': 4 -> 6 partitions\n");
  CHECK(Contains(Run({"topic", "describe", "orders"}).out, "partitions  4"));

  auto same = Run({"topic", "add-partitions", "orders", "--partitions", "4"});
  CHECK(same.exit_code == 1);
  CHECK(same.err == "error: topic 'orders' already has 4 partitions\n");
  auto missing = Run({"topic", "add-partitions", "nope", "--partitions", "4"});
  CHECK(missing.exit_code == 1);
  CHECK(Contains(missing.err, "topic 'nope' does not exist"));
  CHECK(Run({"topic", "add-partitions", "orders"}).exit_code == 2);
}

TEST_CASE_FIXTURE(CliFixture, "topic delete-records moves the log start; consumers start there") {
  REQUIRE(Run({"topic", "create", "d"}).exit_code == 0);
  REQUIRE(Run({"produce", "d", "--acks", "all"}, "l0\nl1\nl2\nl3\nl4\n").exit_code == 0);
  auto deleted = Run({"topic", "delete-records", "d", "--partition", "0", "--before", "3"});
  CHECK(deleted.exit_code == 0);
  CHECK(deleted.out ==
        "deleted the records below offset 3 of d-0: its log start (low watermark) is 3\n");
  CHECK(HasRow(Run({"topic", "describe", "d"}).out, {"0", "3", "5"}));
  auto consumed =
      Run({"consume", "d", "--from-beginning", "--count", "2", "--format", "%o %v"});
  CHECK(consumed.out == "3 l3\n4 l4\n");

  auto above = Run({"topic", "delete-records", "d", "--partition", "0", "--before", "9"});
  CHECK(above.exit_code == 1);
  CHECK(above.err == "error: cannot delete records before offset 9: the log is [3, 5)\n");
  auto all = Run({"topic", "delete-records", "d", "--partition", "0", "--before", "-1"});
  CHECK(all.exit_code == 0);
  CHECK(all.out == "deleted every record of d-0: its log start (low watermark) is 5\n");
  CHECK(HasRow(Run({"topic", "describe", "d"}).out, {"0", "5", "5"}));

  CHECK(Run({"topic", "delete-records", "d", "--partition", "0"}).exit_code == 2);
  CHECK(Run({"topic", "delete-records", "d", "--before", "1"}).exit_code == 2);
  CHECK(Run({"topic", "delete-records", "d", "--partition", "0", "--before", "-2"}).exit_code ==
        2);
}

TEST_CASE_FIXTURE(CliFixture, "group delete-offsets deletes commits, not those a live member reads") {
  REQUIRE(Run({"topic", "create", "t", "--partitions", "2"}).exit_code == 0);
  REQUIRE(Run({"topic", "create", "u"}).exit_code == 0);
  REQUIRE(Run({"produce", "u", "--acks", "all"}, "a\n").exit_code == 0);
  REQUIRE(Run({"produce", "t", "--partition", "0", "--acks", "all"}, "b\n").exit_code == 0);
  REQUIRE(Run({"consume", "u", "--group", "g", "--from-beginning", "--count", "1"}).exit_code ==
          0);
  REQUIRE(Run({"group", "reset-offsets", "g", "--topic", "t", "--to-latest"}).exit_code == 0);

  // A member of g reads t meanwhile.
  const std::string out = dir.path() + "/consume.out", err = dir.path() + "/consume.err";
  testing::ChildProcess member;
  REQUIRE(member.Spawn({"consume", "t", "--group", "g", "--bootstrap", bootstrap}, out, err));
  for (int i = 0; i < 400 && !HasRow(Run({"group", "list"}).out, {"g", "Stable", "1"}); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto refused = Run({"group", "delete-offsets", "g", "--topic", "t"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.out, "error: a live member of group 'g' subscribes to topic 't'"));
  auto deleted = Run({"group", "delete-offsets", "g", "--topic", "u"});
  CHECK(deleted.exit_code == 0);
  CHECK(HasRow(deleted.out, {"TOPIC", "PARTITION", "RESULT"}));
  CHECK(HasRow(deleted.out, {"u", "0", "deleted"}));
  CHECK_FALSE(Contains(Run({"group", "describe", "g"}).out, "\nu "));

  CHECK(member.Signal(SIGINT) == 0);
  auto stopped = Run({"group", "delete-offsets", "g", "--topic", "t", "--partition", "1"});
  CHECK(stopped.exit_code == 0);
  CHECK(HasRow(stopped.out, {"t", "1", "deleted"}));
  CHECK(HasRow(Run({"group", "describe", "g"}).out, {"t", "0", "1", "1", "0", "-"}));

  auto unknown = Run({"group", "delete-offsets", "nope", "--topic", "t"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err == "error: group 'nope' has neither members nor committed offsets\n");
  CHECK(Run({"group", "delete-offsets", "g"}).exit_code == 2);
}

}  // namespace
}  // namespace brook
