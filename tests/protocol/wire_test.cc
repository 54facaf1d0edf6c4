// Tests of protocol/wire.h: primitive encodings and the bounds-checked reader.
#include "protocol/wire.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace brook::wire {
namespace {

std::string Encode(void (*fn)(Writer&)) {
  std::string out;
  Writer w(&out);
  fn(w);
  return out;
}

TEST_CASE("wire: integers are big-endian two's complement") {
  CHECK(Encode([](Writer& w) { w.Int8(-2); }) == std::string("\xfe", 1));
  CHECK(Encode([](Writer& w) { w.Int16(0x0102); }) == std::string("\x01\x02", 2));
  CHECK(Encode([](Writer& w) { w.Int16(-1); }) == std::string("\xff\xff", 2));
  CHECK(Encode([](Writer& w) { w.Int32(0x01020304); }) == std::string("\x01\x02\x03\x04", 4));
  CHECK(Encode([](Writer& w) { w.Int64(0x0102030405060708); }) ==
        std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(Encode([](Writer& w) { w.UInt32(0xE3069283u); }) == std::string("\xe3\x06\x92\x83", 4));
}

TEST_CASE("wire: integer round trip at the extremes") {
  std::string out;
  Writer w(&out);
  w.Int8(std::numeric_limits<int8_t>::min());
  w.Int16(std::numeric_limits<int16_t>::min());
  w.Int32(std::numeric_limits<int32_t>::min());
  w.Int64(std::numeric_limits<int64_t>::min());
  w.Int64(std::numeric_limits<int64_t>::max());
  w.UInt32(std::numeric_limits<uint32_t>::max());
  Reader r(out);
  CHECK(r.Int8() == std::numeric_limits<int8_t>::min());
  CHECK(r.Int16() == std::numeric_limits<int16_t>::min());
  CHECK(r.Int32() == std::numeric_limits<int32_t>::min());
  CHECK(r.Int64() == std::numeric_limits<int64_t>::min());
  CHECK(r.Int64() == std::numeric_limits<int64_t>::max());
  CHECK(r.UInt32() == std::numeric_limits<uint32_t>::max());
  CHECK(r.ok());
  CHECK(r.remaining() == 0);
}

TEST_CASE("wire: varints are zig-zag LEB128") {
  CHECK(Encode([](Writer& w) { w.VarInt(0); }) == std::string("\x00", 1));
  CHECK(Encode([](Writer& w) { w.VarInt(-1); }) == "\x01");
  CHECK(Encode([](Writer& w) { w.VarInt(1); }) == "\x02");
  CHECK(Encode([](Writer& w) { w.VarInt(-2); }) == "\x03");
  CHECK(Encode([](Writer& w) { w.VarInt(63); }) == "\x7e");
  CHECK(Encode([](Writer& w) { w.VarInt(64); }) == "\x80\x01");
  CHECK(Encode([](Writer& w) { w.VarInt(300); }) == "\xd8\x04");
}

TEST_CASE("wire: varint round trip at the extremes") {
  const int64_t longs[] = {0, 1, -1, 150, -150, std::numeric_limits<int64_t>::min(),
                           std::numeric_limits<int64_t>::max()};
  for (int64_t v : longs) {
    std::string out;
    Writer(&out).VarLong(v);
    CHECK(out.size() <= 10);
    Reader r(out);
    CHECK(r.VarLong() == v);
    CHECK(r.ok());
    CHECK(r.remaining() == 0);
  }
  const int32_t ints[] = {std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max()};
  for (int32_t v : ints) {
    std::string out;
    Writer(&out).VarInt(v);
    Reader r(out);
    CHECK(r.VarInt() == v);
    CHECK(r.ok());
  }
}

TEST_CASE("wire: VarInt fails on a value outside int32") {
  std::string out;
  Writer(&out).VarLong(int64_t{1} << 40);
  Reader r(out);
  CHECK(r.VarInt() == 0);
  CHECK_FALSE(r.ok());
}

TEST_CASE("wire: an unterminated or overlong varint fails") {
  Reader truncated(std::string_view("\x80\x80", 2));
  truncated.VarLong();
  CHECK_FALSE(truncated.ok());

  const std::string eleven(11, '\x80');
  Reader overlong(eleven);
  overlong.VarLong();
  CHECK_FALSE(overlong.ok());
}

TEST_CASE("wire: strings, nullable strings and bytes") {
  std::string out;
  Writer w(&out);
  w.String("abc");
  w.NullableString(std::nullopt);
  w.NullableString(std::string("xy"));
  w.Bytes(std::string_view("\x00\x01", 2));
  w.Int32(-1);  // A null bytes field.
  CHECK(out.substr(0, 5) == std::string("\x00\x03" "abc", 5));
  CHECK(out.substr(5, 2) == "\xff\xff");

  Reader r(out);
  CHECK(r.String() == "abc");
  CHECK(r.NullableString() == std::nullopt);
  CHECK(r.NullableString() == std::optional<std::string>("xy"));
  CHECK(r.Bytes() == std::string_view("\x00\x01", 2));
  CHECK(r.NullableBytes() == std::nullopt);
  CHECK(r.ok());
  CHECK(r.remaining() == 0);
}

TEST_CASE("wire: a null where a string is required fails the reader") {
  std::string out;
  Writer(&out).Int16(-1);
  Reader r(out);
  CHECK(r.String().empty());
  CHECK_FALSE(r.ok());
}

TEST_CASE("wire: a negative length other than -1 fails") {
  std::string out;
  Writer w(&out);
  w.Int16(-2);
  Reader strings(out);
  strings.NullableString();
  CHECK_FALSE(strings.ok());

  out.clear();
  w.Int32(-7);
  Reader bytes(out);
  bytes.NullableBytes();
  CHECK_FALSE(bytes.ok());

  out.clear();
  w.VarInt(-3);
  Reader varbytes(out);
  varbytes.VarBytes();
  CHECK_FALSE(varbytes.ok());
}

TEST_CASE("wire: VarBytes reads varint-length fields and -1 as null") {
  std::string out;
  Writer w(&out);
  w.VarInt(2);
  w.Raw("hi");
  w.VarInt(-1);
  Reader r(out);
  CHECK(r.VarBytes() == std::optional<std::string_view>("hi"));
  CHECK(r.VarBytes() == std::nullopt);
  CHECK(r.ok());
}

TEST_CASE("wire: reading past the end fails once and stays failed") {
  Reader r(std::string_view("\x01\x02\x03", 3));
  CHECK(r.Int32() == 0);
  CHECK_FALSE(r.ok());
  CHECK(r.remaining() == 0);
  CHECK(r.Int8() == 0);  // Later reads return zero values.
  CHECK(r.String().empty());
  CHECK_FALSE(r.ok());
}

TEST_CASE("wire: a length longer than the input fails") {
  std::string out;
  Writer w(&out);
  w.Int16(10);
  w.Raw("abc");
  Reader r(out);
  r.String();
  CHECK_FALSE(r.ok());
}

TEST_CASE("wire: ArrayCount rejects counts larger than the bytes left") {
  std::string out;
  Writer w(&out);
  w.Int32(3);
  w.Raw("abc");
  CHECK(Reader(out).ArrayCount() == 3);

  out.clear();
  w.Int32(4);
  w.Raw("abc");
  Reader lying(out);
  CHECK(lying.ArrayCount() == 0);
  CHECK_FALSE(lying.ok());

  out.clear();
  w.Int32(std::numeric_limits<int32_t>::max());
  Reader huge(out);
  CHECK(huge.ArrayCount() == 0);
  CHECK_FALSE(huge.ok());
}

TEST_CASE("wire: ArrayCount takes -1 only when nullable") {
  std::string out;
  Writer(&out).Int32(-1);
  Reader nullable(out);
  CHECK(nullable.ArrayCount(/*nullable=*/true) == -1);
  CHECK(nullable.ok());
  Reader required(out);
  CHECK(required.ArrayCount() == 0);
  CHECK_FALSE(required.ok());
}

TEST_CASE("wire: PatchInt32 overwrites a placeholder") {
  std::string out;
  Writer w(&out);
  w.Int32(0);
  w.Raw("xyz");
  w.PatchInt32(0, 0x0a0b0c0d);
  CHECK(out == "\x0a\x0b\x0c\x0dxyz");
  CHECK(w.size() == 7);
}

TEST_CASE("wire: Raw returns a view and rest() what is left") {
  const std::string in = "abcdef";
  Reader r(in);
  CHECK(r.Raw(2) == "ab");
  CHECK(r.rest() == "cdef");
  r.Fail();
  CHECK_FALSE(r.ok());
  CHECK(r.rest().empty());
}

}  // namespace
}  // namespace brook::wire
