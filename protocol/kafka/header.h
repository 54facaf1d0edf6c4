// protocol/kafka/header.h: Kafka's request and response headers.
//
// A Kafka frame is an int32 length then the payload (the same framing as brook's, so the
// generic server's frame splitter serves both). A request payload starts with
//   api_key int16 | api_version int16 | correlation_id int32 | client_id nullable string
// (request header v1), followed, when the API version is flexible (header v2), by tagged
// fields. client_id is a classic int16-length string in both. A response payload starts with
// correlation_id int32 (response header v0), plus tagged fields when flexible (v1), except
// ApiVersions, whose answer always uses v0 (KIP-511).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook::kafka {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

// Parses the fixed part of a request header (v1). On success *rest is what follows client_id.
// Errors: INVALID_REQUEST when the payload is too short for it.
absl::StatusOr<RequestHeader> ParseRequestHeader(std::string_view payload,
                                                 std::string_view* rest);
// Skips a header v2's tagged fields at the front of *rest. Errors: INVALID_REQUEST.
absl::Status SkipHeaderTags(std::string_view* rest);

// Starts a response frame in *out: the length placeholder, the correlation id and, when
// `flexible_header`, an empty tagged-field section. The caller appends the body, then calls
// FinishFrame (protocol/frame.h).
void BeginResponse(int32_t correlation_id, bool flexible_header, std::string* out);
// Starts a request frame (header v1, or v2 when `flexible_header`), for clients and tests.
void BeginRequest(const RequestHeader& header, bool flexible_header, std::string* out);

}  // namespace brook::kafka
