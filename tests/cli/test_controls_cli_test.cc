// `brook reset`, `brook clock show|mode|advance` and `brook serve --clock manual` as a test
// suite's script uses them, against `brook serve` running as a child process.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/cli/cli_fixture.h"

namespace brook {
namespace {

using testing::CliFixture;
using testing::Contains;
using testing::HasRow;

// The clock's time in ms, from `brook clock ...`'s "ms N" row.
int64_t ClockMs(const std::string& out) {
  for (const auto& row : testing::Rows(out)) {
    if (row.size() == 2 && row[0] == "ms") return std::stoll(row[1]);
  }
  FAIL("no ms row in: " << out);
  return 0;
}

// A broker started with --clock manual.
struct ManualClockFixture {
  testing::TempDir dir;
  testing::ChildBroker broker{dir.path()};
  ManualClockFixture() { REQUIRE(broker.Start({"--clock", "manual"})); }
  testing::CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.push_back("--bootstrap");
    args.push_back(broker.bootstrap());
    return testing::RunBrook(args, input);
  }
};

TEST_CASE_FIXTURE(CliFixture, "reset needs --yes, then deletes every topic and group") {
  REQUIRE(Run({"topic", "create", "orders", "--partitions", "2"}).exit_code == 0);
  REQUIRE(Run({"produce", "orders"}, "a\nb\n").exit_code == 0);
  REQUIRE(Run({"consume", "orders", "--from-beginning", "--count", "2", "--group", "billing"})
              .exit_code == 0);

  auto unconfirmed = Run({"reset"});
  CHECK(unconfirmed.exit_code == 2);
  CHECK(Contains(unconfirmed.err, "deletes every topic"));
  CHECK(Contains(unconfirmed.err, "--yes"));
  CHECK(Run({"topic", "list"}).out == "orders\n");

  auto reset = Run({"reset", "--yes"});
  CHECK(reset.exit_code == 0);
  CHECK(reset.out == "reset the broker at " + bootstrap +
                         ": deleted 1 topic(s) and 1 group(s)\n");
  CHECK(Run({"topic", "list"}).out.empty());
  CHECK(Run({"group", "list"}).out.find("billing") == std::string::npos);
  auto gone = Run({"consume", "orders", "--from-beginning", "--count", "1"});
  CHECK(gone.exit_code == 1);
  CHECK(Contains(gone.err, "does not exist"));
}

TEST_CASE_FIXTURE(CliFixture,
                  "clock: show, mode, advance; bad durations and modes are usage errors") {
  auto shown = Run({"clock", "show"});
  CHECK(shown.exit_code == 0);
  CHECK(HasRow(shown.out, {"mode", "system"}));
  auto refused = Run({"clock", "advance", "1h"});
  CHECK(refused.exit_code == 1);
  CHECK(Contains(refused.err, "switch it to manual first"));

  auto manual = Run({"clock", "mode", "manual"});
  CHECK(manual.exit_code == 0);
  CHECK(HasRow(manual.out, {"mode", "manual"}));
  const int64_t start = ClockMs(manual.out);
  auto advanced = Run({"clock", "advance", "25h"});
  CHECK(advanced.exit_code == 0);
  CHECK(ClockMs(advanced.out) == start + 25 * 3'600'000LL);
  CHECK(ClockMs(Run({"clock", "advance", "1h30m500ms"}).out) ==
        start + 26 * 3'600'000LL + 1'800'000 + 500);
  CHECK(ClockMs(Run({"clock", "show"}).out) == start + 26 * 3'600'000LL + 1'800'500);

  for (const std::string bad : {"25", "5x", "-1h", "1.5h", "h", "1h 2m", "999999999d"}) {
    CAPTURE(bad);
    auto r = Run({"clock", "advance", bad});
    CHECK(r.exit_code == 2);
    CHECK(Contains(r.err, "is not a duration"));
  }
  auto mode = Run({"clock", "mode", "fast"});
  CHECK(mode.exit_code == 2);
  CHECK(Contains(mode.err, "manual or system"));
  CHECK(Run({"clock"}).exit_code == 2);
  CHECK(ClockMs(Run({"clock", "show"}).out) == start + 26 * 3'600'000LL + 1'800'500);

  auto system = Run({"clock", "mode", "system"});
  CHECK(HasRow(system.out, {"mode", "system"}));
  CHECK(ClockMs(system.out) >= start + 26 * 3'600'000LL + 1'800'500);  // Never back.
}

TEST_CASE_FIXTURE(ManualClockFixture,
                  "serve --clock manual: 8 days later a 7-day topic's old records are gone") {
  REQUIRE(HasRow(Run({"clock", "show"}).out, {"mode", "manual"}));
  REQUIRE(Run({"topic", "create", "r", "--config", "retention.ms=604800000"}).exit_code == 0);
  REQUIRE(Run({"produce", "r"}, "old\n").exit_code == 0);
  REQUIRE(Run({"clock", "advance", "2d"}).exit_code == 0);
  // An append past segment.ms (1 hour on the broker's clock) starts a new segment.
  REQUIRE(Run({"produce", "r"}, "new\n").exit_code == 0);
  REQUIRE(Run({"clock", "advance", "6d"}).exit_code == 0);
  CHECK(HasRow(Run({"topic", "describe", "r"}).out, {"0", "1", "2"}));
  auto consumed = Run({"consume", "r", "--from-beginning", "--count", "1", "--format", "%o %v"});
  CHECK(consumed.out == "1 new\n");
}

TEST_CASE("serve --clock takes system or manual only") {
  testing::TempDir dir;
  auto r = testing::RunBrook({"serve", "--clock", "fast", "--data-dir", dir.path(), "--listen",
                              "127.0.0.1:0", "--kafka-listen", "off"});
  CHECK(r.exit_code == 2);
  CHECK(Contains(r.err, "--clock must be system or manual"));
}

}  // namespace
}  // namespace brook
