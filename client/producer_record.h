// client/producer_record.h: what a Producer sends and what it reports back.
//
// A ProducerRecord only views the caller's bytes: Producer::Send copies the record into a
// batch before it returns, so the views need to live for the call only. RecordMetadata owns
// its data. Both are plain values; thread-safety is that of any struct.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/record_batch.h"

namespace brook {

struct ProducerRecord {
  std::string_view topic{};
  // Explicit partition; when unset the key picks it (PartitionForKey), and records without a
  // key fill one partition's batch at a time ("sticky"), moving on when that batch is sealed.
  std::optional<int32_t> partition{};
  std::optional<std::string_view> key{};    // nullopt = no key.
  std::optional<std::string_view> value{};  // nullopt = a tombstone.
  std::span<const HeaderView> headers{};    // Keys and values are copied too.
  int64_t timestamp_ms = -1;                // Milliseconds since the epoch; -1 = now.
};

// Where a record landed. For acks=0 the offset is -1 (the broker does not say).
struct RecordMetadata {
  std::string topic{};
  int32_t partition = 0;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;  // The record's timestamp (the one given, or the send time).
};

// Runs once per record on the producer's I/O thread, in send order within a partition. It
// must not block for long (it holds up every other completion) and must not call
// Producer::Flush or Close (they would wait for the callback itself).
using SendCallback = std::function<void(const absl::StatusOr<RecordMetadata>&)>;

}  // namespace brook
