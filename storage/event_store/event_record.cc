#include "storage/event_store/event_record.h"

#include <optional>
#include <vector>

#include "protocol/event_id.h"

namespace brook::storage::events {

std::string EncodeAppendBatch(std::span<const StreamRun> runs, int64_t timestamp_ms,
                              const ProducerStamp& producer, Compression compression) {
  RecordBatchBuilder builder(compression);
  std::vector<HeaderView> headers;
  for (const StreamRun& run : runs) {
    for (size_t i = 0; i < run.events.size(); ++i) {
      const NewEvent& event = run.events[i];
      const std::string id = FormatEventId(event.id);
      const std::string revision = std::to_string(run.first_revision + static_cast<int64_t>(i));
      const std::string position = std::to_string(run.first_position + static_cast<int64_t>(i));
      headers.clear();
      headers.push_back({kEventIdHeader, id});
      headers.push_back({kEventTypeHeader, event.type});
      headers.push_back({kEventRevisionHeader, revision});
      headers.push_back({kEventPositionHeader, position});
      if (!event.content_type.empty()) headers.push_back({kEventContentTypeHeader, event.content_type});
      if (!event.metadata.empty()) headers.push_back({kEventMetadataHeader, event.metadata});
      headers.insert(headers.end(), event.other_headers.begin(), event.other_headers.end());
      builder.Append(timestamp_ms, run.stream, event.data, headers);
    }
  }
  return builder.Finish(producer);
}

absl::StatusOr<Event> DecodeEvent(const RecordView& record) {
  std::optional<EventRecord> read =
      ReadEventRecord(record.key, record.value, record.headers, record.timestamp);
  if (!read) return absl::DataLossError("a record indexed as an event lacks its es.* headers");
  return Event{.stream = std::string(read->stream),
               .revision = read->revision,
               .position = read->position,
               .id = std::string(read->id),
               .type = std::string(read->type),
               .content_type = std::string(read->content_type),
               .data = std::string(read->data),
               .metadata = std::string(read->metadata),
               .timestamp_ms = read->timestamp_ms};
}

}  // namespace brook::storage::events
