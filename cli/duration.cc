#include "cli/duration.h"

#include <cctype>
#include <cstdint>

#include "fmt/format.h"

namespace brook::cli {
namespace {

constexpr int64_t kMaxMs = 100LL * 365 * 24 * 3600 * 1000;  // 100 years: plenty for a test.

// The unit's length in ms, or 0 when unknown.
int64_t UnitMs(std::string_view unit) {
  if (unit == "ms") return 1;
  if (unit == "s") return 1000;
  if (unit == "m") return 60'000;
  if (unit == "h") return 3'600'000;
  if (unit == "d") return 86'400'000;
  return 0;
}

absl::Status Bad(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      fmt::format("'{}' is not a duration: {} (e.g. 500ms, 90s, 15m, 25h, 7d, 1h30m)", text, why));
}

}  // namespace

absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return Bad(text, "it is empty");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return Bad(text, "expected a number of units (no sign, no spaces)");
    }
    int64_t count = 0;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      count = count * 10 + (text[i] - '0');
      if (count > kMaxMs) return Bad(text, "longer than 100 years");
    }
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return Bad(text, "a number needs a unit (ms, s, m, h or d)");
    const int64_t unit_ms = UnitMs(unit);
    if (unit_ms == 0) return Bad(text, fmt::format("unknown unit '{}' (ms, s, m, h or d)", unit));
    if (count > (kMaxMs - total) / unit_ms) return Bad(text, "longer than 100 years");
    total += count * unit_ms;
  }
  return std::chrono::milliseconds(total);
}

}  // namespace brook::cli
