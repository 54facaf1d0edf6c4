// cli/record_format.h: how `brook consume` prints a record: the value alone, a --format
// template, or one JSON object per line.
#pragma once

#include <string>
#include <string_view>

#include "client/consumer.h"

namespace brook::cli {

// Expands %k key, %v value, %o offset, %p partition, %t timestamp (ms), %T topic,
// %h headers (k=v,k=v), %% a percent sign; \n and \t are newline and tab. Null keys and
// values print as "null".
std::string FormatRecord(std::string_view format, const ConsumerRecord& record);

// `s` as a JSON string literal (quoted, escaped).
std::string JsonString(std::string_view s);

// {"topic":..,"partition":..,"offset":..,"timestamp":..,"key":..|null,"value":..|null,
//  "headers":{..}} with JSON string escaping.
std::string RecordJson(const ConsumerRecord& record);

}  // namespace brook::cli
