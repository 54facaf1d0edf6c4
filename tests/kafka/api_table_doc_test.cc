// docs/kafka.md's API table lists exactly what the Kafka listener serves (and advertises).
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "broker/kafka/api_table.h"
#include "fmt/format.h"

namespace brook::kafka_listener {
namespace {

TEST_CASE("docs/kafka.md's API table matches the Kafka API table") {
  std::ifstream in(std::string(BROOK_SOURCE_DIR) + "/docs/kafka.md");
  REQUIRE(in);
  std::set<std::string> documented;
  const std::regex row(R"(^\| (\d+) \| (\w+) \| (\d+)-(\d+) \|$)");
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, row)) documented.insert(line);
  }
  std::set<std::string> served;
  for (const KafkaApi& api : KafkaApis()) {
    served.insert(fmt::format("| {} | {} | {}-{} |", api.key, api.name, api.min_version,
                              api.max_version));
  }
  for (const std::string& line : served) {
    CHECK_MESSAGE(documented.contains(line), "docs/kafka.md lacks the row: ", line);
  }
  for (const std::string& line : documented) {
    CHECK_MESSAGE(served.contains(line), "docs/kafka.md has a row the code does not serve: ",
                  line);
  }
}

}  // namespace
}  // namespace brook::kafka_listener
