// `brook reset --yes`: drops every topic, group, committed offset, dead-letter mark and counter
// and producer state of a running broker (ResetBroker), for test suites.
#include <memory>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "client/admin.h"
#include "fmt/format.h"

namespace brook::cli {
namespace {

struct ResetOptions {
  std::string bootstrap;
  bool yes = false;
};

int Reset(const ResetOptions& o) {
  if (!o.yes) {
    fmt::print(stderr,
               "error: brook reset deletes every topic, consumer group, committed offset and "
               "dead letter of the broker at {}; add --yes to do it\n",
               o.bootstrap);
    return kExitUsage;
  }
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<BrokerResetSummary> reset = (*admin)->ResetBroker();
  if (!reset.ok()) return PrintError(reset.status());
  fmt::print("reset the broker at {}: deleted {} topic(s) and {} group(s)\n", o.bootstrap,
             reset->topics_deleted, reset->groups_deleted);
  return kExitOk;
}

}  // namespace

void AddResetCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ResetOptions>();
  CLI::App* reset = app.add_subcommand(
      "reset", "Delete everything a broker holds (topics, groups, offsets, dead letters), "
               "without a restart: for test suites");
  reset->add_flag("--yes", o->yes, "Confirm: everything is deleted");
  AddBootstrapOption(reset, &o->bootstrap);
  reset->callback([o, exit_code] { *exit_code = Reset(*o); });
}

}  // namespace brook::cli
