// The topic settings the docs list are exactly the ones storage knows: docs/topics.md's table
// and docs/protocol.md's CreateTopics table (a client written from the protocol alone must see
// every key Metadata returns).
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "storage/topic_config.h"

namespace brook::storage {
namespace {

std::string ReadDoc(const std::string& name) {
  std::ifstream in(std::string(BROOK_SOURCE_DIR) + "/docs/" + name);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The first column of the markdown table whose header row starts with `header`: its
// `backquoted` keys.
std::set<std::string> TableKeys(const std::string& doc, const std::string& header) {
  std::set<std::string> keys;
  size_t at = doc.find(header);
  REQUIRE(at != std::string::npos);
  at = doc.find('\n', doc.find('\n', at) + 1);  // Past the header and the |---| rows.
  while (at != std::string::npos) {
    const size_t line_end = doc.find('\n', at + 1);
    const std::string line = doc.substr(at + 1, line_end - at - 1);
    const size_t start = line.find("| `");
    if (start == std::string::npos || line.find_first_not_of(' ') != start) break;
    keys.insert(line.substr(start + 3, line.find('`', start + 3) - start - 3));
    at = line_end;
  }
  return keys;
}

std::set<std::string> StorageKeys() {
  std::set<std::string> keys;
  for (const auto& [key, value] : ConfigEntries(TopicConfig{})) keys.insert(key);
  return keys;
}

TEST_CASE("docs/topics.md lists every topic setting") {
  CHECK(TableKeys(ReadDoc("topics.md"), "| key | default | meaning |") == StorageKeys());
}

TEST_CASE("docs/protocol.md's CreateTopics lists every topic setting") {
  CHECK(TableKeys(ReadDoc("protocol.md"), "| name | default | values |") == StorageKeys());
}

}  // namespace
}  // namespace brook::storage
