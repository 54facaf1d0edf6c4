#include "protocol/event_record.h"

#include <charconv>
#include <string>
#include <vector>

#include "protocol/event_id.h"
#include "protocol/messages.h"

namespace brook {
namespace {

std::optional<int64_t> ParseDecimal(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<EventRecord> ReadEventRecord(std::optional<std::string_view> key,
                                           std::optional<std::string_view> value,
                                           std::span<const HeaderView> headers,
                                           int64_t timestamp_ms) {
  if (!key) return std::nullopt;
  EventRecord event;
  event.stream = *key;
  event.data = value.value_or("");
  event.timestamp_ms = timestamp_ms;
  std::optional<int64_t> revision, position;
  for (const HeaderView& header : headers) {
    const std::string_view text = header.value.value_or("");
    if (header.key == kEventIdHeader) {
      event.id = text;
    } else if (header.key == kEventTypeHeader) {
      event.type = text;
    } else if (header.key == kEventRevisionHeader) {
      revision = ParseDecimal(text);
    } else if (header.key == kEventPositionHeader) {
      position = ParseDecimal(text);
    } else if (header.key == kEventContentTypeHeader) {
      event.content_type = text;
    } else if (header.key == kEventMetadataHeader) {
      event.metadata = text;
    }
  }
  if (event.id.size() != kEventIdTextBytes || !revision || !position) return std::nullopt;
  event.revision = *revision;
  event.position = *position;
  return event;
}

absl::Status ForEachEvent(std::string_view record_set,
                          absl::FunctionRef<void(const EventRecord&)> fn) {
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(record_set);
  if (!batches.ok()) return batches.status();
  std::string scratch;
  for (std::string_view batch : *batches) {
    absl::Status visited = VisitRecords(batch, &scratch, [&](const RecordView& record) {
      std::optional<EventRecord> event =
          ReadEventRecord(record.key, record.value, record.headers, record.timestamp);
      if (event) fn(*event);
    });
    if (!visited.ok()) return visited;
  }
  return absl::OkStatus();
}

bool EventSelection::Takes(const EventRecord& event) const {
  if (stream == kAllStream) return event.position >= first && event.position < end;
  if (event.stream != stream) return false;
  return backwards ? event.revision > end && event.revision <= first
                   : event.revision >= first && event.revision < end;
}

}  // namespace brook
