// protocol/partitioner.h: which partition a keyed record goes to, the same way Kafka does it.
// Producers use it, and so does the broker where it places records itself (dead letters).
//
// Kafka's Java client hashes a record key with its own murmur2 variant
// (org.apache.kafka.common.utils.Utils.murmur2, seed 0x9747b28c) and picks
// `(murmur2(key) & 0x7fffffff) % num_partitions`. brook uses the exact same function, so a key
// lands on the same partition number on brook as on Kafka for the same partition count, and
// moving a keyed workload between the two keeps per-key order.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace brook {

// Kafka's murmur2 of `data`, as the Java client computes it (a signed 32-bit result).
int32_t Murmur2(std::string_view data);

// The partition of a record with this key: (Murmur2(key) & 0x7fffffff) % num_partitions.
// REQUIRES: num_partitions > 0.
int32_t PartitionForKey(std::string_view key, int32_t num_partitions);

}  // namespace brook
