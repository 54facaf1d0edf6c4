// protocol/expected_revision.h: an expected revision written as text, and the event store's
// WRONG_EXPECTED_VERSION error, which carries the stream's actual revision so a caller can
// reload and retry. The broker makes the error from its check, the client from EventAppend's
// answer (error_code and actual_revision). The text form is the CLI's --expected-revision and
// the es.expected-revision header of records produced to a store topic.
//
//   absl::Status s = WrongExpectedVersionError("stream 'a': expected revision 3, ...", 5);
//   ActualRevisionOf(s);   // 5; nullopt for any other status
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace brook {

// "any", "no-stream", "exists" or a revision >= 0, as kExpectAny, kExpectNoStream,
// kExpectStreamExists (protocol/messages.h) or the revision; nullopt for anything else.
std::optional<int64_t> ParseExpectedRevision(std::string_view text);
inline constexpr std::string_view kExpectedRevisionHelp =
    "any, no-stream, exists, or the stream's exact last revision";

// A WRONG_EXPECTED_VERSION status carrying `actual` (-1: the stream does not exist).
absl::Status WrongExpectedVersionError(std::string_view message, int64_t actual);
// The actual revision a WrongExpectedVersionError carries; nullopt for other statuses.
std::optional<int64_t> ActualRevisionOf(const absl::Status& status);

}  // namespace brook
