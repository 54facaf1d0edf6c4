// tests/support/metrics_text.h: reading the Prometheus text a broker's metrics render
// (EmbeddedBroker::MetricsText), and checking it with promtool as Prometheus would.
//
//   std::optional<double> lag = testing::Sample(text, "brook_group_lag_records",
//                                               {{"group", "billing"}, {"partition", "0"}});
#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "tests/support/run_command.h"

namespace brook::testing {

// The value of the series `name` whose labels include `labels` (the first such line), or
// nullopt. Label values with escapes are not expected in tests.
inline std::optional<double> Sample(const std::string& text, const std::string& name,
                                    const std::map<std::string, std::string>& labels = {}) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t name_end = line.find_first_of("{ ");
    if (line.compare(0, name_end, name) != 0 || name_end != name.size()) continue;
    std::map<std::string, std::string> found;
    size_t value_at = name_end + 1;
    if (line[name_end] == '{') {
      const size_t close = line.find("} ", name_end);
      std::string body = line.substr(name_end + 1, close - name_end - 1);
      for (size_t at = 0; at < body.size();) {
        const size_t eq = body.find("=\"", at);
        const size_t quote = body.find('"', eq + 2);
        found[body.substr(at, eq - at)] = body.substr(eq + 2, quote - eq - 2);
        at = quote + 2;  // Past '",'.
      }
      value_at = close + 2;
    }
    bool match = true;
    for (const auto& [key, value] : labels) {
      auto it = found.find(key);
      match = match && it != found.end() && it->second == value;
    }
    if (match) return std::stod(line.substr(value_at));
  }
  return std::nullopt;
}

// `promtool check metrics` on `text`: its exit code and what it said.
inline CommandResult PromtoolCheck(const std::string& text) {
  return RunProgram({"promtool", "check", "metrics"}, text);
}

}  // namespace brook::testing
