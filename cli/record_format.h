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

// `s` as a JSON string literal (quoted, escaped).
std::string JsonString(std::string_view s);

// {"topic":..,"partition":..,"offset":..,"timestamp":..,"key":..|null,"value":..|null,
//  "headers":{..}} with JSON string escaping.
std::string RecordJson(const ConsumerRecord& record);

}  // namespace brook::cli
