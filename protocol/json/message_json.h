// protocol/json/message_json.h: any message of protocol/messages.h as JSON and back, driven by
// its Fields() (the names declared there and in docs/protocol.md): the HTTP API's generic
// form of brook's protocol (docs/http-api.md, `POST /api/v1/{Api}`).
//
// JSON form: integers are numbers, bools booleans, strings strings, nullable strings a string
// or null, arrays arrays, nested messages objects; an ErrorCode is its name ("NONE",
// "UNKNOWN_TOPIC_OR_PARTITION", read back from a name or a number); other enums their number
// (written only: no request read from JSON has one); bytes (std::string_view) are written as
// json::Bytes does and read back from either form (a string, or {"base64": ...}) into
// buffers the caller keeps.
// Reading checks every type and integer range, refuses fields the message does not have (a
// misspelt field must not be ignored silently) and leaves absent fields at their defaults.
// Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/json/json.h"
#include "simdjson.h"

namespace brook::json {
namespace message_json_internal {

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};

template <class T>
boost::json::value ToValue(const T& v);

class FieldWriter {
 public:
  explicit FieldWriter(boost::json::object& out) : out_(out) {}
  template <class T>
  void operator()(const T& field, const char* name, int16_t /*since*/ = 0) {
    out_[name] = ToValue(field);
  }

 private:
  boost::json::object& out_;
};

template <class T>
boost::json::value ToValue(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return boost::json::value(v);
  } else if constexpr (std::is_same_v<T, ErrorCode>) {
    const std::string_view name = ErrorName(v);
    return boost::json::string(name.data(), name.size());
  } else if constexpr (std::is_enum_v<T>) {
    return boost::json::value(static_cast<int64_t>(v));
  } else if constexpr (std::is_integral_v<T>) {
    return boost::json::value(static_cast<int64_t>(v));
  } else if constexpr (std::is_same_v<T, std::string>) {
    return boost::json::string(v.data(), v.size());
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return Bytes(v);
  } else if constexpr (IsVector<T>::value) {
    boost::json::array array;
    for (const auto& element : v) array.push_back(ToValue(element));
    return array;
  } else if constexpr (IsOptional<T>::value) {
    return v ? ToValue(*v) : boost::json::value(nullptr);
  } else {
    boost::json::object object;
    FieldWriter writer(object);
    const_cast<T&>(v).Fields(writer);
    return object;
  }
}

inline absl::Status Mismatch(const std::string& path, std::string_view expected) {
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("{}: expected {}", path.empty() ? "the body" : path, expected));
}

// Where bytes read from JSON are kept: views in the message point into them.
using ByteBuffers = std::deque<std::string>;

template <class T>
absl::Status FromValue(simdjson::dom::element e, const std::string& path, ByteBuffers& buffers,
                       T* out);

// Reads bytes: a string is its UTF-8 bytes, {"base64": "..."} the bytes it encodes.
absl::Status BytesFromValue(simdjson::dom::element e, const std::string& path,
                            ByteBuffers& buffers, std::string_view* out);

class FieldReader {
 public:
  FieldReader(simdjson::dom::object object, const std::string& path, ByteBuffers& buffers)
      : object_(object), path_(path), buffers_(buffers) {}

  template <class T>
  void operator()(T& field, const char* name, int16_t /*since*/ = 0) {
    known_.insert(name);
    simdjson::dom::element value;
    if (!status_.ok() || object_[name].get(value) != simdjson::SUCCESS) return;
    status_ = FromValue(value, path_.empty() ? name : path_ + "." + name, buffers_, &field);
  }

  // The first error, or a field the message does not have.
  absl::Status Finish() const {
    if (!status_.ok()) return status_;
    for (auto [key, value] : object_) {
      if (!known_.contains(key)) {
        return MakeError(ErrorCode::kInvalidRequest,
                         fmt::format("{}: unknown field \"{}\"",
                                     path_.empty() ? "the body" : path_, std::string_view(key)));
      }
    }
    return absl::OkStatus();
  }

