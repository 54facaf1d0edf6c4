// `brook fault add|list|clear` as a person uses them, against `brook serve` running as a child
// process: a rule fires on a command of the same broker, shows in the list with what it did,
// and is cleared; bad input is a usage error (exit code 2).
#include <doctest/doctest.h>

#include "tests/cli/cli_fixture.h"

namespace brook {
namespace {

using testing::CliFixture;
using testing::Contains;
using testing::HasRow;
using testing::Rows;

TEST_CASE_FIXTURE(CliFixture, "fault add arms a rule that fires; list shows it; clear removes it") {
  auto added = Run({"fault", "add", "--api", "CreateTopics", "--listener", "brook", "--topic",
                    "orders", "--error", "NOT_LEADER_OR_FOLLOWER", "--count", "1"});
  REQUIRE(added.exit_code == 0);
  CHECK(added.out == "1\n");
  auto delayed = Run({"fault", "add", "--api", "Fetch", "--delay", "2s", "--share", "30%"});
  CHECK(delayed.out == "2\n");

  auto refused = Run({"topic", "create", "orders", "--partitions", "1"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "injected by fault rule 1"));
  CHECK(Run({"topic", "create", "payments", "--partitions", "1"}).exit_code == 0);
  CHECK(Run({"topic", "create", "orders", "--partitions", "1"}).exit_code == 0);  // Spent.

  auto listed = Run({"fault", "list"});
  CHECK(listed.exit_code == 0);
  CHECK(HasRow(listed.out, {"ID", "LISTENER", "API", "TOPIC", "GROUP", "ACTION", "SHARE",
                            "REMAINING", "MATCHED", "FIRED"}));
  CHECK(HasRow(listed.out, {"1", "brook", "CreateTopics", "orders", "*", "error",
                            "NOT_LEADER_OR_FOLLOWER", "(6)", "100%", "0", "1", "1"}));
  CHECK(HasRow(listed.out, {"2", "any", "Fetch", "*", "*", "delay", "2000ms", "30%", "unlimited",
                            "0", "0"}));

  auto json = Run({"fault", "list", "--json"});
  CHECK(json.exit_code == 0);
  CHECK(json.out ==
        "{\"id\":1,\"listener\":\"brook\",\"api\":\"CreateTopics\",\"topic\":\"orders\","
        "\"group\":null,\"action\":\"error\",\"error_code\":6,"
        "\"error\":\"NOT_LEADER_OR_FOLLOWER\",\"delay_ms\":0,\"share_percent\":100,"
        "\"remaining\":0,\"matched\":1,\"fired\":1}\n"
        "{\"id\":2,\"listener\":\"any\",\"api\":\"Fetch\",\"topic\":null,\"group\":null,"
        "\"action\":\"delay\",\"error_code\":0,\"error\":\"\",\"delay_ms\":2000,"
        "\"share_percent\":30,\"remaining\":-1,\"matched\":0,\"fired\":0}\n");

  auto one = Run({"fault", "clear", "1"});
  CHECK(one.exit_code == 0);
  CHECK(one.out == "cleared 1 fault\n");
  auto again = Run({"fault", "clear", "1"});
  CHECK(again.exit_code == 1);
  CHECK(again.err == "error: no fault rule has id 1\n");
  CHECK(Run({"fault", "clear", "--all"}).out == "cleared 1 fault\n");
  CHECK(Rows(Run({"fault", "list"}).out).size() == 1);  // The header only.
}

TEST_CASE_FIXTURE(CliFixture, "fault add and clear: bad input is a usage error") {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"fault", "add", "--api", "Produce"}, "give exactly one of"},
      {{"fault", "add", "--api", "Produce", "--drop", "--delay", "1s"}, "give exactly one of"},
      {{"fault", "add", "--api", "Produce", "--error", "NOPE"}, "--error takes an error name"},
      {{"fault", "add", "--api", "Produce", "--error", "0"}, "--error takes an error name"},
      {{"fault", "add", "--delay", "soon"}, "--delay takes a duration"},
      {{"fault", "add", "--delay", "0ms"}, "--delay takes a duration"},
      {{"fault", "add", "--drop", "--share", "130%"}, "--share takes a percentage"},
      {{"fault", "add", "--drop", "--listener", "http"}, "--listener is brook, kafka or any"},
      {{"fault", "add", "--drop", "--count", "0"}, "--count"},
      {{"fault", "clear"}, "give a fault ID or --all"},
      {{"fault", "clear", "3", "--all"}, "give a fault ID or --all"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    auto result = Run(c.args);
    CHECK(result.exit_code == 2);
    CHECK(Contains(result.err, c.error));
  }
  // What only the broker can judge fails with its reason (exit code 1).
  auto unknown = Run({"fault", "add", "--api", "Prodce", "--drop"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err == "error: no API 'Prodce' is served by either listener\n");
  auto no_api = Run({"fault", "add", "--error", "NOT_COORDINATOR"});
  CHECK(no_api.exit_code == 1);
  CHECK(no_api.err == "error: an error fault names its API\n");
}

TEST_CASE_FIXTURE(CliFixture, "produce tells at once that the broker refuses records, then fails") {
  REQUIRE(Run({"topic", "create", "t", "--partitions", "1"}).exit_code == 0);
  REQUIRE(Run({"fault", "add", "--api", "Produce", "--error", "STORAGE_ERROR", "--share", "100%"})
              .exit_code == 0);
  auto produced = Run({"produce", "t", "--delivery-timeout-ms", "1500"}, "a\nb\n");
  CHECK(produced.exit_code == 1);
  INFO(produced.err);
  // Not silent while it retries: a warning with the broker's error, once...
  CHECK(Contains(produced.err, "warning: the broker refused records (STORAGE_ERROR: "));
  CHECK(Contains(produced.err, "retrying for up to 1500 ms (--delivery-timeout-ms)"));
  CHECK(produced.err.find("warning:") == produced.err.rfind("warning:"));
  // ...then the failure.
  CHECK(Contains(produced.err, "error: "));
  CHECK_FALSE(Contains(produced.err, "produced 2 records"));
  CHECK(Run({"produce", "t", "--delivery-timeout-ms", "0"}, "a\n").exit_code == 2);
}

}  // namespace
}  // namespace brook
