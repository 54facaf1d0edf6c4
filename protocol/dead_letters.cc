#include "protocol/dead_letters.h"

#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

constexpr std::string_view kPrefix = "brook.dlq.";
constexpr std::string_view kTopic = "brook.dlq.topic";
constexpr std::string_view kPartition = "brook.dlq.partition";
constexpr std::string_view kOffset = "brook.dlq.offset";
constexpr std::string_view kTimestamp = "brook.dlq.timestamp";
constexpr std::string_view kReason = "brook.dlq.reason";
constexpr std::string_view kAttempts = "brook.dlq.attempts";
constexpr std::string_view kFirstFailure = "brook.dlq.first-failure-ms";
constexpr std::string_view kLastFailure = "brook.dlq.last-failure-ms";
constexpr std::string_view kGroup = "brook.dlq.group";
constexpr std::string_view kMember = "brook.dlq.member";
constexpr std::string_view kClientId = "brook.dlq.client-id";

// The record's headers that are not brook.dlq.* ones.
std::vector<HeaderView> OwnHeaders(const RecordView& record) {
  std::vector<HeaderView> headers;
  for (const HeaderView& h : record.headers) {
    if (!IsDeadLetterHeader(h.key)) headers.push_back(h);
  }
  return headers;
}

std::optional<std::string_view> Find(std::span<const HeaderView> headers, std::string_view key) {
  for (const HeaderView& h : headers) {
    if (h.key == key) return h.value.value_or("");
  }
  return std::nullopt;
}

template <typename T>
absl::Status ReadNumber(std::span<const HeaderView> headers, std::string_view key, bool required,
                        T* out) {
  std::optional<std::string_view> text = Find(headers, key);
  if (!text) {
    if (!required) return absl::OkStatus();
    return MakeError(ErrorCode::kInvalidRecord,
                     fmt::format("not a dead letter: it has no {} header", key));
  }
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), *out);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return MakeError(ErrorCode::kInvalidRecord,
                     fmt::format("dead-letter header {} is not a number: '{}'", key, *text));
  }
  return absl::OkStatus();
}

}  // namespace

std::string RecordName(std::string_view topic, int32_t partition, int64_t offset) {
  return fmt::format("{}-{}@{}", topic, partition, offset);
}

bool IsDeadLetterHeader(std::string_view key) { return key.starts_with(kPrefix); }

std::string BuildDeadLetterCopy(const RecordView& original, const DeadLetterInfo& info,
                                int64_t now_ms, Compression compression) {
  const std::pair<std::string_view, std::string> fields[] = {
      {kTopic, info.source.topic},
      {kPartition, std::to_string(info.source.partition.value)},
      {kOffset, std::to_string(info.offset)},
      {kTimestamp, std::to_string(info.timestamp)},
      {kReason, info.reason},
      {kAttempts, std::to_string(info.attempts)},
      {kFirstFailure, std::to_string(info.first_failure_ms)},
      {kLastFailure, std::to_string(info.last_failure_ms)},
      {kGroup, info.group},
      {kMember, info.member},
      {kClientId, info.client_id},
  };
  std::vector<HeaderView> headers = OwnHeaders(original);
  for (const auto& [key, value] : fields) headers.push_back({key, value});
  RecordBatchBuilder builder(compression);
  builder.Append(now_ms, original.key, original.value, headers);
  return builder.Finish();
}

absl::StatusOr<DeadLetterInfo> ParseDeadLetter(std::span<const HeaderView> headers) {
  DeadLetterInfo info;
  std::optional<std::string_view> topic = Find(headers, kTopic);
  if (!topic) {
    return MakeError(ErrorCode::kInvalidRecord,
                     fmt::format("not a dead letter: it has no {} header", kTopic));
  }
  info.source.topic = std::string(*topic);
  int32_t partition = 0;
  for (absl::Status s : {ReadNumber(headers, kPartition, true, &partition),
                         ReadNumber(headers, kOffset, true, &info.offset),
                         ReadNumber(headers, kTimestamp, false, &info.timestamp),
                         ReadNumber(headers, kAttempts, false, &info.attempts),
                         ReadNumber(headers, kFirstFailure, false, &info.first_failure_ms),
                         ReadNumber(headers, kLastFailure, false, &info.last_failure_ms)}) {
    if (!s.ok()) return s;
  }
  info.source.partition = PartitionId(partition);
  info.reason = std::string(Find(headers, kReason).value_or(""));
  info.group = std::string(Find(headers, kGroup).value_or(""));
  info.member = std::string(Find(headers, kMember).value_or(""));
  info.client_id = std::string(Find(headers, kClientId).value_or(""));
  return info;
}

std::string BuildReplay(const RecordView& dead_letter, std::string_view replayed_from,
                        int64_t now_ms, Compression compression) {
  std::vector<HeaderView> headers;
  for (const HeaderView& h : OwnHeaders(dead_letter)) {
    if (h.key != kReplayedFromHeader) headers.push_back(h);  // Replayed again: the newest.
  }
  headers.push_back({kReplayedFromHeader, replayed_from});
  RecordBatchBuilder builder(compression);
  builder.Append(now_ms, dead_letter.key, dead_letter.value, headers);
  return builder.Finish();
}

}  // namespace brook
