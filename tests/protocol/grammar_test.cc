// Checks that docs/protocol.md shows exactly the grammar the code encodes.
//
// For every request of AllRequests and its response, at every version from 0 to kMaxVersion,
// the document must contain the fenced block
//
//   ```
//   <ApiName>Request (api_key <key>, version <version>)
//   <MessageGrammar<T>(version), verbatim>
//   ```
//
// and every fenced block in the document whose first line has that shape must be one of the
// generated blocks (so a stale copy elsewhere in the document fails too). On failure the test
// prints the expected block, ready to paste. The table of APIs and versions in section 9 must
// list exactly the APIs of AllRequests (what the broker serves and ApiVersions advertises).
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "protocol/message_codec.h"
#include "protocol/messages.h"

#ifndef BROOK_SOURCE_DIR
#error "BROOK_SOURCE_DIR must name the source tree (see tests/protocol/CMakeLists.txt)"
#endif

namespace brook {
namespace {

constexpr char kFence[] = "```";

std::string ReadDoc() {
  const std::string path = std::string(BROOK_SOURCE_DIR) + "/docs/protocol.md";
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read ", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Title(std::string_view type, ApiKey key, int16_t version) {
  return std::string(type) + " (api_key " + std::to_string(static_cast<int>(key)) +
         ", version " + std::to_string(version) + ")";
}

// The block's text, from its title line to its last grammar line (each ending in '\n').
template <class M>
std::string Block(std::string_view type, ApiKey key, int16_t version) {
  return Title(type, key, version) + "\n" + MessageGrammar<M>(version);
}

// title -> block text (without fences), for every message at every version.
std::map<std::string, std::string> ExpectedBlocks() {
  std::map<std::string, std::string> blocks;
  std::apply(
      [&](auto... requests) {
        auto add = [&]<class R>(R*) {
          const std::string name(ApiName(R::kApiKey));
          for (int16_t v = 0; v <= R::kMaxVersion; ++v) {
            blocks[Title(name + "Request", R::kApiKey, v)] =
                Block<R>(name + "Request", R::kApiKey, v);
            blocks[Title(name + "Response", R::kApiKey, v)] =
                Block<typename R::Response>(name + "Response", R::kApiKey, v);
          }
        };
        (add(static_cast<decltype(requests)*>(nullptr)), ...);
      },
      AllRequests{});
  return blocks;
}

// Every fenced block of the document: its text between the fence lines.
std::vector<std::string> FencedBlocks(const std::string& doc) {
  std::vector<std::string> blocks;
  std::istringstream in(doc);
  std::string line;
  std::string current;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind(kFence, 0) == 0) {
      if (inside) blocks.push_back(current);
      inside = !inside;
      current.clear();
    } else if (inside) {
      current += line + "\n";
    }
  }
  return blocks;
}

TEST_CASE("grammar: docs/protocol.md contains every message's generated grammar") {
  const std::string doc = ReadDoc();
  const std::map<std::string, std::string> expected = ExpectedBlocks();
  const size_t messages = std::apply(
      [](auto... requests) { return (size_t{0} + ... + (2 * (decltype(requests)::kMaxVersion + 1))); },
      AllRequests{});
  CHECK(expected.size() == messages);
  for (const auto& [title, block] : expected) {
    const std::string fenced = std::string(kFence) + "\n" + block + kFence + "\n";
    CHECK_MESSAGE(doc.find(fenced) != std::string::npos,
                  "docs/protocol.md lacks this block; paste it:\n", fenced);
  }
}

TEST_CASE("grammar: every message block in docs/protocol.md is current") {
  const std::map<std::string, std::string> expected = ExpectedBlocks();
  const std::regex title(R"(^\w+ \(api_key -?\d+, version -?\d+\)$)");
  int message_blocks = 0;
  for (const std::string& block : FencedBlocks(ReadDoc())) {
    const std::string first = block.substr(0, block.find('\n'));
    if (!std::regex_match(first, title)) continue;
    ++message_blocks;
    auto it = expected.find(first);
    CHECK_MESSAGE(it != expected.end(), "docs/protocol.md has a block for an unknown message: ",
                  first);
    if (it == expected.end()) continue;
    CHECK_MESSAGE(block == it->second, "docs/protocol.md has a stale block for ", first,
                  "; replace it with:\n", kFence, "\n", it->second, kFence);
  }
  CHECK(message_blocks >= static_cast<int>(expected.size()));
}

TEST_CASE("grammar: the API table of docs/protocol.md lists every API and its versions") {
  const std::string kEnDash = "\xe2\x80\x93";  // UTF-8 of U+2013, the table's dash.
  std::set<std::string> expected;
  std::apply(
      [&](auto... requests) {
        (expected.insert("| " + std::to_string(static_cast<int>(decltype(requests)::kApiKey)) +
                         " | " + std::string(ApiName(decltype(requests)::kApiKey)) +
                         " | 0" + kEnDash + std::to_string(decltype(requests)::kMaxVersion) +
                         " |"),
         ...);
      },
      AllRequests{});
  const std::regex row(std::string(R"(^\| \d+ \| \w+ \| \d+)") + kEnDash + R"(\d+ \|$)");
  std::set<std::string> documented;
  std::istringstream in(ReadDoc());
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, row)) documented.insert(line);
  }
  CHECK(documented == expected);
}

}  // namespace
}  // namespace brook
