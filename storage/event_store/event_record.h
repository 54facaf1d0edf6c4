// storage/event_store/event_record.h: how an event rides in an ordinary record, so that brook
// and Kafka consumers of a store topic read it too. Frozen: see docs/event-store.md.
//
// key = the stream id; value = the event's data; timestamp = when the broker appended it;
// headers (UTF-8 text): es.id (canonical UUID), es.type, es.revision and es.position (decimal),
// es.content-type (absent when empty), es.metadata (bytes; absent when empty).
// One append is one record batch, so its events are contiguous offsets of one partition.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/record_batch.h"

namespace brook::storage::events {

inline constexpr std::string_view kIdHeader = "es.id";
inline constexpr std::string_view kTypeHeader = "es.type";
inline constexpr std::string_view kRevisionHeader = "es.revision";
inline constexpr std::string_view kPositionHeader = "es.position";
inline constexpr std::string_view kContentTypeHeader = "es.content-type";
inline constexpr std::string_view kMetadataHeader = "es.metadata";

// An event to append (views into the caller's request).
struct NewEvent {
  std::string id;  // 16 bytes (protocol/event_id.h); made by the store when empty.
  std::string_view type;
  std::string_view content_type;
  std::string_view data;
  std::string_view metadata;
};

// An event as stored.
struct Event {
  std::string stream;
  int64_t revision = 0;
  int64_t position = 0;
  std::string id;  // 16 bytes.
  std::string type;
  std::string content_type;
  std::string data;
  std::string metadata;
  int64_t timestamp_ms = 0;
};

// The batch of one append: `events` (ids set) at revisions first_revision.. and positions
// first_position.., stamped `timestamp_ms`.
std::string EncodeAppendBatch(std::string_view stream, std::span<const NewEvent> events,
                              int64_t first_revision, int64_t first_position,
                              int64_t timestamp_ms);

// The event a record of EncodeAppendBatch holds. Errors: DataLoss when a header is missing
// or not a number.
absl::StatusOr<Event> DecodeEvent(const RecordView& record);

}  // namespace brook::storage::events
