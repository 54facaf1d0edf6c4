// tests/cli/cli_fixture.h: `brook serve` as a child process and `brook` commands run against
// it, plus helpers to compare printed tables by their cells.
#pragma once

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_broker.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace brook::testing {

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The lines of `text` split into words: tables are compared by their cells, not spacing.
inline std::vector<std::vector<std::string>> Rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string>& row = rows.emplace_back();
    for (std::string word; words >> word;) row.push_back(word);
  }
  return rows;
}

inline bool HasRow(const std::string& text, const std::vector<std::string>& row) {
  for (const auto& r : Rows(text)) {
    if (r == row) return true;
  }
  return false;
}

struct CliFixture {
  TempDir dir;
  ChildBroker broker{dir.path()};
  std::string bootstrap;
  CliFixture() {
    REQUIRE(broker.Start());
    bootstrap = broker.bootstrap();
  }
  CommandResult Run(std::vector<std::string> args, const std::string& input = "") {
    args.push_back("--bootstrap");
    args.push_back(bootstrap);
    return RunBrook(args, input);
  }
};

}  // namespace brook::testing
