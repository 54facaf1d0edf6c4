// protocol/event_record.h: an event read back from its record's key, value and headers; a
// record that is no event is told apart.
#include <doctest/doctest.h>

#include <vector>

#include "protocol/event_record.h"

namespace brook {
namespace {

constexpr std::string_view kId = "0190b5c2-7d3e-4a8f-9b1c-2d3e4f5a6b7c";

std::vector<HeaderView> EventHeaders() {
  return {{"es.id", kId},          {"es.type", "Deposited"},
          {"es.revision", "3"},    {"es.position", "41"},
          {"traceparent", "00-1"}, {"es.content-type", "application/json"}};
}

TEST_CASE("event record: every field read back from key, value and headers") {
  const std::vector<HeaderView> headers = EventHeaders();
  std::optional<EventRecord> event =
      ReadEventRecord("account-1", R"({"amount":5})", headers, 1700000000000);
  REQUIRE(event.has_value());
  CHECK(event->stream == "account-1");
  CHECK(event->revision == 3);
  CHECK(event->position == 41);
  CHECK(event->id == kId);
  CHECK(event->type == "Deposited");
  CHECK(event->content_type == "application/json");
  CHECK(event->data == R"({"amount":5})");
  CHECK(event->metadata.empty());
  CHECK(event->timestamp_ms == 1700000000000);
}

TEST_CASE("event record: a record without the event's headers, or a key, is no event") {
  std::vector<HeaderView> headers = EventHeaders();
  CHECK_FALSE(ReadEventRecord(std::nullopt, "{}", headers, 0).has_value());
  headers[2].value = "three";  // es.revision that does not parse
  CHECK_FALSE(ReadEventRecord("account-1", "{}", headers, 0).has_value());
  CHECK_FALSE(ReadEventRecord("account-1", "plain", {}, 0).has_value());
}

}  // namespace
}  // namespace brook
