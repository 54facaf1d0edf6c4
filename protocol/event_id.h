// protocol/event_id.h: an event store event's id, a UUID (RFC 9562), as text and as bytes.
//
// On the wire and in record headers an event id is the UUID's canonical text (36 characters,
// lower-case hex, "8-4-4-4-12"); in the store's index it is its 16 bytes.
//
//   absl::StatusOr<std::string> bytes = ParseEventId("0190b5c2-7d3e-4a8f-9b1c-2d3e4f5a6b7c");
//   std::string text = FormatEventId(*bytes);   // the same text back
//   std::string fresh = NewEventId();            // a random (version 4) id, as bytes
//
// Thread-safety: every function may run on any thread (NewEventId uses a per-thread generator).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook {

inline constexpr size_t kEventIdBytes = 16;
inline constexpr size_t kEventIdTextBytes = 36;  // 8-4-4-4-12 hex digits.

// The 16 bytes of a UUID in canonical text form (either case). Errors: INVALID_REQUEST naming
// the text when it is not 36 characters of 8-4-4-4-12 hex digits.
absl::StatusOr<std::string> ParseEventId(std::string_view text);
// The canonical, lower-case text of a 16-byte id. REQUIRES: bytes.size() == kEventIdBytes.
std::string FormatEventId(std::string_view bytes);
// A new random (version 4, variant 1) id, as 16 bytes.
std::string NewEventId();

}  // namespace brook
