#include "protocol/wire.h"

#include <limits>

namespace brook::wire {

void Writer::PutBigEndian(uint64_t v, int bytes) {
  char buf[8];
  for (int i = bytes - 1; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out_->append(buf, bytes);
}

void Writer::VarLong(int64_t v) {
  UVarInt((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void Writer::UVarInt(uint64_t z) {
  char buf[10];
  int n = 0;
  while (z >= 0x80) {
    buf[n++] = static_cast<char>((z & 0x7f) | 0x80);
    z >>= 7;
  }
  buf[n++] = static_cast<char>(z);
  out_->append(buf, n);
}

void Writer::VarInt(int32_t v) { VarLong(v); }

void Writer::String(std::string_view s) {
  Int16(static_cast<int16_t>(s.size()));
  out_->append(s);
}

void Writer::NullableString(const std::optional<std::string>& s) {
  if (!s) {
    Int16(-1);
  } else {
    String(*s);
  }
}

void Writer::Bytes(std::string_view b) {
  Int32(static_cast<int32_t>(b.size()));
  out_->append(b);
}

void Writer::PatchInt32(size_t pos, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int i = 3; i >= 0; --i) {
    (*out_)[pos + i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
}

uint64_t Reader::GetBigEndian(int bytes) {
  if (in_.size() < static_cast<size_t>(bytes)) {
    Fail();
    return 0;
  }
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
  in_.remove_prefix(bytes);
  return v;
}

int8_t Reader::Int8() { return static_cast<int8_t>(GetBigEndian(1)); }
int16_t Reader::Int16() { return static_cast<int16_t>(GetBigEndian(2)); }
int32_t Reader::Int32() { return static_cast<int32_t>(GetBigEndian(4)); }
int64_t Reader::Int64() { return static_cast<int64_t>(GetBigEndian(8)); }
uint32_t Reader::UInt32() { return static_cast<uint32_t>(GetBigEndian(4)); }

uint64_t Reader::GetUVarint(int max_bytes) {
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (in_.empty()) break;
    uint8_t b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return v;
  }
  Fail();
  return 0;
}

int64_t Reader::VarLong() {
  uint64_t z = GetUVarint(10);
  return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
}

uint32_t Reader::UVarInt() {
  uint64_t v = GetUVarint(5);
  if (v > 0xffffffffu) {
    Fail();
    return 0;
  }
  return static_cast<uint32_t>(v);
}

int32_t Reader::VarInt() {
  int64_t v = VarLong();
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    Fail();
    return 0;
  }
  return static_cast<int32_t>(v);
}

std::string_view Reader::Raw(size_t n) {
  if (in_.size() < n) {
    Fail();
    return {};
  }
  std::string_view out = in_.substr(0, n);
  in_.remove_prefix(n);
  return out;
}

std::optional<std::string> Reader::NullableString() {
  int16_t len = Int16();
  if (!ok_ || len == -1) return std::nullopt;
  if (len < 0) {
    Fail();
    return std::nullopt;
  }
  return std::string(Raw(static_cast<size_t>(len)));
}

std::string Reader::String() {
  int16_t len = Int16();
  if (len < 0) {
    Fail();
    return {};
  }
  return std::string(Raw(static_cast<size_t>(len)));
}

std::optional<std::string_view> Reader::NullableBytes() {
  int32_t len = Int32();
  if (!ok_ || len == -1) return std::nullopt;
  if (len < 0) {
    Fail();
    return std::nullopt;
  }
  return Raw(static_cast<size_t>(len));
}

std::string_view Reader::Bytes() { return NullableBytes().value_or(std::string_view()); }

std::optional<std::string_view> Reader::VarBytes() {
  int32_t len = VarInt();
  if (!ok_ || len == -1) return std::nullopt;
  if (len < 0) {
    Fail();
    return std::nullopt;
  }
  return Raw(static_cast<size_t>(len));
}

int32_t Reader::ArrayCount(bool nullable) {
  int32_t n = Int32();
  if (nullable && n == -1) return -1;
  if (n < 0 || static_cast<size_t>(n) > in_.size()) {
    Fail();
    return 0;
  }
  return n;
}

}  // namespace brook::wire
