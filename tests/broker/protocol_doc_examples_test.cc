// docs/protocol.md's byte examples, checked against the code and a real broker: a client
// written from the document alone sends and reads exactly these bytes.
#include <doctest/doctest.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <tuple>
#include <string>

#include "broker/embedded_broker.h"
#include "protocol/message_codec.h"
#include "protocol/record_batch.h"
#include "tests/broker/call.h"
#include "tests/support/batches.h"
#include "tests/support/raw_client.h"

namespace brook {
namespace {

using testing::Call;
using testing::RawClient;

std::string ProtocolDoc() {
  std::ifstream in(std::string(BROOK_SOURCE_DIR) + "/docs/protocol.md");
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool IsHexByte(const std::string& token) {
  return token.size() == 2 && std::isxdigit(static_cast<unsigned char>(token[0])) &&
         std::isxdigit(static_cast<unsigned char>(token[1]));
}

// The bytes of the first ```text block after `marker`: on each line, the two-digit hex tokens
// before the first other token (the annotation).
std::string ExampleBytes(const std::string& doc, const std::string& marker) {
  size_t at = doc.find(marker);
  REQUIRE_MESSAGE(at != std::string::npos, marker);
  at = doc.find("```text\n", at);
  REQUIRE(at != std::string::npos);
  at += 8;
  const size_t end = doc.find("```", at);
  std::string bytes;
  while (at < end) {
    const size_t line_end = doc.find('\n', at);
    std::istringstream line(doc.substr(at, line_end - at));
    for (std::string token; line >> token && IsHexByte(token);) {
      bytes.push_back(static_cast<char>(std::stoi(token, nullptr, 16)));
    }
    at = line_end + 1;
  }
  return bytes;
}

TEST_CASE("section 3's ApiVersions request is answered by a real broker") {
  const std::string doc = ProtocolDoc();
  const std::string request = ExampleBytes(doc, "Example: an ApiVersions request");
  REQUIRE(request.size() == 18);
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(client.SendBytes(request));
  std::optional<std::string> payload = client.ReadFrame();
  REQUIRE(payload);
  std::string_view body;
  absl::StatusOr<ResponseHeader> header = ParseResponseHeader(*payload, &body);
  REQUIRE(header.ok());
  CHECK(header->correlation_id == 1);
  CHECK(header->error_code == ErrorCode::kNone);
  absl::StatusOr<ApiVersionsResponse> answer = DecodeMessage<ApiVersionsResponse>(body, 0);
  REQUIRE(answer.ok());
  CHECK(answer->api_keys.size() == std::tuple_size_v<AllRequests>);
}

TEST_CASE("section 3's response examples decode exactly") {
  const std::string doc = ProtocolDoc();
  const std::string ok = ExampleBytes(doc, "A successful response advertising Produce and Fetch");
  REQUIRE(DecodeFrameLength(ok.substr(0, 4)) == ok.size() - 4);
  const std::string ok_payload = ok.substr(4);  // `body` views into it.
  std::string_view body;
  absl::StatusOr<ResponseHeader> header = ParseResponseHeader(ok_payload, &body);
  REQUIRE(header.ok());
  CHECK(header->correlation_id == 1);
  absl::StatusOr<ApiVersionsResponse> answer = DecodeMessage<ApiVersionsResponse>(body, 0);
  REQUIRE(answer.ok());
  REQUIRE(answer->api_keys.size() == 2);
  CHECK(answer->api_keys[1].api_key == 1);
  CHECK(answer->broker_version == "brook 0.1.0");

  const std::string error = ExampleBytes(doc, "A request-level error (correlation_id 2");
  REQUIRE(DecodeFrameLength(error.substr(0, 4)) == error.size() - 4);
  const std::string error_payload = error.substr(4);
  header = ParseResponseHeader(error_payload, &body);
  REQUIRE(header.ok());
  CHECK(header->correlation_id == 2);
  CHECK(header->error_code == ErrorCode::kUnsupportedVersion);
  CHECK(header->error_message == "v1");
  CHECK(body.empty());
}

TEST_CASE("section 7.5's batch is what RecordBatchBuilder makes, and the broker keeps it") {
  const std::string doc = ProtocolDoc();
  const std::string batch = ExampleBytes(doc, "### 7.5 Example");
  REQUIRE(batch.size() == 83);
  // The annotated listing right after it holds the same bytes.
  CHECK(ExampleBytes(doc, "generated with\n`protocol/record_batch.h`") == batch);
  RecordBatchBuilder builder;
  const HeaderView trace{"trace", "t1"};
  builder.Append(1700000000000, "k", "hello", std::span(&trace, 1));
  CHECK(builder.Finish() == batch);

  // Appended at log end 42, it is served with baseOffset 42 and the same bytes otherwise.
  EmbeddedBroker broker;
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  std::vector<std::string> filler(42, "x");
  const std::string first = testing::MakeBatch(filler);
  ProduceRequest produce;
  produce.acks = kAcksLeader;
  produce.topics.push_back({"t", {{0, first}}});
  Call(client, produce);
  produce.topics[0].partitions[0].records = batch;
  CHECK(Call(client, produce).second.topics[0].partitions[0].base_offset == 42);
  FetchRequest fetch;
  fetch.topics.push_back({"t", {{0, 42, 1 << 20}}});
  auto fetched = Call(client, fetch);
  const std::string served(fetched.second.topics[0].partitions[0].records);
  REQUIRE(served.size() == batch.size());
  CHECK(served.substr(0, 8) == std::string("\0\0\0\0\0\0\0\x2a", 8));
  CHECK(served.substr(8) == batch.substr(8));
}

}  // namespace
}  // namespace brook
