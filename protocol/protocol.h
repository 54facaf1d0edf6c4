// protocol/: brook's wire formats, and nothing else.
//
// Contract: pure functions and plain structs over bytes. No sockets, no RocksDB, no other
// brook layer; every other layer may depend on this one. Every decoder is bounds-checked and
// answers complete / need more / bad without reading past its input.
//
//   types.h          strong ids: PartitionId, Offset, TimestampMs, TopicPartition
//   error_codes.h    the wire error codes, and how they ride inside absl::Status
//   wire.h           primitive encodings (big-endian ints, varints, strings, bytes, arrays)
//   frame.h          length-prefixed frames and the request/response headers
//   messages.h       every request and response, declared once
//   message_codec.h  generic encode/decode/grammar of any message
//   partitioner.h    which partition a key goes to (Kafka's murmur2), for clients and broker
//   dead_letters.h   dead-letter records: brook, Spring and Connect headers; copies, replays
//   record_batch.h   Kafka RecordBatch v2: build, split, validate, decode
//   compression.h    the codecs of a batch's records: none, gzip, snappy, lz4, zstd
//   crc32c.h         CRC-32C
//   absl_compat.h    std::string_view <-> Debian abseil's own absl::string_view
// The document is docs/protocol.md; the code and it change together.
#pragma once

#include "protocol/error_codes.h"
#include "protocol/frame.h"
#include "protocol/message_codec.h"
#include "protocol/messages.h"
#include "protocol/record_batch.h"
#include "protocol/types.h"
