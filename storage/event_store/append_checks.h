// storage/event_store/append_checks.h: what an append must satisfy before it is written (a
// valid stream id; 1 to max events, each with a type and a distinct 16-byte id, missing ids
// made; the expected revision), and the mark by which an id lookup made before the store's
// lock is known to still hold under it. Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/event_store/event_keys.h"
#include "storage/event_store/event_record.h"

namespace brook::storage::events {

// Errors: INVALID_REQUEST (empty, '$'-prefixed, or longer than kMaxStreamIdBytes).
absl::Status ValidateStreamId(std::string_view stream);

// Checks the events and fills in missing ids; returns how many ids were given.
// Errors: INVALID_REQUEST (no events or more than max_events, an empty type, an id not 16
// bytes, an id given twice).
absl::StatusOr<size_t> PrepareEvents(std::span<NewEvent> events, int32_t max_events);

// Whether a stream at `actual` (-1: no stream) satisfies `expected`. Errors:
// WRONG_EXPECTED_VERSION (protocol/expected_revision.h, carrying `actual`); INVALID_REQUEST
// (an expected revision that means nothing).
absl::Status CheckExpected(std::string_view stream, int64_t expected, int64_t actual);

// A stream's last revision as an early id lookup saw it: kNoState when it had no state;
// kNotLookedUp when no early lookup was made, which never matches.
inline constexpr int64_t kNoState = -2;
inline constexpr int64_t kNotLookedUp = -3;
int64_t LastRevisionOf(const std::optional<StreamState>& state);

}  // namespace brook::storage::events
