// protocol/event_record.h: how an event of brook's event store rides in an ordinary record,
// so that brook's and Kafka's consumers of a store topic read it too (docs/event-store.md,
// "How an event is stored"). Frozen: the broker writes it, consumers read it.
//
//   key = the stream id; value = the event's data; timestamp = when the broker appended it;
//   headers (UTF-8 text): es.id (canonical UUID), es.type, es.revision and es.position
//   (decimal), es.content-type and es.metadata (absent when empty), then any others.
//
//   std::optional<EventRecord> event = ReadEventRecord(record.key, record.value,
//                                                      record.headers, record.timestamp);
//   EventSelection taken{.stream = "$all", .first = from, .end = end};
//   absl::Status s = ForEachEvent(record_set, [&](const EventRecord& e) {
//     if (taken.Takes(e)) { ... }
//   });
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "protocol/record_batch.h"

namespace brook {

inline constexpr std::string_view kEventIdHeader = "es.id";
inline constexpr std::string_view kEventTypeHeader = "es.type";
inline constexpr std::string_view kEventRevisionHeader = "es.revision";
inline constexpr std::string_view kEventPositionHeader = "es.position";
inline constexpr std::string_view kEventContentTypeHeader = "es.content-type";
inline constexpr std::string_view kEventMetadataHeader = "es.metadata";
// Only on records produced to a store topic, never stored (docs/event-store.md).
inline constexpr std::string_view kEventExpectedRevisionHeader = "es.expected-revision";

// An event read from its record: views into the record's bytes.
struct EventRecord {
  std::string_view stream;
  int64_t revision = 0;
  int64_t position = 0;
  std::string_view id;  // Canonical UUID text.
  std::string_view type;
  std::string_view content_type;
  std::string_view data;
  std::string_view metadata;
  int64_t timestamp_ms = 0;
};

// The event a record holds; nullopt when the record is no event (no key, or no es.id,
// es.revision or es.position that parses).
std::optional<EventRecord> ReadEventRecord(std::optional<std::string_view> key,
                                           std::optional<std::string_view> value,
                                           std::span<const HeaderView> headers,
                                           int64_t timestamp_ms);

// Calls `fn` with each event of `record_set` (whole batches, as EventRead answers at version
// 1) in the order the batches hold them; records that are no event are passed over. The
// views are valid during the call only.
// Errors: DecodeRecords' (CORRUPT_MESSAGE for a batch whose CRC-32C does not match).
absl::Status ForEachEvent(std::string_view record_set,
                          absl::FunctionRef<void(const EventRecord&)> fn);

// Which events of EventRead's `records` (version 1) a read answered: of $all, those whose
// position is in [first, end); of a stream, its events whose revision is in [first, end)
// forwards, or in (end, first] backwards.
struct EventSelection {
  std::string_view stream;  // A stream id, or "$all".
  int64_t first = 0;
  int64_t end = 0;
  bool backwards = false;

  bool Takes(const EventRecord& event) const;
};

}  // namespace brook
