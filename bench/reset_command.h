// bench/reset_command.h: `brook bench reset`, how long ResetBroker takes on a broker that a
// test suite filled: --topics topics (one record batch in each partition) and --groups groups
// with a committed offset on every topic, then one timed ResetBroker (the Admin's round trip,
// so the figure is what a test waits for), --runs times; reports the median, p99 and max.
// Against an embedded broker (default) or --bootstrap (which it empties: every run resets it).
#pragma once

#include "CLI/CLI.hpp"

namespace brook::bench {

// Adds `reset` under `bench`; running it stores its exit code in *exit_code.
void AddResetBenchCommand(CLI::App& bench, int* exit_code);

}  // namespace brook::bench
