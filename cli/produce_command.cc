#include "cli/commands.h"

namespace brook::cli {
void AddProduceCommand(CLI::App&, int*) {}
}  // namespace brook::cli
