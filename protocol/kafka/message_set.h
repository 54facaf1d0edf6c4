// protocol/kafka/message_set.h: Kafka's legacy MessageSets (message format v0 and v1), which
// Produce v0-2 and Fetch v0-3 carry, converted to and from RecordBatch v2, brook's format.
//
// A MessageSet is messages back to back, each
//   offset int64 | message_size int32 | crc uint32 (CRC-32, IEEE, of what follows) |
//   magic int8 (0 or 1) | attributes int8 (bits 0-2: codec) | timestamp int64 (magic 1 only) |
//   key bytes | value bytes
// A compressed message's value is a compressed MessageSet of the inner messages.
// Pure functions over caller-owned bytes; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook::kafka {

// The records of a MessageSet (Produce v0-2) as one RecordBatch v2 with base offset 0, in the
// codec the messages arrived with (a compressed wrapper's inner messages are its records). A
// magic-0 message has no timestamp: it gets `now_ms` (an inner one, its wrapper's).
// Errors: CORRUPT_MESSAGE (a bad CRC, a truncated or malformed message, a magic above 1, an
// empty set, compressed data that does not decompress or inflates past 64 MiB);
// UNSUPPORTED_COMPRESSION_TYPE (attribute codec 5-7).
absl::StatusOr<std::string> MessageSetToBatch(std::string_view message_set, int64_t now_ms);

// Appends the records of `batches` (RecordBatch v2, back to back, as stored) to *out as an
// uncompressed MessageSet of `magic` (0 for Fetch v0-1, 1 for v2-3), keeping each record's
// offset; headers have no place in the old format and are dropped, as Kafka drops them.
// Control batches are skipped. Errors: CORRUPT_MESSAGE; UNSUPPORTED_COMPRESSION_TYPE for a
// zstd-compressed batch, which Kafka does not down-convert either (KIP-110: clients that read
// zstd use Fetch v10 or later).
// REQUIRES: magic is 0 or 1.
absl::Status BatchesToMessageSet(std::string_view batches, int8_t magic, std::string* out);

}  // namespace brook::kafka
