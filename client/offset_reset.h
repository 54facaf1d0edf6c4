// client/offset_reset.h: where a reset of a group's committed offsets moves each partition.
//
//   auto spec = brook::OffsetResetSpec::ShiftBy(-10);         // re-process the last 10
//   auto when = brook::ParseDatetime("2026-11-25T10:00:00Z");  // -> ms since the epoch
//   auto spec2 = brook::OffsetResetSpec::ToDatetime(*when);
//   (*admin)->ResetGroupOffsets("billing", "orders", spec, /*dry_run=*/true);
//
// Admin::ResetGroupOffsets (client/admin.h) does the requests; this header holds the rules,
// as pure functions (no I/O, thread-safe):
//   to-earliest  the partition's log start
//   to-latest    the partition's log end (the group skips everything there now)
//   to-offset N  N
//   to-datetime  the first offset whose record has timestamp >= T (the log end when none has)
//   shift-by N   the committed offset + N (negative N moves back); a partition without a
//                committed offset is an error: there is nothing to shift from (as Kafka's tool)
// Every target is then clamped to [log start, log end], like Kafka's kafka-consumer-groups.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/types.h"

namespace brook {

struct OffsetResetSpec {
  enum class Mode { kToEarliest, kToLatest, kToOffset, kToDatetime, kShiftBy };
  Mode mode = Mode::kToEarliest;
  int64_t value = 0;  // kToOffset: the offset; kToDatetime: ms since the epoch; kShiftBy: N.

  static OffsetResetSpec ToEarliest() { return {Mode::kToEarliest, 0}; }
  static OffsetResetSpec ToLatest() { return {Mode::kToLatest, 0}; }
  static OffsetResetSpec ToOffset(int64_t offset) { return {Mode::kToOffset, offset}; }
  static OffsetResetSpec ToDatetime(int64_t timestamp_ms) {
    return {Mode::kToDatetime, timestamp_ms};
  }
  static OffsetResetSpec ShiftBy(int64_t delta) { return {Mode::kShiftBy, delta}; }
};

// What one partition knows before a reset.
struct ResetInputs {
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t committed_offset = -1;  // -1: the group has no commit for the partition.
  // kToDatetime only: the first offset with timestamp >= spec.value (ListOffsets' answer,
  // the log end when there is none).
  int64_t offset_at_datetime = -1;
};

// The new committed offset of `partition`, clamped to [log start, log end]. Errors:
// INVALID_REQUEST "cannot shift orders-2: group has no committed offset for it" (kShiftBy
// without a commit); INVALID_REQUEST for kToDatetime without offset_at_datetime.
absl::StatusOr<int64_t> ResetTarget(const OffsetResetSpec& spec, const TopicPartition& partition,
                                    const ResetInputs& inputs);

// Parses an ISO 8601 date-time into ms since the epoch. Accepted:
//   2026-11-25T10:00:00Z   2026-11-25T10:00:00.250+01:00   2026-11-25T10:00+0100
//   2026-11-25T10:00:00 (no offset: local time, like Kafka's tool)   2026-11-25 (local midnight)
// A space may replace the 'T'. Errors: INVALID_REQUEST naming the text and the accepted forms.
absl::StatusOr<int64_t> ParseDatetime(std::string_view text);

}  // namespace brook
