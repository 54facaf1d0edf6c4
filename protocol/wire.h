// protocol/wire.h: the primitive encodings of brook's protocol and of record batches.
//
// Integers are big-endian two's complement. Varints are zig-zag LEB128 (as in protobuf and
// Kafka's record format). `string` is an int16 length then UTF-8 bytes (-1 = null);
// `bytes` is an int32 length then raw bytes (-1 = null); arrays are an int32 count then the
// elements (-1 = null).
//
// WireWriter appends to a caller-owned std::string. WireReader reads from a caller-owned
// buffer and never reads past its end: the first read that would overflow puts the reader
// in a failed state, every later read returns a zero value, and ok() stays false. Callers read
// a whole message, then check ok() once. Neither class is thread-safe; both are cheap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace brook::wire {

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void Int8(int8_t v) { out_->push_back(static_cast<char>(v)); }
  void Int16(int16_t v) { PutBigEndian(static_cast<uint16_t>(v), 2); }
  void Int32(int32_t v) { PutBigEndian(static_cast<uint32_t>(v), 4); }
  void Int64(int64_t v) { PutBigEndian(static_cast<uint64_t>(v), 8); }
  void UInt32(uint32_t v) { PutBigEndian(v, 4); }
  void VarInt(int32_t v);
  void VarLong(int64_t v);
  void UVarInt(uint64_t v);  // Unsigned LEB128, no zig-zag (Kafka's compact lengths, tags).
  void String(std::string_view s);  // REQUIRES: s.size() <= INT16_MAX.
  void NullableString(const std::optional<std::string>& s);
  void Bytes(std::string_view b);  // REQUIRES: b.size() <= INT32_MAX.
  void Raw(std::string_view b) { out_->append(b); }

  size_t size() const { return out_->size(); }
  // Overwrites 4 bytes at `pos` (written earlier as a placeholder) with `v`.
  void PatchInt32(size_t pos, int32_t v);

 private:
  void PutBigEndian(uint64_t v, int bytes);
  std::string* out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  int8_t Int8();
  int16_t Int16();
  int32_t Int32();
  int64_t Int64();
  uint32_t UInt32();
  int32_t VarInt();
  int64_t VarLong();
  // An unsigned LEB128 varint of at most 5 bytes (a uint32): Kafka's compact lengths and tags.
  uint32_t UVarInt();
  std::string String();  // A null string fails the reader; use NullableString for those.
  std::optional<std::string> NullableString();
  std::string_view Bytes();  // A view into the input buffer; null reads as empty.
  std::optional<std::string_view> NullableBytes();
  // A length-prefixed field with a varint length (record keys, values and headers).
  std::optional<std::string_view> VarBytes();
  std::string_view Raw(size_t n);
  // Reads an array count; fails when it is negative (except -1 if nullable) or larger than
  // the bytes left (each element takes at least one byte), so a lying count cannot make a
  // caller allocate.
  int32_t ArrayCount(bool nullable = false);

  bool ok() const { return ok_; }
  void Fail() { ok_ = false; in_ = {}; }
  size_t remaining() const { return in_.size(); }
  std::string_view rest() const { return in_; }

 private:
  uint64_t GetBigEndian(int bytes);
  uint64_t GetUVarint(int max_bytes);
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace brook::wire
