#include "cli/cli_common.h"

#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::cli {

void AddBootstrapOption(CLI::App* command, std::string* bootstrap) {
  *bootstrap = "127.0.0.1:9292";
  command->add_option("--bootstrap", *bootstrap, "Broker address, HOST:PORT")
      ->envname("BROOK_BOOTSTRAP")
      ->capture_default_str();
}

int PrintError(const absl::Status& status) {
  fmt::print(stderr, "error: {}\n", MessageOf(status));
  return kExitFailure;
}

}  // namespace brook::cli
