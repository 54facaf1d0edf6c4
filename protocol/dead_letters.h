// protocol/dead_letters.h: the format of dead-letter records (docs/protocol.md 6.11), brook's
// own and those Kafka clients write.
//
// A dead-letter record is a copy of a record a consumer gave up on: the original key, value and
// headers, plus headers that say where it came from and why it failed. brook's broker writes
// brook.dlq.* headers; clients of the Kafka protocol write their own conventions, which
// ParseDeadLetter reads too (docs/dead-letters.md, "Dead-letter topics written by Kafka
// clients"):
//   - brook.dlq.*: brook's, written by BuildDeadLetterCopy;
//   - kafka_dlt-*: Spring Kafka's DeadLetterPublishingRecoverer (partition, offset and
//     timestamp as 4- or 8-byte big-endian integers);
//   - __connect.errors.*: Kafka Connect's dead-letter queue with
//     errors.deadletterqueue.context.headers.enable=true (all values text).
// This is the one place that knows these headers: the broker builds copies and replays with
// these functions; clients and the CLI read the headers back to list, count and filter.
//
// Example:
//   absl::StatusOr<DeadLetterInfo> info = ParseDeadLetter(record.headers);
//   if (info.ok() && info->convention != DeadLetterConvention::kUnknown) {
//     // info->source and info->offset name the original record.
//   }
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"

namespace brook {

// The header a replayed record carries: "<dlq topic>-<partition>@<offset>" it came from.
inline constexpr std::string_view kReplayedFromHeader = "brook.replayed-from";

// Which headers a dead-letter record carries, in ParseDeadLetter's order of precedence.
enum class DeadLetterConvention : int8_t {
  kBrook,    // brook.dlq.*
  kSpring,   // kafka_dlt-*
  kConnect,  // __connect.errors.*
  kUnknown,  // none of them: where the record came from and why are not known
};

// "brook", "spring", "connect" or "unknown", as the CLI prints it.
std::string_view ConventionName(DeadLetterConvention convention);

// What a dead-letter record's headers say. A field the convention does not carry is empty or
// 0; the comments name brook's headers (the others are in docs/dead-letters.md).
struct DeadLetterInfo {
  TopicPartition source;      // brook.dlq.topic, brook.dlq.partition
  int64_t offset = 0;         // brook.dlq.offset
  int64_t timestamp = 0;      // brook.dlq.timestamp: the original record's
  std::string reason;         // brook.dlq.reason
  int32_t attempts = 0;       // brook.dlq.attempts
  int64_t first_failure_ms = 0;  // brook.dlq.first-failure-ms
  int64_t last_failure_ms = 0;   // brook.dlq.last-failure-ms
  std::string group;          // brook.dlq.group (Spring: the consumer group; Connect: connector)
  std::string member;         // brook.dlq.member (Connect: the task id)
  std::string client_id;      // brook.dlq.client-id
  // Where the fields came from. kUnknown: only `convention` is set (source is empty).
  DeadLetterConvention convention = DeadLetterConvention::kBrook;
};

// "<topic>-<partition>@<offset>", how docs, headers and the CLI name one record.
std::string RecordName(std::string_view topic, int32_t partition, int64_t offset);

// Whether a header key is one of the brook.dlq.* headers.
bool IsDeadLetterHeader(std::string_view key);

// One batch holding the dead-letter copy of `original`: its key, value and headers (any
// brook.dlq.* among them replaced), then `info`'s brook.dlq.* headers; timestamped `now_ms`
// (when it was dead-lettered, which retention of the dead-letter topic counts from), and
// compressed with `compression` (pass the original batch's, so that the copy fits where the
// original did). `info.convention` is not used: the copy is always brook's.
std::string BuildDeadLetterCopy(const RecordView& original, const DeadLetterInfo& info,
                                int64_t now_ms, Compression compression);

// Reads a dead-letter record's headers, by the first convention whose topic header it carries
// (brook.dlq.topic, kafka_dlt-original-topic, __connect.errors.topic); when a header appears
// more than once, the last one counts (Spring appends when a record is dead-lettered again).
// Returns the info with its convention; for a record with none of the three, an info with
// convention kUnknown. Errors: INVALID_RECORD naming the header when the convention's
// partition or offset is missing, or a number header is neither decimal text nor (Spring's)
// big-endian binary of its size, or the topic is empty or the partition or offset negative.
absl::StatusOr<DeadLetterInfo> ParseDeadLetter(std::span<const HeaderView> headers);

// One batch holding the replay of a dead-letter record: its key, value and headers except
// those of `convention` (brook.dlq.*, kafka_dlt-* or __connect.errors.*; none for kUnknown)
// and an older kReplayedFromHeader, plus kReplayedFromHeader = `replayed_from` (RecordName of
// the dead-letter record); timestamped `now_ms` (a replay is a new arrival: retention of its
// topic counts from it), compressed with `compression`.
std::string BuildReplay(const RecordView& dead_letter, DeadLetterConvention convention,
                        std::string_view replayed_from, int64_t now_ms, Compression compression);

}  // namespace brook
