#include "storage/event_store/append_checks.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/event_id.h"
#include "protocol/expected_revision.h"
#include "protocol/messages.h"

namespace brook::storage::events {

int64_t LastRevisionOf(const std::optional<StreamState>& state) {
  return state ? state->last_revision : kNoState;
}

namespace {

absl::Status WrongExpectedVersion(std::string_view stream, int64_t expected, int64_t actual) {
  const auto name = [](int64_t revision) -> std::string {
    switch (revision) {
      case kExpectAny:
        return "any";
      case kExpectNoStream:
        return "no stream";
      case kExpectStreamExists:
        return "an existing stream";
      default:
        return fmt::format("revision {}", revision);
    }
  };
  return WrongExpectedVersionError(
      fmt::format("stream '{}': expected {}, but it is at {}", stream, name(expected),
                  name(actual)),
      actual);
}

}  // namespace

// Whether a stream at `actual` (-1: no stream) satisfies `expected`.
absl::Status CheckExpected(std::string_view stream, int64_t expected, int64_t actual) {
  bool ok = false;
  if (expected == kExpectAny) {
    ok = true;
  } else if (expected == kExpectNoStream) {
    ok = actual < 0;
  } else if (expected == kExpectStreamExists) {
    ok = actual >= 0;
  } else if (expected >= 0) {
    ok = actual == expected;
  } else {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("expected revision {} is not valid: use -2 (any), -1 (no "
                                 "stream), -4 (stream exists) or a revision >= 0",
                                 expected));
  }
  return ok ? absl::OkStatus() : WrongExpectedVersion(stream, expected, actual);
}

absl::Status ValidateStreamId(std::string_view stream) {
  if (stream.empty() || stream.size() > kMaxStreamIdBytes || stream.front() == '$') {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("stream id '{}' is not valid: 1 to {} bytes, not starting "
                                 "with '$'",
                                 stream.substr(0, 64), kMaxStreamIdBytes));
  }
  return absl::OkStatus();
}

// Checks the events and fills in missing ids; returns how many ids were given.
absl::StatusOr<size_t> PrepareEvents(std::span<NewEvent> events, int32_t max_events) {
  if (events.empty() || events.size() > static_cast<size_t>(max_events)) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("an append takes 1 to {} events, not {}", max_events,
                                 events.size()));
  }
  absl::flat_hash_set<std::string_view> ids;
  size_t given = 0;
  for (NewEvent& event : events) {
    if (event.type.empty()) return MakeError(ErrorCode::kInvalidRequest, "an event needs a type");
    if (event.id.empty()) continue;
    if (event.id.size() != kEventIdBytes) {
      return MakeError(ErrorCode::kInvalidRequest, "an event id is 16 bytes");
    }
    if (!ids.insert(event.id).second) {
      return MakeError(ErrorCode::kInvalidRequest,
                       fmt::format("event id {} is given twice", FormatEventId(event.id)));
    }
    ++given;
  }
  // Ids given come first in the check; made ones are new by construction.
  for (NewEvent& event : events) {
    if (event.id.empty()) event.id = NewEventId();
  }
  return given;
}

}  // namespace brook::storage::events
