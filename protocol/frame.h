// protocol/frame.h: framing of brook's protocol on a byte stream.
//
// A frame is a uint32 big-endian length N followed by N payload bytes. A request payload is a
// RequestHeader then the request body; a response payload is a ResponseHeader then, when the
// header's error code is NONE, the response body (docs/protocol.md, "Frames").
//
// DecodeFrame never touches a socket: it looks at the bytes received so far and answers
// complete (with the payload and the bytes consumed), need-more, or too-large.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/error_codes.h"

namespace brook {

inline constexpr size_t kFrameLengthSize = 4;

enum class FrameStatus { kComplete, kNeedMore, kTooLarge };

struct FrameResult {
  FrameStatus status = FrameStatus::kNeedMore;
  std::string_view payload;  // Set when kComplete: a view into the input.
  size_t consumed = 0;       // Set when kComplete: prefix plus payload.
  uint32_t declared_size = 0;  // Set once the length prefix has arrived.
};

// Looks for one frame at the start of `buffer`. kTooLarge when the length prefix exceeds
// `max_payload_bytes` (the connection cannot resynchronize and should be closed).
FrameResult DecodeFrame(std::string_view buffer, uint32_t max_payload_bytes);

// Reads the 4-byte big-endian length prefix. REQUIRES: prefix.size() >= 4.
uint32_t DecodeFrameLength(std::string_view prefix);

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

struct ResponseHeader {
  int32_t correlation_id = 0;
  ErrorCode error_code = ErrorCode::kNone;  // A request-level error: no body follows.
  std::optional<std::string> error_message;
};

// Starts a request frame in *out: the length placeholder and the header. The caller appends
// the body, then calls FinishFrame.
void BeginRequestFrame(const RequestHeader& header, std::string* out);
void BeginResponseFrame(const ResponseHeader& header, std::string* out);
// Writes the payload length into the placeholder at the start of *frame.
void FinishFrame(std::string* frame);

// Parses a request payload's header; on success `*body` is the rest of the payload.
// Errors: INVALID_REQUEST when the header is truncated.
absl::StatusOr<RequestHeader> ParseRequestHeader(std::string_view payload, std::string_view* body);
absl::StatusOr<ResponseHeader> ParseResponseHeader(std::string_view payload,
                                                   std::string_view* body);

}  // namespace brook
