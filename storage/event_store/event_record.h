// storage/event_store/event_record.h: events to and from the record batches of a store topic,
// in the record form protocol/event_record.h fixes (then the other headers a produced event
// carried, produced_events.h). One append is one record batch, so its events are contiguous
// offsets of one partition.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/event_record.h"
#include "protocol/record_batch.h"

namespace brook::storage::events {

// An event to append (views into the caller's request).
struct NewEvent {
  std::string id;  // 16 bytes (protocol/event_id.h); made by the store when empty.
  std::string_view type;
  std::string_view content_type;
  std::string_view data;
  std::string_view metadata;
  std::span<const HeaderView> other_headers{};  // Kept on the record, not part of the event.
};

// An event as stored.
struct Event {
  std::string stream;
  int64_t revision = 0;
  int64_t position = 0;
  std::string id;  // Canonical UUID text, as the record's es.id header holds it.
  std::string type;
  std::string content_type;
  std::string data;
  std::string metadata;
  int64_t timestamp_ms = 0;
};

// Events of one stream at consecutive revisions and global positions.
struct StreamRun {
  std::string_view stream;
  std::span<const NewEvent> events;  // Ids set.
  int64_t first_revision = 0;
  int64_t first_position = 0;
};

// The batch of one append: the runs' events in order, stamped `timestamp_ms`, carrying
// `producer` (a produced batch keeps its producer's sequence numbers) and compressed with
// `compression` (as it was produced).
std::string EncodeAppendBatch(std::span<const StreamRun> runs, int64_t timestamp_ms,
                              const ProducerStamp& producer = ProducerStamp(),
                              Compression compression = Compression::kNone);

// The event a record of EncodeAppendBatch holds. Errors: DataLoss when a header is missing
// or not a number.
absl::StatusOr<Event> DecodeEvent(const RecordView& record);

}  // namespace brook::storage::events
