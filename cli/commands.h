// cli/: the `brook` binary. main.cc only builds the command tree; each file here adds one
// command group and runs it. Commands print results on stdout, errors on stderr, and return
// the process exit code (0 success, 1 failure, 2 bad usage).
#pragma once

#include "CLI/CLI.hpp"

namespace brook::cli {

// Each adds its subcommand(s) to `app`; when chosen and run, the command stores its exit
// code in *exit_code.
void AddServeCommand(CLI::App& app, int* exit_code);
void AddTopicCommands(CLI::App& app, int* exit_code);
void AddProduceCommand(CLI::App& app, int* exit_code);
void AddConsumeCommand(CLI::App& app, int* exit_code);
void AddGroupCommands(CLI::App& app, int* exit_code);
void AddDlqCommands(CLI::App& app, int* exit_code);
void AddResetCommand(CLI::App& app, int* exit_code);
void AddClockCommands(CLI::App& app, int* exit_code);
void AddFaultCommands(CLI::App& app, int* exit_code);
void AddStreamCommands(CLI::App& app, int* exit_code);

// Commands of their own files that AddTopicCommands and AddGroupCommands add to `brook topic`
// and `brook group`.
void AddTopicAddPartitionsCommand(CLI::App* topic, int* exit_code);
void AddTopicDeleteRecordsCommand(CLI::App* topic, int* exit_code);
void AddGroupDeleteOffsetsCommand(CLI::App* group, int* exit_code);
// `brook stream ...`'s commands (stream_*_command.cc).
void AddStreamAppendCommand(CLI::App* stream, int* exit_code);
void AddStreamReadCommands(CLI::App* stream, int* exit_code);
void AddStreamSnapshotCommand(CLI::App* stream, int* exit_code);
void AddStreamDeleteCommand(CLI::App* stream, int* exit_code);

}  // namespace brook::cli
