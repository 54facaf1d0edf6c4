#include "cli/cli_common.h"

#include <algorithm>
#include <chrono>

#include "fmt/chrono.h"
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

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    fmt::print("{}\n", line);
  }
}

std::optional<std::map<std::string, std::string>> ParseKeyValues(
    const std::vector<std::string>& arguments, std::string_view flag) {
  std::map<std::string, std::string> values;
  for (const std::string& kv : arguments) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "error: {} takes KEY=VALUE, got '{}'\n", flag, kv);
      return std::nullopt;
    }
    values[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return values;
}

std::string IsoTime(int64_t ms_since_epoch) {
  if (ms_since_epoch <= 0) return "-";
  const std::chrono::sys_time<std::chrono::milliseconds> t{
      std::chrono::milliseconds(ms_since_epoch)};
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     std::chrono::floor<std::chrono::seconds>(t), ms_since_epoch % 1000);
}

}  // namespace brook::cli
