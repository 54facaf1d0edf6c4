// bench/value_pool.h: benchmark record contents, made once before the clock starts.
//
// Values are random bytes (incompressible, so compression cannot flatter a result); record n
// gets a slice starting at a pseudo-random position of a pool, so consecutive values differ.
// Keys, when asked for, are "key-<i>" for i in [0, key_count). Thread-safe (read-only).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace brook::bench {

class ValuePool {
 public:
  ValuePool(int value_size, int64_t key_count) : value_size_(static_cast<size_t>(value_size)) {
    std::mt19937_64 rng(42);
    bytes_.resize(value_size_ + kSlots);
    for (char& c : bytes_) c = static_cast<char>(rng());
    for (int64_t i = 0; i < std::min<int64_t>(key_count, 1 << 20); ++i) {
      keys_.push_back("key-" + std::to_string(i));
    }
  }

  std::string_view Value(int64_t n) const {
    return std::string_view(bytes_).substr(static_cast<size_t>(n * 7919) % kSlots, value_size_);
  }
  std::optional<std::string_view> Key(int64_t n) const {
    if (keys_.empty()) return std::nullopt;
    return keys_[static_cast<size_t>(n) % keys_.size()];
  }

 private:
  static constexpr size_t kSlots = 4096;
  size_t value_size_;
  std::string bytes_;
  std::vector<std::string> keys_;
};

}  // namespace brook::bench
