#include "protocol/json/json.h"
#include "protocol/json/message_json.h"

// Boost.JSON's implementation, compiled once here (Debian ships no libboost_json binary).
#include <boost/json/src.hpp>

#include "absl/strings/escaping.h"
#include "protocol/absl_compat.h"
#include "simdjson.h"

namespace brook::json {

boost::json::value Bytes(std::string_view bytes) {
  if (simdjson::validate_utf8(bytes.data(), bytes.size())) {
    return boost::json::string(bytes.data(), bytes.size());
  }
  boost::json::object encoded;
  encoded["base64"] = absl::Base64Escape(ToAbsl(bytes));
  return encoded;
}

boost::json::value BytesOrNull(const std::optional<std::string_view>& bytes) {
  return bytes ? Bytes(*bytes) : boost::json::value(nullptr);
}

boost::json::array Headers(std::span<const HeaderView> headers) {
  boost::json::array out;
  for (const HeaderView& header : headers) {
    boost::json::object h;
    h["key"] = Bytes(header.key);
    h["value"] = BytesOrNull(header.value);
    out.push_back(std::move(h));
  }
  return out;
}

boost::json::value StringOrNull(const std::optional<std::string>& text) {
  return text ? boost::json::value(*text) : boost::json::value(nullptr);
}

std::string Text(const boost::json::value& value) { return boost::json::serialize(value); }

namespace message_json_internal {

absl::Status BytesFromValue(simdjson::dom::element e, const std::string& path,
                            ByteBuffers& buffers, std::string_view* out) {
  std::string_view text;
  if (e.get(text) == simdjson::SUCCESS) {
    *out = buffers.emplace_back(text);
    return absl::OkStatus();
  }
  simdjson::dom::object object;
  std::string_view encoded;
  std::string decoded;
  if (e.get(object) != simdjson::SUCCESS || object.size() != 1 ||
      object["base64"].get(encoded) != simdjson::SUCCESS ||
      !absl::Base64Unescape(ToAbsl(encoded), &decoded)) {
    return Mismatch(path, "a string or {\"base64\": \"...\"}");
  }
  *out = buffers.emplace_back(std::move(decoded));
  return absl::OkStatus();
}

}  // namespace message_json_internal

}  // namespace brook::json
