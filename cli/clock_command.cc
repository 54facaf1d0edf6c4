// `brook clock show|mode|advance`: the broker's clock (Clock), for test suites: a manual clock
// stands still until advanced, and everything the broker times follows it.
#include <memory>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/duration.h"
#include "client/admin.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::cli {
namespace {

struct ClockOptions {
  std::string bootstrap;
  std::string mode;      // clock mode MODE
  std::string duration;  // clock advance DURATION
};

std::string_view ModeName(ClockMode mode) {
  return mode == ClockMode::kManual ? "manual" : "system";
}

void PrintClock(const BrokerClockState& clock) {
  PrintTable({{"mode", std::string(ModeName(clock.mode))},
              {"time", IsoTime(clock.now_ms)},
              {"ms", std::to_string(clock.now_ms)}});
}

// Runs `call` on an Admin of o.bootstrap and prints the clock it answers.
template <class Call>
int WithAdmin(const ClockOptions& o, Call call) {
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<BrokerClockState> clock = call(**admin);
  if (!clock.ok()) return PrintError(clock.status());
  PrintClock(*clock);
  return kExitOk;
}

int SetMode(const ClockOptions& o) {
  if (o.mode != "manual" && o.mode != "system") {
    fmt::print(stderr, "error: the clock's mode is manual or system, not '{}'\n", o.mode);
    return kExitUsage;
  }
  const ClockMode mode = o.mode == "manual" ? ClockMode::kManual : ClockMode::kSystem;
  return WithAdmin(o, [mode](Admin& admin) { return admin.SetClockMode(mode); });
}

int Advance(const ClockOptions& o) {
  absl::StatusOr<std::chrono::milliseconds> by = ParseDuration(o.duration);
  if (!by.ok()) {
    fmt::print(stderr, "error: {}\n", MessageOf(by.status()));
    return kExitUsage;
  }
  return WithAdmin(o, [by = *by](Admin& admin) { return admin.AdvanceClock(by); });
}

}  // namespace

void AddClockCommands(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ClockOptions>();
  CLI::App* clock = app.add_subcommand(
      "clock", "The broker's clock: show it, make it manual, advance it (for test suites)");
  clock->require_subcommand(1);

  CLI::App* show = clock->add_subcommand("show", "Print the clock's mode and time");
  AddBootstrapOption(show, &o->bootstrap);
  show->callback([o, exit_code] {
    *exit_code = WithAdmin(*o, [](Admin& admin) { return admin.GetClock(); });
  });

  CLI::App* mode = clock->add_subcommand(
      "mode", "manual: the clock stands still until advanced; system: it runs on at real "
              "speed from where it stands");
  mode->add_option("MODE", o->mode, "manual or system")->required();
  AddBootstrapOption(mode, &o->bootstrap);
  mode->callback([o, exit_code] { *exit_code = SetMode(*o); });

  CLI::App* advance = clock->add_subcommand(
      "advance", "Move a manual clock forward; returns once retention, compaction and group "
                 "sessions caught up");
  advance->add_option("DURATION", o->duration, "e.g. 500ms, 90s, 15m, 25h, 7d, 1h30m")
      ->required();
  AddBootstrapOption(advance, &o->bootstrap);
  advance->callback([o, exit_code] { *exit_code = Advance(*o); });
}

}  // namespace brook::cli
