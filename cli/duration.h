// cli/duration.h: durations as people type them on the command line: "500ms", "90s", "25h",
// "7d", or several summed ("1h30m"). Units: ms, s, m (minutes), h, d.
#pragma once

#include <chrono>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook::cli {

// Errors: InvalidArgument naming what is wrong (empty, a number without a unit, an unknown
// unit, a sign, more than 100 years).
absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace brook::cli
