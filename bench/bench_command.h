// bench/: brook's benchmark harness (`brook bench ...`). Contract: a client of brook like any
// other (uses client/ over TCP), plus broker/'s EmbeddedBroker to run against a private broker
// when no --bootstrap is given. Workloads are named and run the same way against any target.
#pragma once

#include "CLI/CLI.hpp"

namespace brook::bench {

// Adds `brook bench` and its workloads to `app`; the chosen one stores its exit code.
void AddBenchCommand(CLI::App& app, int* exit_code);

}  // namespace brook::bench
