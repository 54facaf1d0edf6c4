// cli/record_format.h: how `brook consume` prints a record: the value alone, a --format
// template, or one JSON object per line.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "client/consumer.h"

namespace brook::cli {

// The directives a --format template may use, for help and error messages.
inline constexpr std::string_view kFormatDirectives =
    "%k key, %v value, %o offset, %p partition, %t timestamp (ms), %T topic, "
    "%h headers (k=v,k=v), %% a percent sign; \\n and \\t are newline and tab";

// OK when every % in `format` starts a known directive; otherwise an INVALID_ARGUMENT naming
// the first unknown one and listing the known ones.
absl::Status ValidateFormat(std::string_view format);

// Expands a template that ValidateFormat accepted (see kFormatDirectives). Null keys and
// values print as "null".
std::string FormatRecord(std::string_view format, const ConsumerRecord& record);

// {"topic":..,"partition":..,"offset":..,"timestamp":..,"key":..|null,"value":..|null,
//  "headers":{..}} on one line; key, value and header values follow brook::json::Bytes (a
// string, or {"base64": ".."} when not UTF-8); a header key that repeats keeps its last value.
std::string RecordJson(const ConsumerRecord& record);

}  // namespace brook::cli
