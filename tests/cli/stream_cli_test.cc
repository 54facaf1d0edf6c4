// `brook stream append|read|subscribe|snapshot|delete` as a person uses them, against
// `brook serve` running as a child process: an account's events appended with expected
// revisions, read back in both directions and as JSON, a snapshot, a named subscription that
// resumes where it stopped, a deletion; bad input is a usage error (exit code 2).
#include <doctest/doctest.h>

#include <simdjson.h>

#include "tests/cli/cli_fixture.h"

namespace brook {
namespace {

using testing::CliFixture;
using testing::Contains;

TEST_CASE_FIXTURE(CliFixture, "stream append and read: expected revisions, both directions, JSON") {
  auto opened = Run({"stream", "append", "account-1", "--type", "Opened", "--data",
                     R"({"owner":"ann"})", "--expected-revision", "no-stream"});
  REQUIRE(opened.exit_code == 0);
  CHECK(opened.out == "appended account-1@0..0 (positions 0..0)\n");
  auto conflict = Run({"stream", "append", "account-1", "--type", "Opened", "--data", "{}",
                       "--expected-revision", "no-stream"});
  CHECK(conflict.exit_code == 1);
  CHECK(Contains(conflict.err, "expected no stream, but it is at revision 0"));
  auto deposits = Run({"stream", "append", "account-1", "--type", "Deposited",
                       "--expected-revision", "0", "--json"},
                      "{\"amount\":5}\n{\"amount\":7}\n");
  REQUIRE(deposits.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element result = parser.parse(deposits.out);
  CHECK(int64_t(result["first_revision"]) == 1);
  CHECK(int64_t(result["last_revision"]) == 2);
  CHECK(bool(result["duplicate"]) == false);

  auto read = Run({"stream", "read", "account-1"});
  CHECK(read.exit_code == 0);
  CHECK(read.out ==
        "account-1@0  #0  Opened  {\"owner\":\"ann\"}\n"
        "account-1@1  #1  Deposited  {\"amount\":5}\n"
        "account-1@2  #2  Deposited  {\"amount\":7}\n");
  auto newest = Run({"stream", "read", "account-1", "--backwards", "--limit", "1"});
  CHECK(newest.out == "account-1@2  #2  Deposited  {\"amount\":7}\n");
  auto json = Run({"stream", "read", "$all", "--json", "--type", "Opened"});
  REQUIRE(json.exit_code == 0);
  simdjson::dom::element event = parser.parse(json.out);
  CHECK(std::string_view(event["stream"]) == "account-1");
  CHECK(std::string_view(event["data"]) == R"({"owner":"ann"})");
  CHECK(std::string_view(event["id"]).size() == 36);

  auto missing = Run({"stream", "read", "account-9"});
  CHECK(missing.exit_code == 1);
  CHECK(Contains(missing.err, "stream 'account-9' does not exist"));
}

TEST_CASE_FIXTURE(CliFixture, "stream snapshot, a named subscription that resumes, delete") {
  for (const char* amount : {"1", "2", "3"}) {
    REQUIRE(Run({"stream", "append", "cart-1", "--type", "Added", "--data", amount}).exit_code ==
            0);
  }
  CHECK(Run({"stream", "snapshot", "save", "cart-1", "--revision", "1", "--data", "sum=3"})
            .exit_code == 0);
  auto loaded = Run({"stream", "snapshot", "load", "cart-1"});
  CHECK(loaded.out == "snapshot at revision 1: sum=3\ncart-1@2  #2  Added  3\n");

  auto first = Run({"stream", "subscribe", "$all", "--name", "totals", "--count", "2"});
  CHECK(first.out == "cart-1@0  #0  Added  1\ncart-1@1  #1  Added  2\n");
  auto rest = Run({"stream", "subscribe", "$all", "--name", "totals", "--timeout-ms", "300"});
  CHECK(rest.exit_code == 0);
  CHECK(rest.out == "cart-1@2  #2  Added  3\n");

  CHECK(Run({"stream", "delete", "cart-1", "--truncate-before", "2"}).out ==
        "truncated cart-1 before revision 2 (last revision 2)\n");
  CHECK(Run({"stream", "read", "cart-1"}).out == "cart-1@2  #2  Added  3\n");
  auto stale = Run({"stream", "delete", "cart-1", "--expected-revision", "1"});
  CHECK(stale.exit_code == 1);
  CHECK(Run({"stream", "delete", "cart-1"}).out == "deleted cart-1 at revision 2\n");
  CHECK(Run({"stream", "read", "cart-1"}).exit_code == 1);
}

TEST_CASE_FIXTURE(CliFixture, "stream commands refuse bad input with a usage error") {
  CHECK(Run({"stream", "append", "s", "--type", "T", "--data", "x", "--expected-revision",
             "soon"}).exit_code == 2);
  CHECK(Run({"stream", "append", "s", "--data", "x"}).exit_code == 2);  // No --type.
  CHECK(Run({"stream", "append", "s", "--type", "T"}, "").exit_code == 2);  // Nothing.
  CHECK(Run({"stream", "read", "s", "--category", "c"}).exit_code == 2);
  CHECK(Run({"stream", "read", "$all", "--limit", "0"}).exit_code == 2);
  auto bad_id = Run({"stream", "append", "s", "--type", "T", "--data", "x", "--id", "nope"});
  CHECK(bad_id.exit_code == 1);
  CHECK(Contains(bad_id.err, "is not a UUID"));
  auto reserved = Run({"stream", "append", "$all", "--type", "T", "--data", "x"});
  CHECK(reserved.exit_code == 1);
}

}  // namespace
}  // namespace brook
