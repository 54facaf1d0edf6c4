// protocol/kafka/codec.h: encodes and decodes any Kafka message declared in protocol/kafka/.
//
//   std::string body;
//   kafka::Encode(response, version, &body);   // appends the body's bytes
//   absl::StatusOr<kafka::ProduceRequest> r = kafka::Decode<kafka::ProduceRequest>(body, 9);
//
// A message is a plain struct whose Fields(v) lists its fields in wire order, each with the
// versions it exists in:
//   v(acks, "acks");                              // every version
//   v(transactional_id, "transactional_id", Since(3));
//   v(topic_name, "name", Versions{0, 12});
//   v.Tagged(cluster_id, 0, "cluster_id", Since(12));   // a KIP-482 tagged field, tag 0
// and declares `static constexpr int16_t kFlexibleFrom` (the first flexible version, or
// kNeverFlexible). The codec, not the message, handles flexible versions (KIP-482): from
// kFlexibleFrom on, strings, bytes and arrays are "compact" (unsigned-varint length + 1, 0 =
// null) and every struct ends with its tagged fields (count, then tag, size, bytes each;
// unknown tags are skipped, and a tagged field is written only when it differs from its
// default).
//
// Field types: int8_t, int16_t, int32_t, int64_t, uint16_t, bool, double, Uuid, std::string
// (string), std::optional<std::string> (nullable string), std::string_view (bytes, also
// `records`), std::optional<std::string_view> (nullable bytes), std::vector<T> (array),
// std::optional<std::vector<T>> (nullable array), and nested structs with Fields(). An empty
// optional is written as null whatever the version: where a field is nullable only in some
// versions, the code filling the message sets a value in the others.
//
// Decoding is bounds-checked throughout (wire::Reader): a truncated body or a lying length or
// count fails with INVALID_REQUEST and never allocates beyond the input. Bytes after the last
// field are ignored, as Kafka's broker ignores them (see Decode).
// string_view fields of a decoded message point into the input, which must outlive them.
// Encoded string_views must stay valid until Encode returns. Thread-safety: stateless.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook::kafka {

// An inclusive range of API versions.
struct Versions {
  int16_t min = 0;
  int16_t max = std::numeric_limits<int16_t>::max();
  constexpr bool Contains(int16_t v) const { return v >= min && v <= max; }
};
constexpr Versions Since(int16_t v) { return Versions{v, std::numeric_limits<int16_t>::max()}; }
constexpr Versions Until(int16_t v) { return Versions{0, v}; }  // 0..v inclusive.

inline constexpr int16_t kNeverFlexible = std::numeric_limits<int16_t>::max();

// Kafka's uuid: 16 bytes (topic ids, directory ids). All zero is "none".
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const Uuid&, const Uuid&) = default;
};

// A topic with per-partition entries: the shape of Produce, Fetch, ListOffsets,
// OffsetForLeaderEpoch and the offset APIs, requests and answers alike.
template <class Partition>
struct TopicOf {
  std::string name;
  std::vector<Partition> partitions;
  template <class V> void Fields(V& v) {
    v(name, "name");
    v(partitions, "partitions");
  }
};

namespace codec_internal {

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};

// True for values a tagged field does not need to carry.
template <class T>
bool IsDefault(const T& v) {
  if constexpr (std::is_arithmetic_v<T> || std::is_same_v<T, Uuid>) {
    return v == T{};
  } else if constexpr (IsVector<T>::value || std::is_same_v<T, std::string> ||
                       std::is_same_v<T, std::string_view>) {
    return v.empty();
  } else {
    return false;  // Optionals and structs: always written when the message sets them.
  }
}

class Encoder {
 public:
  Encoder(std::string* out, int16_t version, bool flexible)
      : out_(out), w_(out), version_(version), flexible_(flexible) {}

  template <class T>
  void operator()(const T& field, const char* /*name*/, Versions versions = {}) {
    if (versions.Contains(version_)) Put(field);
  }
  template <class T>
  void Tagged(const T& field, uint32_t tag, const char* /*name*/, Versions versions = {}) {
    if (!flexible_ || !versions.Contains(version_) || IsDefault(field)) return;
    std::string bytes;
    Encoder nested(&bytes, version_, flexible_);
    nested.Put(field);
    tagged_.emplace_back(tag, std::move(bytes));
  }

  template <class M>
  void Struct(const M& message) {
    Encoder nested(out_, version_, flexible_);
    const_cast<M&>(message).Fields(nested);
    nested.FinishTags();
  }

