// cli/cli_common.h: what every client command shares: the --bootstrap option, how errors
// are printed ("error: <message>" on stderr, exit code 1), and how tables are printed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace brook::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// --bootstrap HOST:PORT, env BROOK_BOOTSTRAP, default 127.0.0.1:9292.
void AddBootstrapOption(CLI::App* command, std::string* bootstrap);

// Prints "error: <status message>" to stderr and returns kExitFailure.
int PrintError(const absl::Status& status);

// Parses KEY=VALUE arguments of option `flag` (e.g. "--config") into a map; nullopt after
// printing "error: --config takes KEY=VALUE, got '...'" to stderr when one is malformed.
std::optional<std::map<std::string, std::string>> ParseKeyValues(
    const std::vector<std::string>& arguments, std::string_view flag);

// "2026-11-25T14:56:18.123Z"; "-" for 0 or less (a time that was not set).
std::string IsoTime(int64_t ms_since_epoch);

// Prints rows on stdout as left-aligned columns two spaces apart (the first row is usually
// the header, e.g. {"GROUP", "STATE", "MEMBERS"}). The last column is not padded.
void PrintTable(const std::vector<std::vector<std::string>>& rows);

}  // namespace brook::cli
