// `brook stream append|read|subscribe|snapshot|delete`: the event store from the command line
// (docs/event-store.md). This file builds the command group; each command is in its own file.
#include "cli/commands.h"

namespace brook::cli {

void AddStreamCommands(CLI::App& app, int* exit_code) {
  CLI::App* stream = app.add_subcommand(
      "stream", "The event store: append to streams, read them, subscribe, snapshots, delete");
  stream->require_subcommand(1);
  AddStreamAppendCommand(stream, exit_code);
  AddStreamReadCommands(stream, exit_code);
  AddStreamSnapshotCommand(stream, exit_code);
  AddStreamDeleteCommand(stream, exit_code);
}

}  // namespace brook::cli
