#include "client/offset_reset.h"

#include <algorithm>
#include <limits>
#include <string>

#include "absl/time/time.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

// a + b, saturated at the int64 range (shift-by takes any N).
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

// The forms ParseDatetime accepts, those with a UTC offset first (%Ez: +hh:mm, %z: +hhmm;
// both accept Z). The others are local time.
constexpr const char* kZonedFormats[] = {
    "%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%dT%H:%M:%E*S%z", "%Y-%m-%dT%H:%M%Ez", "%Y-%m-%dT%H:%M%z"};
constexpr const char* kLocalFormats[] = {"%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"};

}  // namespace

absl::StatusOr<int64_t> ResetTarget(const OffsetResetSpec& spec, const TopicPartition& partition,
                                    const ResetInputs& in) {
  int64_t target = 0;
  switch (spec.mode) {
    case OffsetResetSpec::Mode::kToEarliest:
      target = in.log_start_offset;
      break;
    case OffsetResetSpec::Mode::kToLatest:
      target = in.log_end_offset;
      break;
    case OffsetResetSpec::Mode::kToOffset:
      target = spec.value;
      break;
    case OffsetResetSpec::Mode::kToDatetime:
      if (in.offset_at_datetime < 0) {
        return MakeError(ErrorCode::kInvalidRequest,
                         fmt::format("no offset for the datetime in {}-{}", partition.topic,
                                     partition.partition.value));
      }
      target = in.offset_at_datetime;
      break;
    case OffsetResetSpec::Mode::kShiftBy:
      if (in.committed_offset < 0) {
        return MakeError(ErrorCode::kInvalidRequest,
                         fmt::format("cannot shift {}-{}: the group has no committed offset for "
                                     "it (use --to-earliest, --to-latest or --to-offset)",
                                     partition.topic, partition.partition.value));
      }
      target = SaturatingAdd(in.committed_offset, spec.value);
      break;
  }
  return std::clamp(target, in.log_start_offset, in.log_end_offset);
}

absl::StatusOr<int64_t> ParseDatetime(std::string_view text) {
  std::string input(text);
  if (input.size() > 10 && input[10] == ' ') input[10] = 'T';
  absl::Time time;
  std::string ignored;
  for (const char* format : kZonedFormats) {
    if (absl::ParseTime(format, input, absl::UTCTimeZone(), &time, &ignored)) {
      return absl::ToUnixMillis(time);
    }
  }
  for (const char* format : kLocalFormats) {
    if (absl::ParseTime(format, input, absl::LocalTimeZone(), &time, &ignored)) {
      return absl::ToUnixMillis(time);
    }
  }
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("'{}' is not an ISO 8601 date-time; use e.g. 2026-11-25T10:00:00Z, "
                               "2026-11-25T10:00:00+01:00, 2026-11-25T10:00 (local time) or "
                               "2026-11-25",
                               text));
}

}  // namespace brook
