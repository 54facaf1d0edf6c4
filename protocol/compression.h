// protocol/compression.h: the codecs of a RecordBatch's records section, framed exactly as
// Apache Kafka frames them, so batches from any Kafka client decode and brook's own batches
// decode in any Kafka client.
//
//   codec   attributes&7  what the records section is
//   none    0             the records as they are
//   gzip    1             a gzip stream (RFC 1952); several members back to back are read
//                         as one stream
//   snappy  2             written with xerial framing, as Kafka's Java client writes it:
//                         "\x82SNAPPY\0", int32 version (1), int32 compatible version (1),
//                         then blocks of int32 BE length + a raw snappy block (32 KiB of
//                         input each). Read: that framing, or one raw snappy block (what
//                         librdkafka writes).
//   lz4     3             LZ4 frames (the lz4 frame format, not Kafka's pre-0.10 variant with
//                         a wrong header checksum). Written with independent 64 KiB blocks, no
//                         checksums and no content size, as Kafka's Java client writes them;
//                         read: any valid frame (linked blocks, block or content checksums,
//                         a content size), several frames back to back.
//   zstd    4             zstd frames, read with the streaming API, so a frame need not
//                         declare its content size (Kafka's Java client omits it); several
//                         frames back to back. Written as one frame with its size, level 1.
//
// Decompress takes the most bytes it may produce: a small section can expand without limit
// (a decompression bomb), so every caller passes a bound and output stops there.
//
// Example:
//   absl::StatusOr<std::string> packed = Compress(Compression::kLz4, records);
//   std::string records2;
//   absl::Status s = Decompress(Compression::kLz4, *packed, 64 << 20, &records2);
//
// Thread-safety: pure functions (each call has its own codec state); safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace brook {

// The codec of a batch's records section (attribute bits 0-2). Values 5-7 are not codecs.
enum class Compression : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// Every codec, in wire order; their names are "none", "gzip", "snappy", "lz4", "zstd".
inline constexpr Compression kAllCompressions[] = {Compression::kNone, Compression::kGzip,
                                                   Compression::kSnappy, Compression::kLz4,
                                                   Compression::kZstd};

// True for the five codecs above; false for attribute values 5-7.
bool IsKnownCompression(Compression codec);
// The lower-case name of a codec ("zstd"), or "unknown" for values 5-7.
std::string_view CompressionName(Compression codec);
// The codec with this lower-case name; nullopt for any other string.
std::optional<Compression> CompressionFromName(std::string_view name);
// "none, gzip, snappy, lz4, zstd": for usage and error messages.
std::string_view CompressionNameList();

// Compresses `in` with `codec`, framed as described above. kNone returns `in` unchanged.
// Errors: UNSUPPORTED_COMPRESSION_TYPE for a value that is not a codec; UNKNOWN_SERVER_ERROR
// if the codec library fails (out of memory).
[[nodiscard]] absl::StatusOr<std::string> Compress(Compression codec, std::string_view in);

// Replaces *out with the decompression of `in`. kNone copies `in`.
// Errors: CORRUPT_MESSAGE when `in` is not valid data of the codec (malformed, truncated,
// a checksum mismatch, trailing bytes that start no new frame or member) or would decompress
// to more than `max_out` bytes; UNSUPPORTED_COMPRESSION_TYPE for a value that is not a codec;
// UNKNOWN_SERVER_ERROR if the codec library cannot start (out of memory). Never writes more
// than max_out + 1 bytes into *out; on error *out holds unspecified bytes.
[[nodiscard]] absl::Status Decompress(Compression codec, std::string_view in, size_t max_out,
                                      std::string* out);

}  // namespace brook
