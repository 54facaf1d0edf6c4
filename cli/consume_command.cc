#include "cli/commands.h"

namespace brook::cli {
void AddConsumeCommand(CLI::App&, int*) {}
}  // namespace brook::cli
