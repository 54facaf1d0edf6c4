// `brook bench compare`, `brook bench e2e` and the workloads with `--protocol kafka` as a person
// runs them: tiny runs against `brook serve`, real redis-server and nats-server processes
// (installed by scripts/install-deps) and brook's Kafka listener through librdkafka, checked for
// a clean exit and JSON that parses and holds every workload and system.
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

constexpr const char* kKafka = "brook (Kafka listener, librdkafka)";

TEST_CASE("compare runs every workload on brook, its Kafka listener, Redis and NATS; valid JSON") {
  auto result = RunBrook({"bench", "compare", "--records", "3000", "--runs", "1",
                          "--latency-rate", "2000", "--latency-seconds", "0.5",
                          "--latency-warmup-seconds", "0.25", "--json"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = Parse(parser, result.out);
  CHECK(doc["target"].get_string().value() == "child process");
  std::set<std::string> workloads;
  for (simdjson::dom::element row : doc["rows"].get_array()) {
    const std::string workload(row["workload"].get_string().value());
    workloads.insert(workload);
    std::set<std::string> systems;
    for (simdjson::dom::element cell : row["systems"].get_array()) {
      const std::string system(cell["system"].get_string().value());
      systems.insert(system);
      CHECK(cell["median_records_per_second"].get_double().value() > 0);
      // Every server runs in its own process here, so each one's CPU time is measured.
      CHECK_MESSAGE(cell["median_server_cpu_us_per_record"].get_double().value() > 0, system);
      for (simdjson::dom::element run : cell["runs"].get_array()) {
        CHECK(run["server_cpu_seconds"].get_double().value() > 0);
      }
    }
    CHECK(systems.contains("brook"));
    CHECK(systems.contains("Redis Streams"));
    CHECK_MESSAGE(systems.contains(kKafka), workload);
    CHECK(row["ratio_kafka_listener_to"]["brook"].get_double().value() > 0);
    CHECK(row["ratio_kafka_listener_to"]["Redis Streams"].get_double().value() > 0);
    CHECK(row["cpu_ratio_kafka_listener_to_brook"].get_double().value() > 0);
  }
  CHECK(workloads == std::set<std::string>{"produce", "produce-fsync", "consume", "mixed",
                                           "group-consume"});
  std::set<std::string> latency_systems;
  for (simdjson::dom::element s : doc["latency"]["systems"].get_array()) {
    latency_systems.insert(std::string(s["system"].get_string().value()));
    CHECK(s["median_p99_ms"].get_double().value() > 0);
    CHECK(s["median_server_cpu_us_per_record"].get_double().value() > 0);
    for (simdjson::dom::element run : s["runs"].get_array()) {
      CHECK(run["received"].get_int64().value() == 1500);  // 0.75 s at 2,000/s: all arrived.
    }
  }
  CHECK(latency_systems ==
        std::set<std::string>{"brook", kKafka, "Redis Streams", "NATS JetStream"});
  CHECK(doc["durability"].get_array().size() == 5);
}

TEST_CASE("compare --only picks workloads; the table shows the Kafka listener and CPU per record") {
  auto result = RunBrook({"bench", "compare", "--records", "2000", "--runs", "1", "--only",
                          "produce"});
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  CHECK(result.out.find("Kafka listener") != std::string::npos);
  CHECK(result.out.find("Kafka / brook") != std::string::npos);
  CHECK(result.out.find("server CPU, us per record") != std::string::npos);
  CHECK(result.out.find("consume, 1 reader") == std::string::npos);
  CHECK(result.out.find("end-to-end latency") == std::string::npos);
}

TEST_CASE("a workload through the Kafka listener on its own: every throughput workload, e2e") {
  for (const char* workload : {"produce", "consume", "mixed", "group-consume"}) {
    auto result = RunBrook({"bench", workload, "--protocol", "kafka", "--records", "3000",
                            "--runs", "1", "--json"});
    REQUIRE_MESSAGE(result.exit_code == 0, workload, ": ", result.err);
    simdjson::dom::parser parser;
    simdjson::dom::element doc = Parse(parser, result.out);
    CHECK(std::string(doc["target"].get_string().value()).find("Kafka protocol") !=
          std::string::npos);
    CHECK(doc["runs"].at(0)["records"].get_int64().value() == 3000);
    CHECK(doc["runs"].at(0)["errors"].get_int64().value() == 0);
    // An embedded broker shares the bench's process: its CPU is not measured.
    CHECK(doc["median_server_cpu_us_per_record"].is_null());
  }
  auto e2e = RunBrook({"bench", "e2e", "--protocol", "kafka", "--rate", "2000", "--seconds",
                       "0.5", "--warmup-seconds", "0.2", "--runs", "1", "--json"});
  REQUIRE_MESSAGE(e2e.exit_code == 0, e2e.err);
  simdjson::dom::parser parser;
  simdjson::dom::element system = Parse(parser, e2e.out)["systems"].at(0);
  CHECK(system["system"].get_string().value() == kKafka);
  CHECK(system["runs"].at(0)["received"].get_int64().value() == 1400);
  CHECK(RunBrook({"bench", "produce", "--protocol", "amqp"}).exit_code == 2);
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
