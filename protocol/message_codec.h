// protocol/message_codec.h: encodes, decodes and describes any message of messages.h.
//
//   std::string body;
//   EncodeMessage(request, version, &body);            // appends the body's bytes
//   absl::StatusOr<ProduceRequest> r = DecodeMessage<ProduceRequest>(body, version);
//
// Decoding is bounds-checked throughout (wire::Reader); string_view fields of the result point
// into the input, which must outlive them. Decode fails with INVALID_REQUEST when the bytes are
// truncated, an array count lies, or bytes are left over. MessageGrammar() renders the fields
// as the indented grammar used in docs/protocol.md.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook {
namespace codec_internal {

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};

class Encoder {
 public:
  Encoder(std::string* out, int16_t version) : w_(out), version_(version) {}

  // Fields() is declared non-const so one declaration serves encoding and decoding; the
  // encoder only reads the fields.
  template <class T>
  void operator()(const T& field, const char* /*name*/, int16_t since = 0) {
    if (version_ >= since) Put(field);
  }

 private:
  void Put(int8_t v) { w_.Int8(v); }
  void Put(bool v) { w_.Int8(v ? 1 : 0); }
  void Put(int16_t v) { w_.Int16(v); }
  void Put(int32_t v) { w_.Int32(v); }
  void Put(int64_t v) { w_.Int64(v); }
  void Put(ErrorCode v) { w_.Int16(static_cast<int16_t>(v)); }
  template <class T>
    requires std::is_enum_v<T>
  void Put(T v) {
    Put(static_cast<std::underlying_type_t<T>>(v));
  }
  void Put(const std::string& v) { w_.String(v); }
  void Put(const std::optional<std::string>& v) { w_.NullableString(v); }
  void Put(std::string_view v) { w_.Bytes(v); }
  template <class T>
  void Put(const std::vector<T>& v) {
    w_.Int32(static_cast<int32_t>(v.size()));
    for (const T& e : v) Put(e);
  }
  template <class T>
  void Put(const std::optional<std::vector<T>>& v) {
    if (!v) {
      w_.Int32(-1);
    } else {
      Put(*v);
    }
  }
  template <class T>
    requires std::is_class_v<T>
  void Put(const T& v) {
    const_cast<T&>(v).Fields(*this);
  }

  wire::Writer w_;
  int16_t version_;
};

class Decoder {
 public:
  Decoder(std::string_view in, int16_t version) : r_(in), version_(version) {}

  template <class T>
  void operator()(T& field, const char* /*name*/, int16_t since = 0) {
    if (version_ >= since && r_.ok()) Get(field);
  }
  wire::Reader& reader() { return r_; }

 private:
  void Get(int8_t& v) { v = r_.Int8(); }
  void Get(bool& v) { v = r_.Int8() != 0; }
  void Get(int16_t& v) { v = r_.Int16(); }
  void Get(int32_t& v) { v = r_.Int32(); }
  void Get(int64_t& v) { v = r_.Int64(); }
  void Get(ErrorCode& v) { v = ErrorCodeFromWire(r_.Int16()); }
  template <class T>
    requires std::is_enum_v<T>
  void Get(T& v) {  // Any value: the receiver validates it.
    std::underlying_type_t<T> raw{};
    Get(raw);
    v = static_cast<T>(raw);
  }
  void Get(std::string& v) { v = r_.String(); }
  void Get(std::optional<std::string>& v) { v = r_.NullableString(); }
  void Get(std::string_view& v) { v = r_.Bytes(); }
  template <class T>
  void Get(std::vector<T>& v) {
    int32_t n = r_.ArrayCount();
    v.clear();
    v.reserve(ReserveFor(n));
    for (int32_t i = 0; i < n && r_.ok(); ++i) Get(v.emplace_back());
  }
  template <class T>
  void Get(std::optional<std::vector<T>>& v) {
    int32_t n = r_.ArrayCount(/*nullable=*/true);
    if (n < 0) {
      v.reset();
      return;
    }
    v.emplace();
    v->reserve(ReserveFor(n));
    for (int32_t i = 0; i < n && r_.ok(); ++i) Get(v->emplace_back());
  }
  template <class T>
    requires std::is_class_v<T>
  void Get(T& v) {
    v.Fields(*this);
  }

