#include "protocol/dead_letters.h"

#include <charconv>
#include <optional>
#include <type_traits>
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

// Spring Kafka's DeadLetterPublishingRecoverer (KafkaHeaders.DLT_*).
constexpr std::string_view kSpringPrefix = "kafka_dlt-";
constexpr std::string_view kSpringTopic = "kafka_dlt-original-topic";
constexpr std::string_view kSpringPartition = "kafka_dlt-original-partition";
constexpr std::string_view kSpringOffset = "kafka_dlt-original-offset";
constexpr std::string_view kSpringTimestamp = "kafka_dlt-original-timestamp";
constexpr std::string_view kSpringGroup = "kafka_dlt-original-consumer-group";
constexpr std::string_view kSpringException = "kafka_dlt-exception-fqcn";
constexpr std::string_view kSpringCause = "kafka_dlt-exception-cause-fqcn";
constexpr std::string_view kSpringMessage = "kafka_dlt-exception-message";
constexpr std::string_view kSpringKeyException = "kafka_dlt-key-exception-fqcn";
constexpr std::string_view kSpringKeyMessage = "kafka_dlt-key-exception-message";

// Kafka Connect's DeadLetterQueueReporter (context headers).
constexpr std::string_view kConnectPrefix = "__connect.errors.";
constexpr std::string_view kConnectTopic = "__connect.errors.topic";
constexpr std::string_view kConnectPartition = "__connect.errors.partition";
constexpr std::string_view kConnectOffset = "__connect.errors.offset";
constexpr std::string_view kConnectConnector = "__connect.errors.connector.name";
constexpr std::string_view kConnectTask = "__connect.errors.task.id";
constexpr std::string_view kConnectStage = "__connect.errors.stage";
constexpr std::string_view kConnectException = "__connect.errors.exception.class.name";
constexpr std::string_view kConnectMessage = "__connect.errors.exception.message";

// How a convention writes numbers.
enum class Numbers {
  kText,             // decimal text
  kTextOrBigEndian,  // decimal text, or big-endian binary of the number's size (Spring)
};

using Headers = std::span<const HeaderView>;

// One convention: its headers' prefix, the headers that name the original record, and how to
// read the rest of what it says.
struct Convention {
  DeadLetterConvention id;
  std::string_view name;
  std::string_view prefix;
  std::string_view topic, partition, offset;
  Numbers numbers;
  absl::Status (*read_rest)(Headers, DeadLetterInfo*);
};

// The value of the last header named `key` (a null value reads as "").
std::optional<std::string_view> Find(Headers headers, std::string_view key) {
  std::optional<std::string_view> found;
  for (const HeaderView& h : headers) {
    if (h.key == key) found = h.value.value_or("");
  }
  return found;
}

std::string FindText(Headers headers, std::string_view key) {
  return std::string(Find(headers, key).value_or(""));
}

// Reads header `key` into `out`, leaving it as it is when the header is absent and not
// `required`. Errors: INVALID_RECORD when a required header is absent or the value is not a
// number written as `numbers` says (decimal text is tried first: a binary value that happens
// to be all digits is read as text).
template <typename T>
absl::Status ReadNumber(Headers headers, std::string_view key, bool required, Numbers numbers,
                        T* out) {
  std::optional<std::string_view> text = Find(headers, key);
  if (!text) {
    if (!required) return absl::OkStatus();
    return MakeError(ErrorCode::kInvalidRecord,
                     fmt::format("dead-letter header {} is missing", key));
  }
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), *out);
  if (ec == std::errc() && end == text->data() + text->size()) return absl::OkStatus();
  if (numbers == Numbers::kTextOrBigEndian && text->size() == sizeof(T)) {
    std::make_unsigned_t<T> value = 0;
    for (char c : *text) value = static_cast<decltype(value)>(value << 8 | static_cast<uint8_t>(c));
    *out = static_cast<T>(value);
    return absl::OkStatus();
  }
  std::string printable;  // Binary shown as \xNN.
  for (char c : *text) {
    const auto u = static_cast<uint8_t>(c);
    printable += u < 0x20 || u >= 0x7f ? fmt::format("\\x{:02x}", u) : std::string(1, c);
  }
  return MakeError(ErrorCode::kInvalidRecord,
                   fmt::format("dead-letter header {} is not a number: '{}'", key, printable));
}

// "Name: message (cause: Cause)" from Java class names (short names: after the last '.'),
// leaving out what is empty.
std::string ExceptionReason(std::string_view fqcn, std::string_view message,
                            std::string_view cause_fqcn) {
  auto short_name = [](std::string_view fqcn) { return fqcn.substr(fqcn.rfind('.') + 1); };
  std::string reason(short_name(fqcn));
  if (!message.empty()) {
    reason = reason.empty() ? std::string(message) : fmt::format("{}: {}", reason, message);
  }
  if (!cause_fqcn.empty()) {
    reason = reason.empty() ? fmt::format("cause: {}", short_name(cause_fqcn))
                            : fmt::format("{} (cause: {})", reason, short_name(cause_fqcn));
  }
  return reason;
}

absl::Status ReadBrook(Headers headers, DeadLetterInfo* info) {
  for (absl::Status s :
       {ReadNumber(headers, kTimestamp, false, Numbers::kText, &info->timestamp),
        ReadNumber(headers, kAttempts, false, Numbers::kText, &info->attempts),
        ReadNumber(headers, kFirstFailure, false, Numbers::kText, &info->first_failure_ms),
        ReadNumber(headers, kLastFailure, false, Numbers::kText, &info->last_failure_ms)}) {
    if (!s.ok()) return s;
  }
  info->reason = FindText(headers, kReason);
  info->group = FindText(headers, kGroup);
  info->member = FindText(headers, kMember);
  info->client_id = FindText(headers, kClientId);
  return absl::OkStatus();
}

