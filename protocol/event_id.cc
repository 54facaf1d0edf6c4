#include "protocol/event_id.h"

#include <cstdint>
#include <random>

#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool IsDash(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> ParseEventId(std::string_view text) {
  const auto bad = [&] {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("event id '{}' is not a UUID (8-4-4-4-12 hex digits)", text));
  };
  if (text.size() != 36) return bad();
  std::string bytes;
  bytes.reserve(kEventIdBytes);
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsDash(i)) {
      if (text[i] != '-') return bad();
      continue;
    }
    const int digit = HexValue(text[i]);
    if (digit < 0) return bad();
    if (high < 0) {
      high = digit;
    } else {
      bytes.push_back(static_cast<char>(high << 4 | digit));
      high = -1;
    }
  }
  return bytes;
}

std::string FormatEventId(std::string_view bytes) {
  std::string text;
  text.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    const auto byte = static_cast<uint8_t>(bytes[i]);
    text.push_back(kHex[byte >> 4]);
    text.push_back(kHex[byte & 0xf]);
  }
  return text;
}

std::string NewEventId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::string bytes(kEventIdBytes, '\0');
  for (size_t i = 0; i < kEventIdBytes; i += 8) {
    uint64_t word = generator();
    for (size_t j = 0; j < 8; ++j) bytes[i + j] = static_cast<char>(word >> (8 * j));
  }
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // Version 4.
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // Variant 1.
  return bytes;
}

}  // namespace brook
