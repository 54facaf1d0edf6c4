// brook: a single-binary event broker. `brook --help` lists the commands.
#include "absl/synchronization/mutex.h"
#include "bench/bench_command.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
#ifdef NDEBUG
  // Debian's abseil checks every Mutex acquisition for lock-order cycles, about 0.7% of the
  // broker's CPU. Release builds skip it; Debug builds, which the tests run, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  CLI::App app{"brook: a single-binary event broker and event store", "brook"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "brook " BROOK_VERSION);
  int exit_code = 0;
  brook::cli::AddServeCommand(app, &exit_code);
  brook::cli::AddTopicCommands(app, &exit_code);
  brook::cli::AddProduceCommand(app, &exit_code);
  brook::cli::AddConsumeCommand(app, &exit_code);
  brook::cli::AddGroupCommands(app, &exit_code);
  brook::cli::AddDlqCommands(app, &exit_code);
  brook::cli::AddResetCommand(app, &exit_code);
  brook::cli::AddClockCommands(app, &exit_code);
  brook::cli::AddFaultCommands(app, &exit_code);
  brook::cli::AddStreamCommands(app, &exit_code);
  brook::bench::AddBenchCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