  // ArrayCount bounds a count by the bytes left, but an element may be far larger in memory
  // than on the wire: reserve at most a few KiB ahead and let the vector grow past that as
  // elements actually decode, so a lying count cannot make the decoder allocate.
  static size_t ReserveFor(int32_t n) { return std::min<size_t>(static_cast<size_t>(n), 64); }

  wire::Reader r_;
  int16_t version_;
};

class GrammarWriter {
 public:
  GrammarWriter(std::string* out, int16_t version, int indent)
      : out_(out), version_(version), indent_(indent) {}

  template <class T>
  void operator()(T& field, const char* name, int16_t since = 0) {
    if (version_ < since) return;
    out_->append(static_cast<size_t>(indent_), ' ');
    out_->append(name);
    out_->append(": ");
    Describe(field);
  }

 private:
  void Line(std::string_view type) {
    out_->append(type);
    out_->push_back('\n');
  }
  void Describe(int8_t&) { Line("int8"); }
  void Describe(bool&) { Line("bool"); }
  void Describe(int16_t&) { Line("int16"); }
  void Describe(int32_t&) { Line("int32"); }
  void Describe(int64_t&) { Line("int64"); }
  void Describe(ErrorCode&) { Line("int16 (error code)"); }
  template <class T>
    requires std::is_enum_v<T>
  void Describe(T&) {
    std::underlying_type_t<T> raw{};
    Describe(raw);
  }
  void Describe(std::string&) { Line("string"); }
  void Describe(std::optional<std::string>&) { Line("nullable string"); }
  void Describe(std::string_view&) { Line("bytes"); }
  template <class T>
  void Describe(std::vector<T>&) {
    DescribeArray<T>("array of ");
  }
  template <class T>
  void Describe(std::optional<std::vector<T>>&) {
    DescribeArray<T>("nullable array of ");
  }
  template <class T>
  void DescribeArray(std::string_view prefix) {
    T element{};
    if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string>) {
      Line(std::string(prefix) + "{");
      GrammarWriter nested(out_, version_, indent_ + 2);
      element.Fields(nested);
      out_->append(static_cast<size_t>(indent_), ' ');
      Line("}");
    } else {
      out_->append(prefix);
      Describe(element);
    }
  }

  std::string* out_;
  int16_t version_;
  int indent_;
};

}  // namespace codec_internal

// Appends the encoding of `message` at `version` to *out.
template <class M>
void EncodeMessage(const M& message, int16_t version, std::string* out) {
  codec_internal::Encoder encoder(out, version);
  const_cast<M&>(message).Fields(encoder);
}

// Decodes a whole message body. Errors: INVALID_REQUEST (truncated, lying counts, or
// trailing bytes).
template <class M>
absl::StatusOr<M> DecodeMessage(std::string_view body, int16_t version) {
  M message{};
  codec_internal::Decoder decoder(body, version);
  message.Fields(decoder);
  if (!decoder.reader().ok()) {
    return MakeError(ErrorCode::kInvalidRequest, "message body is truncated or malformed");
  }
  if (decoder.reader().remaining() != 0) {
    return MakeError(ErrorCode::kInvalidRequest, "message body has trailing bytes");
  }
  return message;
}

// The grammar of a message at `version`, one field per line, nested arrays indented.
template <class M>
std::string MessageGrammar(int16_t version) {
  std::string out;
  M message{};
  codec_internal::GrammarWriter writer(&out, version, 2);
  message.Fields(writer);
  return out;
}

}  // namespace brook
