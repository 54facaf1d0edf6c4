// protocol/json (brook_json): bytes as JSON (text or base64), and messages to JSON and back from their
// Fields(), with the errors a person needs to fix a request.
#include <deque>
#include <string>

#include <doctest/doctest.h>

#include "protocol/json/json.h"
#include "protocol/json/message_json.h"
#include "protocol/messages.h"

namespace brook {
namespace {

// A message with every kind of field the JSON form handles.
struct Sample {
  struct Item {
    int32_t id = 0;
    std::optional<std::string> note;
    template <class V> void Fields(V& v) {
      v(id, "id");
      v(note, "note");
    }
  };
  int8_t small = 0;
  int64_t big = 0;
  bool flag = false;
  std::string name;
  std::string_view data;
  ErrorCode error_code = ErrorCode::kNone;
  std::vector<Item> items;
  std::optional<std::vector<std::string>> maybe;
  template <class V> void Fields(V& v) {
    v(small, "small");
    v(big, "big");
    v(flag, "flag");
    v(name, "name");
    v(data, "data");
    v(error_code, "error_code");
    v(items, "items");
    v(maybe, "maybe");
  }
};

TEST_CASE("bytes are a string when UTF-8, else base64; both read back") {
  CHECK(json::Text(json::Bytes("héllo \"q\"\n")) == R"("héllo \"q\"\n")");
  CHECK(json::Text(json::Bytes(std::string("\xff\x00\x01", 3))) == R"({"base64":"/wAB"})");
  CHECK(json::Text(json::BytesOrNull(std::nullopt)) == "null");
}

TEST_CASE("a message round-trips through JSON, bytes and error codes included") {
  Sample sample;
  sample.small = -3;
  sample.big = 1LL << 40;
  sample.flag = true;
  sample.name = "orders";
  const std::string binary("\x00\xfe", 2);
  sample.data = binary;
  sample.error_code = ErrorCode::kTopicAlreadyExists;
  sample.items = {{1, "a"}, {2, std::nullopt}};
  const std::string text = json::Text(json::MessageToJson(sample));
  CHECK(text ==
        R"({"small":-3,"big":1099511627776,"flag":true,"name":"orders","data":{"base64":"AP4="},)"
        R"("error_code":"TOPIC_ALREADY_EXISTS","items":[{"id":1,"note":"a"},{"id":2,"note":null}],)"
        R"("maybe":null})");
  std::deque<std::string> buffers;
  absl::StatusOr<Sample> back = json::MessageFromJson<Sample>(text, buffers);
  REQUIRE(back.ok());
  CHECK(back->small == -3);
  CHECK(back->big == 1LL << 40);
  CHECK(back->data == binary);
  CHECK(back->error_code == ErrorCode::kTopicAlreadyExists);
  REQUIRE(back->items.size() == 2);
  CHECK(back->items[1].note == std::nullopt);
  CHECK_FALSE(back->maybe.has_value());
}

TEST_CASE("absent fields keep their defaults; text bytes and numeric error codes are read") {
  std::deque<std::string> buffers;
  auto read = json::MessageFromJson<Sample>(R"({"data":"plain text","error_code":36})", buffers);
  REQUIRE(read.ok());
  CHECK(read->data == "plain text");
  CHECK(read->error_code == ErrorCode::kTopicAlreadyExists);
  CHECK(read->name.empty());
  CHECK(read->items.empty());
}

TEST_CASE("mistakes are refused with the field's path") {
  std::deque<std::string> buffers;
  auto error = [&](std::string_view text) {
    absl::StatusOr<Sample> read = json::MessageFromJson<Sample>(text, buffers);
    REQUIRE_FALSE(read.ok());
    CHECK(CodeOf(read.status()) == ErrorCode::kInvalidRequest);
    return std::string(read.status().message());
  };
  CHECK(error(R"({"nmae":"x"})") == R"(the body: unknown field "nmae")");
  CHECK(error(R"({"small":300})") == "small: expected an integer in [-128, 127]");
  CHECK(error(R"({"items":[{"id":"1"}]})") == "items[0].id: expected an integer in [-2147483648, 2147483647]");
  CHECK(error(R"({"items":[{"id":1,"x":2}]})") == R"(items[0]: unknown field "x")");
  CHECK(error(R"({"flag":1})") == "flag: expected true or false");
  CHECK(error(R"({"data":{"base64":"!!"}})") == R"(data: expected a string or {"base64": "..."})");
  CHECK(error(R"({"error_code":"NOPE"})") == "error_code: expected an error code name");
  CHECK(error(R"([1,2])") == "the body: expected an object");
  CHECK(error("{") .rfind("the body is not JSON", 0) == 0);
}

}  // namespace
}  // namespace brook
