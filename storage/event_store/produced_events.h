// storage/event_store/produced_events.h: records produced to a store topic (Produce, from
// brook's client or any Kafka client) read as event appends, so that a Kafka producer can
// append events with an expected revision. docs/event-store.md ("From a Kafka producer").
//
// A record is an event when it carries an es.type or an es.expected-revision header:
//   key = the stream id (required); value = the event's data (null: empty);
//   es.type (required), es.id (a canonical UUID; made by the store when absent),
//   es.content-type and es.metadata as stored (event_record.h);
//   es.expected-revision: any, no-stream, exists or a revision (protocol/expected_revision.h),
//   checked against the stream's revision just before this record; absent: any.
//   Other headers stay on the stored record; es.revision and es.position are the broker's and
//   are refused.
// A record set either holds only events, in one batch, or none (then it is appended as plain
// records). Consecutive events of one stream make one AppendRequest, cut where a record
// carries an expected revision of its own.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/record_batch.h"
#include "storage/event_store/event_store.h"

namespace brook::storage::events {

// The events of a produced record set. Holds views into itself and into the record set, so
// it is filled in place and never moved.
struct ProducedEvents {
  ProducedEvents() = default;
  ProducedEvents(const ProducedEvents&) = delete;
  ProducedEvents& operator=(const ProducedEvents&) = delete;

  std::string scratch;  // The records, decompressed.
  std::vector<RecordView> records;
  std::vector<std::vector<HeaderView>> other_headers;  // Per record.
  std::vector<NewEvent> events;
  std::vector<AppendRequest> requests;  // Views into `events`.
  ProducerStamp producer;
  Compression compression = Compression::kNone;
};

// Reads `record_set` into *out. Returns false (out unspecified) when none of its records is an
// event. Errors: CORRUPT_MESSAGE and the like for a batch that does not validate;
// INVALID_RECORD (events mixed with plain records, events in more than one batch, an event
// without a key or a type, a bad es.id or es.expected-revision, es.revision or es.position
// given).
absl::StatusOr<bool> ReadProducedEvents(std::string_view record_set, ProducedEvents* out);

}  // namespace brook::storage::events
