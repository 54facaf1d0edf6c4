// protocol/event_record.h: an event read back from its record's key, value and headers; a
// record that is no event is told apart.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/error_codes.h"
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

// A batch of events of `stream` at revisions 0..count-1 and positions first..first+count-1,
// then a plain record.
std::string EventBatch(std::string_view stream, int64_t first, int count, Compression codec) {
  RecordBatchBuilder builder(codec);
  for (int i = 0; i < count; ++i) {
    const std::string position = std::to_string(first + i);
    const std::string revision = std::to_string(i);
    const std::string type = "T" + position;
    const std::vector<HeaderView> headers = {
        {"es.id", kId}, {"es.type", type}, {"es.revision", revision}, {"es.position", position}};
    builder.Append(5, stream, "{}", headers);
  }
  builder.Append(5, "plain", "not an event");
  return builder.Finish();
}

// The types of the events of `record_set` that `selection` takes.
std::vector<std::string> TypesIn(std::string_view record_set, const EventSelection& selection) {
  std::vector<std::string> types;
  absl::Status s = ForEachEvent(record_set, [&](const EventRecord& event) {
    if (selection.Takes(event)) types.push_back(std::string(event.type));
  });
  REQUIRE(s.ok());
  return types;
}

TEST_CASE("event record: the events of record batches a read selects, plain records passed over") {
  const std::string records =
      EventBatch("a", 10, 3, Compression::kNone) + EventBatch("b", 13, 2, Compression::kZstd);
  using V = std::vector<std::string>;
  CHECK(TypesIn(records, {"$all", 0, 100}) == V{"T10", "T11", "T12", "T13", "T14"});
  CHECK(TypesIn(records, {"$all", 11, 14}) == V{"T11", "T12", "T13"});
  CHECK(TypesIn(records, {"$all", 15, 20}).empty());
  CHECK(TypesIn("", {"$all", 0, 100}).empty());
  CHECK(TypesIn(records, {"a", 1, 3}) == V{"T11", "T12"});  // Revisions [1, 3) of a.
  CHECK(TypesIn(records, {"b", 0, 9}) == V{"T13", "T14"});
  CHECK(TypesIn(records, {"a", 1, -1, true}) == V{"T10", "T11"});  // Backwards: (-1, 1].
  CHECK(TypesIn(records, {"c", 0, 9}).empty());
}

TEST_CASE("event record: batches that are cut short or whose CRC does not match are refused") {
  std::string records = EventBatch("a", 0, 2, Compression::kNone);
  const auto none = [](const EventRecord&) {};
  CHECK(CodeOf(ForEachEvent(std::string_view(records).substr(0, records.size() - 1), none)) ==
        ErrorCode::kCorruptMessage);
  records[records.size() - 3] ^= 0x01;  // Inside the plain record's value.
  int seen = 0;
  CHECK(CodeOf(ForEachEvent(records, [&](const EventRecord&) { ++seen; })) ==
        ErrorCode::kCorruptMessage);
  CHECK(seen == 0);
}

}  // namespace
}  // namespace brook
