// bench/startup_command.h: `brook bench startup`: --runs cycles of the startup workload
// (bench/startup_workload.h) with the broker on disk and in memory, reported as the median
// and p99 of spawn -> ready and of the whole cycle.
#pragma once

#include "CLI/CLI.hpp"

namespace brook::bench {

// Adds `startup` under `bench`; running it stores its exit code in *exit_code.
void AddStartupCommand(CLI::App& bench, int* exit_code);

}  // namespace brook::bench