 private:
  void Put(int8_t v) { w_.Int8(v); }
  void Put(bool v) { w_.Int8(v ? 1 : 0); }
  void Put(int16_t v) { w_.Int16(v); }
  void Put(uint16_t v) { w_.Int16(static_cast<int16_t>(v)); }
  void Put(int32_t v) { w_.Int32(v); }
  void Put(int64_t v) { w_.Int64(v); }
  void Put(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    w_.Int64(static_cast<int64_t>(bits));
  }
  void Put(ErrorCode v) { w_.Int16(static_cast<int16_t>(v)); }
  void Put(const Uuid& v) {
    w_.Raw(std::string_view(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size()));
  }
  void Put(const std::string& v) { PutString(v); }
  void Put(const std::optional<std::string>& v) {
    if (v) {
      PutString(*v);
    } else {
      PutNullLength(/*classic_width=*/2);
    }
  }
  void Put(std::string_view v) { PutBytes(v); }
  void Put(const std::optional<std::string_view>& v) {
    if (v) {
      PutBytes(*v);
    } else {
      PutNullLength(/*classic_width=*/4);
    }
  }
  template <class T>
  void Put(const std::vector<T>& v) {
    PutLength(v.size(), /*classic_width=*/4);
    for (const T& e : v) Put(e);
  }
  template <class T>
  void Put(const std::optional<std::vector<T>>& v) {
    if (v) {
      Put(*v);
    } else {
      PutNullLength(/*classic_width=*/4);
    }
  }
  template <class T>
    requires std::is_class_v<T>
  void Put(const T& v) {
    Struct(v);
  }

  void PutString(std::string_view s) {
    PutLength(s.size(), /*classic_width=*/2);
    w_.Raw(s);
  }
  void PutBytes(std::string_view b) {
    PutLength(b.size(), /*classic_width=*/4);
    w_.Raw(b);
  }
  void PutLength(size_t n, int classic_width) {
    if (flexible_) {
      w_.UVarInt(n + 1);
    } else if (classic_width == 2) {
      w_.Int16(static_cast<int16_t>(n));
    } else {
      w_.Int32(static_cast<int32_t>(n));
    }
  }
  void PutNullLength(int classic_width) {
    if (flexible_) {
      w_.UVarInt(0);
    } else if (classic_width == 2) {
      w_.Int16(-1);
    } else {
      w_.Int32(-1);
    }
  }
  void FinishTags() {
    if (!flexible_) return;
    std::sort(tagged_.begin(), tagged_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    w_.UVarInt(tagged_.size());
    for (const auto& [tag, bytes] : tagged_) {
      w_.UVarInt(tag);
      w_.UVarInt(bytes.size());
      w_.Raw(bytes);
    }
  }

  std::string* out_;
  wire::Writer w_;
  int16_t version_;
  bool flexible_;
  std::vector<std::pair<uint32_t, std::string>> tagged_;
};

class Decoder {
 public:
  Decoder(wire::Reader* r, int16_t version, bool flexible)
      : r_(r), version_(version), flexible_(flexible) {}

  template <class T>
  void operator()(T& field, const char* /*name*/, Versions versions = {}) {
    if (versions.Contains(version_) && r_->ok()) Get(field);
  }
  template <class T>
  void Tagged(T& field, uint32_t tag, const char* /*name*/, Versions versions = {}) {
    if (!flexible_ || !versions.Contains(version_)) return;
    tagged_.push_back({tag, [&field, this](wire::Reader* r) {
                         Decoder nested(r, version_, flexible_);
                         nested.Get(field);
                       }});
  }

  template <class M>
  void Struct(M& message) {
    Decoder nested(r_, version_, flexible_);
    message.Fields(nested);
    nested.ReadTags();
  }

