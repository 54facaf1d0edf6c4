// Tests of protocol/compression.h: every Kafka codec both ways, the framings other clients
// write, the output bound, and damaged input.
#include "protocol/compression.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/error_codes.h"

namespace brook {
namespace {

using namespace std::string_view_literals;

constexpr Compression kCodecs[] = {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                                   Compression::kZstd};

// Bytes that compress, but not to nothing: records-like text with a counter in it.
std::string Text(size_t size) {
  std::string out;
  for (uint32_t i = 0; out.size() < size; ++i) out += "record " + std::to_string(i * 7919) + ";";
  out.resize(size);
  return out;
}

std::string Packed(Compression codec, std::string_view in) {
  absl::StatusOr<std::string> packed = Compress(codec, in);
  REQUIRE(packed.ok());
  return *std::move(packed);
}

ErrorCode DecompressCode(Compression codec, std::string_view in, size_t max_out = 1 << 20) {
  std::string out;
  return CodeOf(Decompress(codec, in, max_out, &out));
}

std::string Unpacked(Compression codec, std::string_view in) {
  std::string out;
  absl::Status status = Decompress(codec, in, 64 << 20, &out);
  REQUIRE_MESSAGE(status.ok(), status.ToString());
  return out;
}

// A raw snappy block that stores `literal` (at most 60 bytes) as one literal.
std::string RawSnappyLiteral(std::string_view literal) {
  std::string block;
  block += static_cast<char>(literal.size());            // varint uncompressed length
  block += static_cast<char>((literal.size() - 1) << 2);  // literal tag
  block += literal;
  return block;
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

TEST_CASE("compression: codec names") {
  for (Compression codec : kAllCompressions) {
    CHECK(IsKnownCompression(codec));
    CHECK(CompressionFromName(CompressionName(codec)) == codec);
  }
  CHECK(CompressionName(Compression::kSnappy) == "snappy");
  CHECK_FALSE(IsKnownCompression(static_cast<Compression>(5)));
  CHECK(CompressionName(static_cast<Compression>(7)) == "unknown");
  CHECK(CompressionFromName("ZSTD") == std::nullopt);
  CHECK(CompressionFromName("lz4hc") == std::nullopt);
  CHECK(CompressionFromName("") == std::nullopt);
  CHECK(CompressionNameList() == "none, gzip, snappy, lz4, zstd");
}

TEST_CASE("compression: every codec round trips empty, small and multi-block inputs") {
  // 200 KB spans several 32 KiB xerial blocks and 64 KiB LZ4 blocks.
  for (const std::string& input : {std::string(), std::string("x"), Text(1000), Text(200000)}) {
    for (Compression codec : kAllCompressions) {
      CAPTURE(CompressionName(codec));
      CAPTURE(input.size());
      const std::string packed = Packed(codec, input);
      if (codec != Compression::kNone && input.size() >= 1000) CHECK(packed.size() < input.size());
      CHECK((Unpacked(codec, packed) == input));
    }
  }
}

TEST_CASE("compression: the framing is Kafka's") {
  const std::string input = Text(100000);
  CHECK(Packed(Compression::kGzip, input).starts_with("\x1f\x8b"sv));
  // xerial: magic, version 1, compatible version 1, then the first 32 KiB block's length.
  const std::string snappy = Packed(Compression::kSnappy, input);
  CHECK(snappy.starts_with("\x82SNAPPY\0\0\0\0\1\0\0\0\1"sv));
  // LZ4 frame: magic 0x184D2204; FLG 0x60 (version 1, independent blocks, no checksums, no
  // content size); BD 0x40 (64 KiB blocks). What Kafka's Java client and librdkafka write.
  CHECK(Packed(Compression::kLz4, input).starts_with("\x04\x22\x4d\x18\x60\x40"sv));
  CHECK(Packed(Compression::kZstd, input).starts_with("\x28\xb5\x2f\xfd"sv));
}

TEST_CASE("compression: snappy reads one raw block and xerial framing") {
  CHECK(Unpacked(Compression::kSnappy, RawSnappyLiteral("hello")) == "hello");

  std::string xerial("\x82SNAPPY\0"sv);
  xerial += BigEndian32(1) + BigEndian32(1);
  for (std::string_view part : {"kafka "sv, "and brook"sv}) {
    const std::string block = RawSnappyLiteral(part);
    xerial += BigEndian32(static_cast<uint32_t>(block.size())) + block;
  }
  CHECK(Unpacked(Compression::kSnappy, xerial) == "kafka and brook");

  // The header alone is an empty stream; a header cut short is not.
  CHECK(Unpacked(Compression::kSnappy, xerial.substr(0, 16)).empty());
  CHECK(DecompressCode(Compression::kSnappy, xerial.substr(0, 12)) == ErrorCode::kCorruptMessage);
  // A block length past the end, a length cut short, a block that is not snappy.
  CHECK(DecompressCode(Compression::kSnappy, xerial.substr(0, xerial.size() - 1)) ==
        ErrorCode::kCorruptMessage);
  CHECK(DecompressCode(Compression::kSnappy, xerial.substr(0, 18)) == ErrorCode::kCorruptMessage);
  std::string bad = xerial.substr(0, 16) + BigEndian32(2) + "\xff\xff";
  CHECK(DecompressCode(Compression::kSnappy, bad) == ErrorCode::kCorruptMessage);
}

TEST_CASE("compression: gzip members, LZ4 frames and zstd frames back to back are one stream") {
  const std::string a = Text(3000), b = "and then " + Text(5000);
  for (Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    if (codec == Compression::kSnappy) continue;  // xerial has one header; covered above.
    CHECK((Unpacked(codec, Packed(codec, a) + Packed(codec, b)) == a + b));
  }
}

TEST_CASE("compression: trailing bytes that start no frame are CORRUPT_MESSAGE") {
  for (Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    CHECK(DecompressCode(codec, Packed(codec, Text(3000)) + "xyz") ==
          ErrorCode::kCorruptMessage);
  }
}

TEST_CASE("compression: exactly max_out bytes decompress; one more is CORRUPT_MESSAGE") {
  const std::string input = Text(70000);
  for (Compression codec : kAllCompressions) {
    CAPTURE(CompressionName(codec));
    const std::string packed = Packed(codec, input);
    std::string out;
    CHECK(Decompress(codec, packed, input.size(), &out).ok());
    CHECK((out == input));
    absl::Status status = Decompress(codec, packed, input.size() - 1, &out);
    CHECK(CodeOf(status) == ErrorCode::kCorruptMessage);
    CHECK(status.message().find("more than 69999 bytes") != std::string_view::npos);
  }
}

TEST_CASE("compression: a decompression bomb stops at max_out") {
  const std::string zeros(16 << 20, '\0');
  constexpr size_t kMaxOut = 1 << 20;
  for (Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string packed = Packed(codec, zeros);
    if (codec != Compression::kSnappy) CHECK(packed.size() < zeros.size() / 200);
    std::string out;
    CHECK(CodeOf(Decompress(codec, packed, kMaxOut, &out)) == ErrorCode::kCorruptMessage);
    CHECK(out.size() <= kMaxOut + 1);  // Never more than one byte past the bound.
  }
  // A raw snappy block that claims 4 GiB is refused before anything is allocated.
  std::string out;
  CHECK(CodeOf(Decompress(Compression::kSnappy, "\xff\xff\xff\xff\x0f\x00"sv, kMaxOut, &out)) ==
        ErrorCode::kCorruptMessage);
  CHECK(out.size() <= kMaxOut + 1);
}

TEST_CASE("compression: every truncation is CORRUPT_MESSAGE") {
  const std::string input = Text(3000);
  for (Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string packed = Packed(codec, input);
    for (size_t n = 0; n < packed.size(); ++n) {
      CAPTURE(n);
      // A xerial stream cut right after its header is a valid empty stream.
      if (codec == Compression::kSnappy && n == 16) continue;
      CHECK(DecompressCode(codec, std::string_view(packed).substr(0, n)) ==
            ErrorCode::kCorruptMessage);
    }
  }
}

TEST_CASE("compression: damaged bytes decode to something or CORRUPT_MESSAGE, never crash") {
  const std::string input = Text(2000);
  for (Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string packed = Packed(codec, input);
    for (size_t i = 0; i < packed.size(); ++i) {
      for (uint8_t flip : {0x01, 0x80, 0xff}) {
        std::string damaged = packed;
        damaged[i] = static_cast<char>(damaged[i] ^ flip);
        const ErrorCode code = DecompressCode(codec, damaged, 4 << 10);
        CHECK((code == ErrorCode::kNone || code == ErrorCode::kCorruptMessage));
      }
    }
  }
}

TEST_CASE("compression: values 5-7 are UNSUPPORTED_COMPRESSION_TYPE") {
  for (int v : {5, 6, 7}) {
    const auto codec = static_cast<Compression>(v);
    CHECK(CodeOf(Compress(codec, "x").status()) == ErrorCode::kUnsupportedCompressionType);
    CHECK(DecompressCode(codec, "x") == ErrorCode::kUnsupportedCompressionType);
  }
}

}  // namespace
}  // namespace brook