absl::Status ReadSpring(Headers headers, DeadLetterInfo* info) {
  if (absl::Status s = ReadNumber(headers, kSpringTimestamp, false, Numbers::kTextOrBigEndian,
                                  &info->timestamp);
      !s.ok()) {
    return s;
  }
  info->group = FindText(headers, kSpringGroup);
  // A failed key deserialization writes the key-exception headers instead.
  const bool value_failed = Find(headers, kSpringException) || Find(headers, kSpringMessage);
  info->reason =
      ExceptionReason(FindText(headers, value_failed ? kSpringException : kSpringKeyException),
                      FindText(headers, value_failed ? kSpringMessage : kSpringKeyMessage),
                      FindText(headers, kSpringCause));
  return absl::OkStatus();
}

absl::Status ReadConnect(Headers headers, DeadLetterInfo* info) {
  info->group = FindText(headers, kConnectConnector);
  info->member = FindText(headers, kConnectTask);
  info->reason = ExceptionReason(FindText(headers, kConnectException),
                                 FindText(headers, kConnectMessage), "");
  const std::string stage = FindText(headers, kConnectStage);
  if (info->reason.empty() && !stage.empty()) info->reason = "stage " + stage;
  return absl::OkStatus();
}

// In ParseDeadLetter's order of precedence.
constexpr Convention kConventions[] = {
    {DeadLetterConvention::kBrook, "brook", kPrefix, kTopic, kPartition, kOffset, Numbers::kText,
     ReadBrook},
    {DeadLetterConvention::kSpring, "spring", kSpringPrefix, kSpringTopic, kSpringPartition,
     kSpringOffset, Numbers::kTextOrBigEndian, ReadSpring},
    {DeadLetterConvention::kConnect, "connect", kConnectPrefix, kConnectTopic, kConnectPartition,
     kConnectOffset, Numbers::kText, ReadConnect},
};

const Convention* Lookup(DeadLetterConvention id) {
  for (const Convention& c : kConventions) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// Reads the original record's place, which every convention must give.
absl::Status ReadOrigin(Headers headers, const Convention& c, std::string_view topic,
                        DeadLetterInfo* info) {
  if (topic.empty()) {
    return MakeError(ErrorCode::kInvalidRecord,
                     fmt::format("dead-letter header {} is empty", c.topic));
  }
  info->source.topic = std::string(topic);
  int32_t partition = 0;
  for (absl::Status s : {ReadNumber(headers, c.partition, true, c.numbers, &partition),
                         ReadNumber(headers, c.offset, true, c.numbers, &info->offset)}) {
    if (!s.ok()) return s;
  }
  if (partition < 0 || info->offset < 0) {
    return MakeError(ErrorCode::kInvalidRecord,
                     fmt::format("dead-letter headers {} and {} name no record: partition {}, "
                                 "offset {}",
                                 c.partition, c.offset, partition, info->offset));
  }
  info->source.partition = PartitionId(partition);
  return absl::OkStatus();
}

// The record's headers except those starting with `prefix`.
std::vector<HeaderView> HeadersWithout(const RecordView& record, std::string_view prefix) {
  std::vector<HeaderView> headers;
  for (const HeaderView& h : record.headers) {
    if (prefix.empty() || !h.key.starts_with(prefix)) headers.push_back(h);
  }
  return headers;
}

}  // namespace

std::string_view ConventionName(DeadLetterConvention convention) {
  const Convention* c = Lookup(convention);
  return c == nullptr ? "unknown" : c->name;
}

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
  std::vector<HeaderView> headers = HeadersWithout(original, kPrefix);
  for (const auto& [key, value] : fields) headers.push_back({key, value});
  RecordBatchBuilder builder(compression);
  builder.Append(now_ms, original.key, original.value, headers);
  return builder.Finish();
}

absl::StatusOr<DeadLetterInfo> ParseDeadLetter(Headers headers) {
  for (const Convention& c : kConventions) {
    std::optional<std::string_view> topic = Find(headers, c.topic);
    if (!topic) continue;
    DeadLetterInfo info;
    info.convention = c.id;
    if (absl::Status s = ReadOrigin(headers, c, *topic, &info); !s.ok()) return s;
    if (absl::Status s = c.read_rest(headers, &info); !s.ok()) return s;
    return info;
  }
  DeadLetterInfo unknown;
  unknown.convention = DeadLetterConvention::kUnknown;
  return unknown;
}

std::string BuildReplay(const RecordView& dead_letter, DeadLetterConvention convention,
                        std::string_view replayed_from, int64_t now_ms, Compression compression) {
  const Convention* c = Lookup(convention);
  std::vector<HeaderView> headers;
  for (const HeaderView& h : HeadersWithout(dead_letter, c == nullptr ? "" : c->prefix)) {
    if (h.key != kReplayedFromHeader) headers.push_back(h);  // Replayed again: the newest.
  }
  headers.push_back({kReplayedFromHeader, replayed_from});
  RecordBatchBuilder builder(compression);
  builder.Append(now_ms, dead_letter.key, dead_letter.value, headers);
  return builder.Finish();
}

}  // namespace brook