 private:
  simdjson::dom::object object_;
  const std::string& path_;
  ByteBuffers& buffers_;
  absl::flat_hash_set<std::string_view> known_;
  absl::Status status_;
};

template <class T>
absl::Status FromValue(simdjson::dom::element e, const std::string& path, ByteBuffers& buffers,
                       T* out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (e.get(*out) != simdjson::SUCCESS) return Mismatch(path, "true or false");
  } else if constexpr (std::is_same_v<T, ErrorCode>) {
    std::string_view name;
    int64_t number = 0;
    if (e.get(name) == simdjson::SUCCESS) {
      std::optional<ErrorCode> code = ErrorCodeFromName(name);
      if (!code) return Mismatch(path, "an error code name");
      *out = *code;
    } else if (e.get(number) == simdjson::SUCCESS && number >= INT16_MIN && number <= INT16_MAX) {
      *out = ErrorCodeFromWire(static_cast<int16_t>(number));
    } else {
      return Mismatch(path, "an error code");
    }
  } else if constexpr (std::is_integral_v<T>) {
    int64_t number = 0;
    if (e.get(number) != simdjson::SUCCESS || number < std::numeric_limits<T>::min() ||
        number > std::numeric_limits<T>::max()) {
      return Mismatch(path, fmt::format("an integer in [{}, {}]",
                                        int64_t{std::numeric_limits<T>::min()},
                                        int64_t{std::numeric_limits<T>::max()}));
    }
    *out = static_cast<T>(number);
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::string_view text;
    if (e.get(text) != simdjson::SUCCESS) return Mismatch(path, "a string");
    out->assign(text);
  } else if constexpr (std::is_same_v<T, std::string_view>) {
    return BytesFromValue(e, path, buffers, out);
  } else if constexpr (IsVector<T>::value) {
    simdjson::dom::array array;
    if (e.get(array) != simdjson::SUCCESS) return Mismatch(path, "an array");
    out->clear();
    size_t index = 0;
    for (simdjson::dom::element element : array) {
      typename T::value_type value{};
      if (absl::Status s =
              FromValue(element, fmt::format("{}[{}]", path, index++), buffers, &value);
          !s.ok()) {
        return s;
      }
      out->push_back(std::move(value));
    }
  } else if constexpr (IsOptional<T>::value) {
    if (e.is_null()) {
      out->reset();
      return absl::OkStatus();
    }
    typename T::value_type value{};
    if (absl::Status s = FromValue(e, path, buffers, &value); !s.ok()) return s;
    *out = std::move(value);
  } else {
    static_assert(std::is_class_v<T>, "enums are not read from JSON");
    simdjson::dom::object object;
    if (e.get(object) != simdjson::SUCCESS) return Mismatch(path, "an object");
    FieldReader reader(object, path, buffers);
    out->Fields(reader);
    return reader.Finish();
  }
  return absl::OkStatus();
}

}  // namespace message_json_internal

// `message` as a JSON object.
template <class Message>
boost::json::value MessageToJson(const Message& message) {
  return message_json_internal::ToValue(message);
}

// Reads a Message from JSON text; its bytes fields point into `buffers`, which must outlive
// it. Errors: INVALID_REQUEST naming the field ("topics[0].name: expected a string", "the
// body: unknown field \"topic\"") or the JSON syntax error.
template <class Message>
absl::StatusOr<Message> MessageFromJson(std::string_view text,
                                        message_json_internal::ByteBuffers& buffers) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (simdjson::error_code error = parser.parse(text.data(), text.size()).get(root)) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("the body is not JSON: {}", simdjson::error_message(error)));
  }
  Message message{};
  if (absl::Status s = message_json_internal::FromValue(root, "", buffers, &message); !s.ok()) {
    return s;
  }
  return message;
}

}  // namespace brook::json
