// The benchmark's JSON report as a script reads it: valid JSON with the fields in their order,
// figures rounded to their decimals, and null for what was not measured.
#include "bench/report.h"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

namespace brook::bench {
namespace {

std::vector<std::string> KeysOf(simdjson::dom::object object) {
  std::vector<std::string> keys;
  for (auto field : object) keys.emplace_back(field.key);
  return keys;
}

TEST_CASE("a workload report's JSON keeps its fields, their order and their rounding") {
  WorkloadReport report{.workload = "produce", .target = "host \"a\"\\b", .options = {}, .runs = {}};
  report.options.acks = -1;
  report.runs.push_back({.records = 10, .bytes = 3'000'000, .seconds = 3.0});
  report.runs.push_back({.records = 20, .bytes = 1'000'000, .seconds = 0.1234567891,
                         .server_cpu_seconds = 0.0123456789});
  const std::string text = FormatJson(report);
  CHECK(text.ends_with("}\n"));

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE_MESSAGE(parser.parse(text).get(doc) == simdjson::SUCCESS, text);
  CHECK(KeysOf(doc.get_object().value()) ==
        std::vector<std::string>{"workload", "target", "options", "runs",
                                 "median_records_per_second", "median_megabytes_per_second",
                                 "median_server_cpu_us_per_record"});
  CHECK(doc["target"].get_string().value() == "host \"a\"\\b");
  CHECK(KeysOf(doc["options"].get_object().value()) ==
        std::vector<std::string>{"records", "value_size", "partitions", "producers", "acks",
                                 "idempotent", "batch_bytes", "linger_ms", "compression",
                                 "key_count"});
  CHECK(doc["options"]["acks"].get_string().value() == "all");
  CHECK(doc["options"]["idempotent"].get_bool().value());

  simdjson::dom::element first = doc["runs"].at(0).value();
  CHECK(KeysOf(first.get_object().value()) ==
        std::vector<std::string>{"records", "seconds", "records_per_second", "errors",
                                 "server_cpu_seconds"});
  CHECK(first["records"].get_int64().value() == 10);
  CHECK(first["records_per_second"].get_double().value() == 3.3);  // 3.333.. to 1 decimal.
  CHECK(first["server_cpu_seconds"].is_null());
  simdjson::dom::element second = doc["runs"].at(1).value();
  CHECK(second["seconds"].get_double().value() == 0.123457);  // 6 decimals.
  CHECK(second["records_per_second"].get_double().value() == 162.0);
  CHECK(second["server_cpu_seconds"].get_double().value() == 0.012346);
  // Medians: of 3.33.. and 162.0 records/s; of 1 and 8.1.. MB/s; one CPU figure, 617.28.. us.
  CHECK(doc["median_records_per_second"].get_double().value() == 82.7);
  CHECK(doc["median_megabytes_per_second"].get_double().value() == 4.55);
  CHECK(doc["median_server_cpu_us_per_record"].get_double().value() == 617.2839);
}

TEST_CASE("Rounded and RoundedOrNull") {
  CHECK(Rounded(2.0 / 3, 3).as_double() == 0.667);
  CHECK(Rounded(-1.25, 1).as_double() == -1.3);
  CHECK(RoundedOrNull(-1, 4).is_null());
  CHECK(RoundedOrNull(0, 4).as_double() == 0.0);
}

}  // namespace
}  // namespace brook::bench
