// protocol/types.h: strong types for the identifiers every layer passes around.
//
// A partition id, an offset and a timestamp are all integers on the wire; in code they
// are distinct types so that one cannot be passed where another is expected. Each is a
// trivially copyable value with comparison; `.value` is the raw integer.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace brook {

template <typename Tag, typename Rep>
struct StrongInt {
  Rep value{};
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(Rep v) : value(v) {}
  friend constexpr auto operator<=>(StrongInt, StrongInt) = default;
  template <typename H>
  friend H AbslHashValue(H h, StrongInt v) {
    return H::combine(std::move(h), v.value);
  }
};

using PartitionId = StrongInt<struct PartitionIdTag, int32_t>;
// A position in a partition's log: the first record is offset 0, offsets are never reused.
using Offset = StrongInt<struct OffsetTag, int64_t>;
// Milliseconds since the Unix epoch.
using TimestampMs = StrongInt<struct TimestampTag, int64_t>;
// An idempotent producer's id (handed out by the broker, never reused; -1 = none) and its
// epoch (a producer restarted with the same id gets a higher one, fencing the old instance).
using ProducerId = StrongInt<struct ProducerIdTag, int64_t>;
using ProducerEpoch = StrongInt<struct ProducerEpochTag, int16_t>;

// A topic name together with one of its partitions.
struct TopicPartition {
  std::string topic;
  PartitionId partition;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const TopicPartition& tp) {
    return H::combine(std::move(h), tp.topic, tp.partition);
  }
};

}  // namespace brook
