// client/fetch_decoder.h: turns the record sets of Fetch responses into ConsumerRecords.
//
// Internal to client/ (used by consumer.cc). A record set is whole RecordBatch v2 batches
// back to back; the first may start before the consumer's position, so records below it are
// skipped. Every batch's CRC-32C is checked; compressed batches (any Kafka codec) are
// decompressed into a buffer the ConsumerRecords owns. Nothing here touches a socket, so it is tested on bytes alone.
//
// Thread-safety: a builder is used by one thread; it writes only into its ConsumerRecords.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "client/consumer_record.h"
#include "protocol/record_batch.h"

namespace brook::client {

class ConsumerRecordsBuilder {
 public:
  explicit ConsumerRecordsBuilder(ConsumerRecords* out) : out_(out) {}

  // Keeps `owner` alive as long as the records (the buffer the views point into).
  void Own(std::shared_ptr<const void> owner);
  // Reserves room for `n` more records.
  void Reserve(size_t n);

  // Appends the records of `record_set` whose offset is >= *position, in order, and moves
  // *position past the last batch (lastOffset + 1). `topic` and `record_set` must stay valid
  // as long as the ConsumerRecords (see Own). Control and transactional batches are skipped.
  // Errors (nothing appended then, *position unchanged): CORRUPT_MESSAGE (a truncated batch,
  // a CRC mismatch, a malformed record, compressed data that does not decompress or
  // decompresses past kMaxRecordsSectionBytes), UNSUPPORTED_COMPRESSION_TYPE (codec 5-7).
  absl::Status AppendPartition(std::string_view topic, int32_t partition,
                               std::string_view record_set, int64_t* position);

 private:
  ConsumerRecords* out_;
  std::vector<RecordView> views_;  // Reused across batches.
};

}  // namespace brook::client
