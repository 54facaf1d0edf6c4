// `brook bench startup` as a person runs it: a couple of cycles per mode, checked for a clean
// exit and JSON that holds both modes with figures that fit together (no timing thresholds).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include <simdjson.h>

#include "tests/support/run_command.h"

namespace brook {
namespace {

TEST_CASE("bench startup cycles brook serve on disk and in memory; valid JSON") {
  auto result = testing::RunBrook({"bench", "startup", "--runs", "2", "--json"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE_MESSAGE(parser.parse(result.out).get(doc) == simdjson::SUCCESS, result.out);
  CHECK(doc["workload"].get_string().value() == "startup");
  CHECK(doc["runs"].get_int64().value() == 2);
  std::set<std::string> modes;
  for (simdjson::dom::element mode : doc["modes"].get_array()) {
    modes.emplace(mode["mode"].get_string().value());
    const double ready = mode["ready_median_ms"].get_double().value();
    CHECK(ready > 0);
    CHECK(mode["ready_p99_ms"].get_double().value() >= ready);
    // A cycle contains its own spawn -> ready.
    CHECK(mode["cycle_median_ms"].get_double().value() > ready);
    CHECK(mode["broker_cpu_median_ms"].get_double().value() > 0);
  }
  CHECK(modes == std::set<std::string>{"on disk", "in memory"});
}

TEST_CASE("bench startup --mode picks one mode; a bad mode is a usage error") {
  auto memory = testing::RunBrook({"bench", "startup", "--runs", "1", "--mode", "memory"});
  REQUIRE_MESSAGE(memory.exit_code == 0, memory.err);
  CHECK(memory.out.find("in memory") != std::string::npos);
  CHECK(memory.out.find("on disk") == std::string::npos);
  CHECK(testing::RunBrook({"bench", "startup", "--mode", "tape"}).exit_code == 2);
}

}  // namespace
}  // namespace brook
