#include "bench/bench_command.h"

namespace brook::bench {
void AddBenchCommand(CLI::App&, int*) {}
}  // namespace brook::bench
