#include "broker/group/protocol_vote.h"

#include <algorithm>

namespace brook::group {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

bool IsContinuation(std::string_view s, size_t i) {
  return i < s.size() && (static_cast<uint8_t>(s[i]) & 0xC0) == 0x80;
}

// Decodes the code point at s[i]; sets *length to the bytes it took (1 for an invalid byte,
// which decodes as U+FFFD).
uint32_t DecodeUtf8(std::string_view s, size_t i, size_t* length) {
  const uint8_t b0 = static_cast<uint8_t>(s[i]);
  *length = 1;
  if (b0 < 0x80) return b0;
  size_t n = 0;
  uint32_t cp = 0;
  uint8_t min_second = 0x80, max_second = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, cp = b0 & 0x0F;
    if (b0 == 0xE0) min_second = 0xA0;  // Overlong.
    if (b0 == 0xED) max_second = 0x9F;  // Surrogates.
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, cp = b0 & 0x07;
    if (b0 == 0xF0) min_second = 0x90;  // Overlong.
    if (b0 == 0xF4) max_second = 0x8F;  // Above U+10FFFF.
  } else {
    return kReplacement;
  }
  if (i + 1 >= s.size()) return kReplacement;
  const uint8_t b1 = static_cast<uint8_t>(s[i + 1]);
  if (b1 < min_second || b1 > max_second) return kReplacement;
  for (size_t k = 1; k < n; ++k) {
    if (!IsContinuation(s, i + k)) return kReplacement;
    cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
  }
  *length = n;
  return cp;
}

// The bucket java.util.HashMap puts `name` in, in a table of `capacity` slots.
uint32_t JavaBucket(std::string_view name, uint32_t capacity) {
  const uint32_t h = static_cast<uint32_t>(JavaStringHash(name));
  return (h ^ (h >> 16)) & (capacity - 1);
}

// The table size of a HashMap after `entries` insertions: 16, doubled whenever the entries
// exceed three quarters of it.
uint32_t JavaCapacity(size_t entries) {
  uint32_t capacity = 16;
  while (entries > capacity / 4 * 3) capacity *= 2;
  return capacity;
}

bool Contains(const ProtocolPreferences& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

int32_t JavaStringHash(std::string_view utf8) {
  uint32_t h = 0;
  for (size_t i = 0; i < utf8.size();) {
    size_t length = 0;
    const uint32_t cp = DecodeUtf8(utf8, i, &length);
    i += length;
    if (cp > 0xFFFF) {
      h = 31 * h + (0xD800 + ((cp - 0x10000) >> 10));
      h = 31 * h + (0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      h = 31 * h + cp;
    }
  }
  return static_cast<int32_t>(h);
}

std::optional<std::string> SelectProtocol(const std::vector<ProtocolPreferences>& members) {
  if (members.empty()) return std::nullopt;
  std::vector<std::string_view> candidates;
  for (std::string_view name : members.front()) {
    if (Contains(candidates, name)) continue;
    if (std::all_of(members.begin(), members.end(),
                    [&](const ProtocolPreferences& m) { return Contains(m, name); })) {
      candidates.push_back(name);
    }
  }
  if (candidates.empty()) return std::nullopt;

  struct Tally {
    std::string_view name;
    int votes = 0;
  };
  std::vector<Tally> tallies;  // In the order of their first vote.
  for (const ProtocolPreferences& member : members) {
    auto vote = std::find_if(member.begin(), member.end(),
                             [&](std::string_view name) { return Contains(candidates, name); });
    auto tally = std::find_if(tallies.begin(), tallies.end(),
                              [&](const Tally& t) { return t.name == *vote; });
    if (tally == tallies.end()) tally = tallies.insert(tallies.end(), Tally{*vote});
    ++tally->votes;
  }
  const uint32_t capacity = JavaCapacity(tallies.size());
  const Tally* best = &tallies.front();
  for (const Tally& tally : tallies) {
    if (tally.votes > best->votes ||
        (tally.votes == best->votes &&
         JavaBucket(tally.name, capacity) < JavaBucket(best->name, capacity))) {
      best = &tally;
    }
  }
  return std::string(best->name);
}

}  // namespace brook::group
