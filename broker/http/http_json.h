// broker/http/http_json.h: JSON answers of the HTTP API (docs/http-api.md), and its one
// error shape: {"error": CODE, "message": TEXT}, where CODE is brook's error name
// (protocol/error_codes.h, e.g. "UNKNOWN_TOPIC_OR_PARTITION") or an HTTP-level one
// ("NOT_FOUND", "BAD_REQUEST", ...), and the status follows from it.
// Thread-safety: plain functions.
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

#include "absl/status/status.h"
#include "broker/http/http_message.h"

namespace brook::http {

// `value` as the body of a `status` answer.
HttpResponse JsonResponse(int status, const boost::json::value& value);
// {"error": code, "message": message} with `status`.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message);
// A failed Status as an error answer: its brook error code and message, with the HTTP status
// that fits (404 unknown topic or group, 400 invalid input, 409 conflicts, 503 storage and
// shutting down, 500 otherwise).
HttpResponse StatusResponse(const absl::Status& status);

}  // namespace brook::http
