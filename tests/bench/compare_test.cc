// `brook bench compare` and `brook bench e2e` as a person runs them: tiny runs against real
// redis-server and nats-server processes (installed by scripts/install-deps), checked for a
// clean exit and JSON that parses and holds every workload and system.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include <simdjson.h>

#include "tests/support/run_command.h"

namespace brook {
namespace {

using testing::RunBrook;

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element doc;
  const auto error = parser.parse(text).get(doc);
  REQUIRE_MESSAGE(error == simdjson::SUCCESS, "not JSON: ", text);
  return doc;
}

TEST_CASE("compare runs every workload on brook, Redis and NATS and prints valid JSON") {
  auto result = RunBrook({"bench", "compare", "--records", "3000", "--runs", "1",
                          "--latency-rate", "2000", "--latency-seconds", "0.5",
                          "--latency-warmup-seconds", "0.25", "--json"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = Parse(parser, result.out);
  std::set<std::string> workloads;
  for (simdjson::dom::element row : doc["rows"].get_array()) {
    workloads.insert(std::string(row["workload"].get_string().value()));
    std::set<std::string> systems;
    for (simdjson::dom::element cell : row["systems"].get_array()) {
      systems.insert(std::string(cell["system"].get_string().value()));
      CHECK(cell["median_records_per_second"].get_double().value() > 0);
    }
    CHECK(systems.contains("brook"));
    CHECK(systems.contains("Redis Streams"));
  }
  CHECK(workloads == std::set<std::string>{"produce", "produce-fsync", "consume", "mixed",
                                           "group-consume"});
  std::set<std::string> latency_systems;
  for (simdjson::dom::element s : doc["latency"]["systems"].get_array()) {
    latency_systems.insert(std::string(s["system"].get_string().value()));
    CHECK(s["median_p99_ms"].get_double().value() > 0);
    for (simdjson::dom::element run : s["runs"].get_array()) {
      CHECK(run["received"].get_int64().value() == 1500);  // 0.75 s at 2,000/s: all arrived.
    }
  }
  CHECK(latency_systems == std::set<std::string>{"brook", "Redis Streams", "NATS JetStream"});
  CHECK(doc["durability"].get_array().size() == 5);
}

TEST_CASE("e2e reports brook's latency percentiles; bad options are usage errors") {
  auto result = RunBrook({"bench", "e2e", "--rate", "2000", "--seconds", "0.5",
                          "--warmup-seconds", "0.2", "--runs", "1", "--json"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = Parse(parser, result.out);
  simdjson::dom::element brook = doc["systems"].at(0);
  CHECK(brook["median_p50_ms"].get_double().value() <= brook["median_p99_ms"].get_double().value());
  CHECK(brook["median_p99_ms"].get_double().value() <= brook["median_max_ms"].get_double().value());
  CHECK(RunBrook({"bench", "compare", "--only", "nonsense"}).exit_code == 2);
  CHECK(RunBrook({"bench", "e2e", "--rate", "0"}).exit_code == 2);
}

}  // namespace
}  // namespace brook
