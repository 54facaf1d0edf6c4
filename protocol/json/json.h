// protocol/json/json.h: how brook writes JSON: the CLI's --json output, the benchmark's
// reports, the ready line and the HTTP API all build Boost.JSON values and serialize them
// (never text by hand); JSON that users send is parsed with simdjson where it is read.
//
// Bytes that may not be text (record keys and values, header keys and values) become a JSON
// string when they are valid UTF-8, and otherwise an object {"base64": "..."} holding them in
// standard base64 (RFC 4648, padded), so the output is always valid JSON and loses nothing.
// Thread-safety: plain functions over values.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "protocol/record_batch.h"

namespace brook::json {

// A string when `bytes` is valid UTF-8, else {"base64": "..."}.
boost::json::value Bytes(std::string_view bytes);
// Bytes(*bytes), or null.
boost::json::value BytesOrNull(const std::optional<std::string_view>& bytes);
// A record's headers in order, duplicates kept: [{"key": Bytes, "value": BytesOrNull}, ...].
boost::json::array Headers(std::span<const HeaderView> headers);
// *text as a JSON string, or null.
boost::json::value StringOrNull(const std::optional<std::string>& text);

// `value` as compact JSON text, on one line.
std::string Text(const boost::json::value& value);

}  // namespace brook::json
