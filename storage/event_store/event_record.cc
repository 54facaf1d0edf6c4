#include "storage/event_store/event_record.h"

#include <charconv>
#include <optional>
#include <vector>

#include "protocol/event_id.h"

namespace brook::storage::events {
namespace {

std::optional<int64_t> ParseDecimal(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

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
      headers.push_back({kIdHeader, id});
      headers.push_back({kTypeHeader, event.type});
      headers.push_back({kRevisionHeader, revision});
      headers.push_back({kPositionHeader, position});
      if (!event.content_type.empty()) headers.push_back({kContentTypeHeader, event.content_type});
      if (!event.metadata.empty()) headers.push_back({kMetadataHeader, event.metadata});
      headers.insert(headers.end(), event.other_headers.begin(), event.other_headers.end());
      builder.Append(timestamp_ms, run.stream, event.data, headers);
    }
  }
  return builder.Finish(producer);
}

absl::StatusOr<Event> DecodeEvent(const RecordView& record) {
  Event event;
  event.stream = std::string(record.key.value_or(""));
  event.data = std::string(record.value.value_or(""));
  event.timestamp_ms = record.timestamp;
  bool has_id = false, has_revision = false, has_position = false;
  for (const HeaderView& header : record.headers) {
    const std::string_view value = header.value.value_or("");
    if (header.key == kIdHeader) {
      // Written by EncodeAppendBatch (FormatEventId): canonical text, kept as it is.
      if (value.size() != kEventIdTextBytes) break;
      event.id = std::string(value);
      has_id = true;
    } else if (header.key == kTypeHeader) {
      event.type = std::string(value);
    } else if (header.key == kRevisionHeader) {
      std::optional<int64_t> revision = ParseDecimal(value);
      has_revision = revision.has_value();
      event.revision = revision.value_or(0);
    } else if (header.key == kPositionHeader) {
      std::optional<int64_t> position = ParseDecimal(value);
      has_position = position.has_value();
      event.position = position.value_or(0);
    } else if (header.key == kContentTypeHeader) {
      event.content_type = std::string(value);
    } else if (header.key == kMetadataHeader) {
      event.metadata = std::string(value);
    }
  }
  if (!has_id || !has_revision || !has_position || !record.key) {
    return absl::DataLossError("a record indexed as an event lacks its es.* headers");
  }
  return event;
}

}  // namespace brook::storage::events
