// The CLI's --json output on records whose bytes are not plain text: keys, values and header
// values that are not UTF-8, or hold quotes and control characters, printed by `brook consume
// --json` and `brook dlq list --json`, read back with a JSON parser of another library
// (simdjson), as a script would, and decoded to the very bytes sent (docs/http-api.md,
// "Conventions").
#include <doctest/doctest.h>

#include <simdjson.h>

#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "client/producer.h"
#include "tests/cli/cli_fixture.h"
#include "tests/support/dead_letter_headers.h"

namespace brook {
namespace {

using testing::CliFixture;

const std::string kNotUtf8("k\xff\xfe\0\xc3\x28", 6);         // Invalid UTF-8, with a NUL.
const std::string kControls = "say \"hi\"\\\n\t\x01\x1f end \xc3\xa9";  // Valid UTF-8.

// The bytes a field holds: a string as is, or {"base64": ...} decoded. Fails the test on
// anything else.
std::string BytesOf(simdjson::dom::element field) {
  std::string_view text;
  if (field.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  simdjson::dom::object object;
  REQUIRE(field.get_object().get(object) == simdjson::SUCCESS);
  REQUIRE(object.size() == 1);
  std::string_view encoded;
  REQUIRE(object["base64"].get_string().get(encoded) == simdjson::SUCCESS);
  std::string decoded;
  REQUIRE(absl::Base64Unescape(std::string(encoded), &decoded));
  return decoded;
}

bool IsBase64Object(simdjson::dom::element field) { return field.is_object(); }

// Two records on partition 0 of a topic, and the CLI's JSON lines for them.
struct BinaryFixture : CliFixture {
  std::unique_ptr<Producer> producer;
  std::vector<simdjson::dom::parser> parsers;  // One per line: a parser reuses its memory.

  BinaryFixture() {
    auto created = Producer::Create({.bootstrap = bootstrap, .acks = -1});
    REQUIRE(created.ok());
    producer = std::move(*created);
  }
  // Key not UTF-8 and value with quotes and control characters, with `headers`; then the
  // other way round, without headers.
  void SendBoth(std::string_view topic, std::span<const HeaderView> headers) {
    REQUIRE(Run({"topic", "create", std::string(topic)}).exit_code == 0);
    for (const ProducerRecord& record :
         {ProducerRecord{.topic = topic, .partition = 0, .key = kNotUtf8, .value = kControls,
                         .headers = headers},
          ProducerRecord{.topic = topic, .partition = 0, .key = kControls, .value = kNotUtf8}}) {
      REQUIRE(producer->Send(record).get().ok());
    }
  }
  // Runs `args`, each line of whose output must be one JSON object, and checks that they are
  // the two records of SendBoth, bytes for bytes.
  std::vector<simdjson::dom::element> RunJson(const std::vector<std::string>& args) {
    auto result = Run(args);
    REQUIRE(result.exit_code == 0);
    std::vector<std::string> lines;
    std::istringstream in(result.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() == 2);
    parsers = std::vector<simdjson::dom::parser>(lines.size());
    std::vector<simdjson::dom::element> records;
    for (size_t i = 0; i < lines.size(); ++i) {
      simdjson::dom::element doc;
      REQUIRE_MESSAGE(parsers[i].parse(lines[i]).get(doc) == simdjson::SUCCESS, "not JSON: ", lines[i]);
      records.push_back(doc);
    }
    CHECK(IsBase64Object(records[0]["key"]));
    CHECK(BytesOf(records[0]["key"]) == kNotUtf8);
    CHECK(records[0]["value"].is_string());
    CHECK(BytesOf(records[0]["value"]) == kControls);
    CHECK(BytesOf(records[1]["key"]) == kControls);
    CHECK(IsBase64Object(records[1]["value"]));
    CHECK(BytesOf(records[1]["value"]) == kNotUtf8);
    // Readable bytes stay a string, escaped only where JSON needs it.
    CHECK(testing::Contains(lines[0], R"("value":"say \"hi\"\\\n\t\u0001\u001f end )"));
    return records;
  }
};

TEST_CASE_FIXTURE(BinaryFixture, "consume --json prints binary and control bytes as valid JSON") {
  // Headers as Kafka has them: in order, a key twice, a key that is not UTF-8.
  const std::vector<HeaderView> headers{
      {"raw", kNotUtf8}, {"text", kControls}, {"none", {}}, {"text", "again"}, {kNotUtf8, "k"}};
  SendBoth("bin", headers);
  const auto records = RunJson({"consume", "bin", "--from-beginning", "--count", "2",
                                "--timeout-ms", "5000", "--json"});
  const simdjson::dom::element first = records[0];
  CHECK(first["topic"].get_string().value() == "bin");
  CHECK(first["offset"].get_int64().value() == 0);
  simdjson::dom::array printed;
  REQUIRE(first["headers"].get(printed) == simdjson::SUCCESS);
  REQUIRE(printed.size() == headers.size());
  size_t i = 0;
  for (simdjson::dom::element header : printed) {
    INFO("header ", i);
    CHECK(BytesOf(header["key"]) == headers[i].key);
    if (headers[i].value) {
      CHECK(BytesOf(header["value"]) == *headers[i].value);
    } else {
      CHECK(header["value"].is_null());
    }
    ++i;
  }
  CHECK(IsBase64Object(printed.at(0)["value"]));
  CHECK(IsBase64Object(printed.at(4)["key"]));
  CHECK(records[1]["headers"].get_array().size() == 0);
}

TEST_CASE_FIXTURE(BinaryFixture, "dlq list --json prints binary keys, values and headers as valid JSON") {
  const testing::SpringDeadLetterHeaders spring("orders", 0, 7, kNotUtf8);
  SendBoth("orders.DLT", spring.headers);
  const auto records = RunJson({"dlq", "list", "orders.DLT", "--json"});
  const simdjson::dom::element spring_letter = records[0];
  CHECK(spring_letter["convention"].get_string().value() == "spring");
  CHECK(spring_letter["offset"].get_int64().value() == 7);
  // The consumer group came from a header value that is not UTF-8.
  CHECK(IsBase64Object(spring_letter["group"]));
  CHECK(BytesOf(spring_letter["group"]) == kNotUtf8);
  CHECK(records[1]["convention"].get_string().value() == "unknown");
  CHECK(records[1]["group"].is_null());
}

}  // namespace
}  // namespace brook
