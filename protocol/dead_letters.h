// protocol/dead_letters.h: the format of dead-letter records (docs/protocol.md 6.11).
//
// A dead-letter record is a copy of a record a consumer group gave up on: the original key,
// value and headers, plus brook.dlq.* headers that say where it came from and why it failed.
// The broker builds copies and replays with these functions; clients and the CLI read the
// headers back to list, count and filter dead letters.
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

// What the brook.dlq.* headers of a dead-letter record say.
struct DeadLetterInfo {
  TopicPartition source;      // brook.dlq.topic, brook.dlq.partition
  int64_t offset = 0;         // brook.dlq.offset
  int64_t timestamp = 0;      // brook.dlq.timestamp: the original record's
  std::string reason;         // brook.dlq.reason
  int32_t attempts = 0;       // brook.dlq.attempts
  int64_t first_failure_ms = 0;  // brook.dlq.first-failure-ms
  int64_t last_failure_ms = 0;   // brook.dlq.last-failure-ms
  std::string group;          // brook.dlq.group
  std::string member;         // brook.dlq.member
  std::string client_id;      // brook.dlq.client-id
};

// "<topic>-<partition>@<offset>", how docs, headers and the CLI name one record.
std::string RecordName(std::string_view topic, int32_t partition, int64_t offset);

// Whether a header key is one of the brook.dlq.* headers.
bool IsDeadLetterHeader(std::string_view key);

// One batch holding the dead-letter copy of `original`: its key, value and headers (any
// brook.dlq.* among them replaced), then `info`'s brook.dlq.* headers; timestamped `now_ms`
// (when it was dead-lettered, which retention of the dead-letter topic counts from), and
// compressed with `compression` (pass the original batch's, so that the copy fits where the
// original did).
std::string BuildDeadLetterCopy(const RecordView& original, const DeadLetterInfo& info,
                                int64_t now_ms, Compression compression);

// Reads the brook.dlq.* headers of a record. Errors: INVALID_RECORD naming the header that is
// missing (brook.dlq.topic, brook.dlq.partition or brook.dlq.offset) or not a number.
absl::StatusOr<DeadLetterInfo> ParseDeadLetter(std::span<const HeaderView> headers);

// One batch holding the replay of a dead-letter record: its key, value and headers except the
// brook.dlq.* ones and an older kReplayedFromHeader, plus kReplayedFromHeader =
// `replayed_from` (RecordName of the dead-letter record); timestamped `now_ms` (a replay is a
// new arrival: retention of its topic counts from it), compressed with `compression`.
std::string BuildReplay(const RecordView& dead_letter, std::string_view replayed_from,
                        int64_t now_ms, Compression compression);

}  // namespace brook