 private:
  void Get(int8_t& v) { v = r_->Int8(); }
  void Get(bool& v) { v = r_->Int8() != 0; }
  void Get(int16_t& v) { v = r_->Int16(); }
  void Get(uint16_t& v) { v = static_cast<uint16_t>(r_->Int16()); }
  void Get(int32_t& v) { v = r_->Int32(); }
  void Get(int64_t& v) { v = r_->Int64(); }
  void Get(double& v) {
    uint64_t bits = static_cast<uint64_t>(r_->Int64());
    std::memcpy(&v, &bits, sizeof v);
  }
  void Get(ErrorCode& v) { v = ErrorCodeFromWire(r_->Int16()); }
  void Get(Uuid& v) {
    std::string_view raw = r_->Raw(v.bytes.size());
    if (r_->ok()) std::memcpy(v.bytes.data(), raw.data(), raw.size());
  }
  void Get(std::string& v) {
    std::optional<int64_t> n = GetLength(/*classic_width=*/2);
    v = n ? std::string(r_->Raw(static_cast<size_t>(*n))) : std::string();
  }
  void Get(std::optional<std::string>& v) {
    std::optional<int64_t> n = GetLength(/*classic_width=*/2);
    if (n) {
      v = std::string(r_->Raw(static_cast<size_t>(*n)));
    } else {
      v.reset();
    }
  }
  void Get(std::string_view& v) {
    std::optional<int64_t> n = GetLength(/*classic_width=*/4);
    v = n ? r_->Raw(static_cast<size_t>(*n)) : std::string_view();
  }
  void Get(std::optional<std::string_view>& v) {
    std::optional<int64_t> n = GetLength(/*classic_width=*/4);
    if (n) {
      v = r_->Raw(static_cast<size_t>(*n));
    } else {
      v.reset();
    }
  }
  template <class T>
  void Get(std::vector<T>& v) {
    std::optional<int64_t> n = GetLength(/*classic_width=*/4);
    v.clear();
    if (n) GetElements(*n, &v);
  }
  template <class T>
  void Get(std::optional<std::vector<T>>& v) {
    std::optional<int64_t> n = GetLength(/*classic_width=*/4);
    if (!n) {
      v.reset();
      return;
    }
    v.emplace();
    GetElements(*n, &*v);
  }
  template <class T>
    requires std::is_class_v<T>
  void Get(T& v) {
    Struct(v);
  }

  template <class T>
  void GetElements(int64_t n, std::vector<T>* v) {
    // Every element takes at least one byte, so a count above the bytes left is a lie; reserve
    // a little and let the vector grow as elements actually decode.
    if (static_cast<uint64_t>(n) > r_->remaining()) {
      r_->Fail();
      return;
    }
    v->reserve(std::min<size_t>(static_cast<size_t>(n), 64));
    for (int64_t i = 0; i < n && r_->ok(); ++i) Get(v->emplace_back());
  }

  // A length or count; nullopt for null. A negative length other than null fails the reader.
  std::optional<int64_t> GetLength(int classic_width) {
    int64_t n;
    if (flexible_) {
      n = static_cast<int64_t>(r_->UVarInt()) - 1;
    } else if (classic_width == 2) {
      n = r_->Int16();
    } else {
      n = r_->Int32();
    }
    if (!r_->ok()) return std::nullopt;
    if (n == -1) return std::nullopt;
    if (n < 0 || static_cast<uint64_t>(n) > r_->remaining()) {
      r_->Fail();
      return std::nullopt;
    }
    return n;
  }

  void ReadTags() {
    if (!flexible_ || !r_->ok()) return;
    uint32_t count = r_->UVarInt();
    for (uint32_t i = 0; i < count && r_->ok(); ++i) {
      uint32_t tag = r_->UVarInt();
      uint32_t size = r_->UVarInt();
      std::string_view bytes = r_->Raw(size);
      if (!r_->ok()) return;
      for (const auto& [known, decode] : tagged_) {
        if (known != tag) continue;
        wire::Reader field(bytes);
        decode(&field);
        if (!field.ok()) r_->Fail();
      }
    }
  }

  wire::Reader* r_;
  int16_t version_;
  bool flexible_;
  std::vector<std::pair<uint32_t, std::function<void(wire::Reader*)>>> tagged_;
};

}  // namespace codec_internal

// Appends the encoding of `message` at `version` to *out.
template <class M>
void Encode(const M& message, int16_t version, std::string* out) {
  codec_internal::Encoder encoder(out, version, version >= M::kFlexibleFrom);
  encoder.Struct(message);
}

// Decodes `message` at `version` from the front of *reader, leaving the rest; check
// reader->ok() afterwards.
template <class M>
void DecodeFrom(wire::Reader* reader, int16_t version, M* message) {
  codec_internal::Decoder decoder(reader, version, version >= M::kFlexibleFrom);
  decoder.Struct(*message);
}

// Decodes a message body. Bytes after its last field are ignored, as Kafka's broker ignores
// them (it parses a request from the front of the frame and never checks that nothing is
// left): librdkafka 2.0 (Debian 12's) ends its flexible ListGroups requests with a second, empty
// tagged-field section. Errors: INVALID_REQUEST (truncated, lying lengths or counts).
template <class M>
absl::StatusOr<M> Decode(std::string_view body, int16_t version) {
  M message{};
  wire::Reader reader(body);
  DecodeFrom(&reader, version, &message);
  if (!reader.ok()) {
    return MakeError(ErrorCode::kInvalidRequest, "request body is truncated or malformed");
  }
  return message;
}

}  // namespace brook::kafka
