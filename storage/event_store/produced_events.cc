#include "storage/event_store/produced_events.h"

#include <optional>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/event_id.h"
#include "protocol/expected_revision.h"
#include "protocol/messages.h"

namespace brook::storage::events {
namespace {

absl::Status InvalidEvent(size_t index, std::string_view why) {
  return MakeError(ErrorCode::kInvalidRecord,
                   fmt::format("record {} produced to an event store: {}", index, why));
}

bool IsEventRecord(const RecordView& record) {
  for (const HeaderView& header : record.headers) {
    if (header.key == kEventTypeHeader || header.key == kEventExpectedRevisionHeader) return true;
  }
  return false;
}

// The event record `index` holds, its other headers into *others, its expected revision into
// *expected (nullopt: none given).
absl::StatusOr<NewEvent> ReadEvent(size_t index, const RecordView& record,
                                   std::vector<HeaderView>* others,
                                   std::optional<int64_t>* expected) {
  if (!record.key || record.key->empty()) {
    return InvalidEvent(index, "an event needs a key, its stream id");
  }
  NewEvent event;
  event.data = record.value.value_or("");
  for (const HeaderView& header : record.headers) {
    const std::string_view value = header.value.value_or("");
    if (header.key == kEventTypeHeader) {
      event.type = value;
    } else if (header.key == kEventIdHeader) {
      absl::StatusOr<std::string> id = ParseEventId(value);
      if (!id.ok()) return InvalidEvent(index, fmt::format("es.id '{}' is not a UUID", value));
      event.id = *std::move(id);
    } else if (header.key == kEventContentTypeHeader) {
      event.content_type = value;
    } else if (header.key == kEventMetadataHeader) {
      event.metadata = value;
    } else if (header.key == kEventExpectedRevisionHeader) {
      *expected = ParseExpectedRevision(value);
      if (!*expected) {
        return InvalidEvent(index, fmt::format("es.expected-revision '{}' is not {}", value,
                                               kExpectedRevisionHelp));
      }
    } else if (header.key == kEventRevisionHeader || header.key == kEventPositionHeader) {
      return InvalidEvent(index, fmt::format("{} is set by the broker", header.key));
    } else {
      others->push_back(header);
    }
  }
  if (event.type.empty()) return InvalidEvent(index, "an event needs an es.type header");
  return event;
}

}  // namespace

absl::StatusOr<bool> ReadProducedEvents(std::string_view record_set, ProducedEvents* out) {
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(record_set);
  if (!batches.ok()) return batches.status();
  if (batches->size() != 1) {
    // Only a set of one batch can hold events; anything else must hold none of them.
    for (std::string_view batch : *batches) {
      absl::StatusOr<bool> has_events = ReadProducedEvents(batch, out);
      if (!has_events.ok()) return has_events.status();
      if (*has_events) return InvalidEvent(0, "events must come in one record batch per partition");
    }
    return false;
  }
  const std::string_view batch = batches->front();
  absl::StatusOr<BatchSummary> summary = ValidateBatch(batch);
  if (!summary.ok()) return summary.status();
  out->records.clear();
  if (absl::Status s = DecodeRecords(batch, &out->scratch, &out->records); !s.ok()) return s;
  size_t events = 0;
  for (const RecordView& record : out->records) events += IsEventRecord(record) ? 1 : 0;
  if (events == 0) return false;
  if (events != out->records.size()) {
    return InvalidEvent(0, "events (records with es.type) and plain records are mixed");
  }
  out->producer = {ProducerId(summary->header.producer_id),
                   ProducerEpoch(summary->header.producer_epoch), summary->header.base_sequence};
  out->compression = summary->header.compression();
  out->other_headers.assign(out->records.size(), {});
  out->events.clear();
  out->events.reserve(out->records.size());
  // Where each request starts, with its expected revision.
  std::vector<std::pair<size_t, int64_t>> starts;
  for (size_t i = 0; i < out->records.size(); ++i) {
    std::optional<int64_t> expected;
    absl::StatusOr<NewEvent> event =
        ReadEvent(i, out->records[i], &out->other_headers[i], &expected);
    if (!event.ok()) return event.status();
    event->other_headers = out->other_headers[i];
    const bool same_stream = i > 0 && *out->records[i].key == *out->records[i - 1].key;
    if (!same_stream || expected) starts.emplace_back(i, expected.value_or(kExpectAny));
    out->events.push_back(*std::move(event));
  }
  out->requests.clear();
  for (size_t r = 0; r < starts.size(); ++r) {
    const size_t begin = starts[r].first;
    const size_t end = r + 1 < starts.size() ? starts[r + 1].first : out->events.size();
    out->requests.push_back({*out->records[begin].key, starts[r].second,
                             std::span<NewEvent>(out->events).subspan(begin, end - begin)});
  }
  return true;
}

}  // namespace brook::storage::events
