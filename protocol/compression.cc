#include "protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <iterator>
#include <cstring>
#include <limits>
#include <memory>

#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

// xerial snappy-java's stream header: magic, then int32 BE version and compatible version.
constexpr std::string_view kXerialMagic("\x82SNAPPY\0", 8);
constexpr size_t kXerialHeaderSize = 16;
constexpr size_t kXerialBlockSize = 32 << 10;  // snappy-java's default, which Kafka uses.

// zlib's window bits for a gzip wrapper (not zlib's own, not raw deflate).
constexpr int kGzipWindowBits = 16 + MAX_WBITS;

absl::Status Corrupt(Compression codec, std::string_view what) {
  return MakeError(ErrorCode::kCorruptMessage,
                   fmt::format("corrupt {} data: {}", CompressionName(codec), what));
}

absl::Status Unsupported(Compression codec) {
  return MakeError(ErrorCode::kUnsupportedCompressionType,
                   fmt::format("compression codec {} is not one of {}", static_cast<int>(codec),
                               CompressionNameList()));
}

absl::Status LibraryFailed(Compression codec, std::string_view what) {
  return MakeError(ErrorCode::kUnknownServerError,
                   fmt::format("{} compression failed: {}", CompressionName(codec), what));
}

void PutUInt32BE(uint32_t v, char* out) {
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
}

uint32_t GetUInt32BE(std::string_view in) {
  return static_cast<uint32_t>(static_cast<uint8_t>(in[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(in[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(in[2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(in[3]));
}

// The output of one decompression: a string that grows geometrically as the codec asks for
// room, and never past max_out + 1 bytes (one more than allowed, so that "exactly max_out"
// and "more than max_out" can be told apart without asking the codec).
class Sink {
 public:
  Sink(Compression codec, std::string* out, size_t max_out)
      : codec_(codec),
        out_(out),
        max_out_(max_out),
        cap_(max_out == SIZE_MAX ? max_out : max_out + 1) {
    out_->clear();
  }

  char* data() { return out_->data() + used_; }
  size_t room() const { return out_->size() - used_; }
  // Ensures room() >= n. Returns false (and changes nothing) when that passes the cap.
  bool Reserve(size_t n) {
    if (n <= room()) return true;
    if (n > cap_ - used_) return false;
    size_t size = std::max({used_ + n, out_->size() * 2, size_t{4096}});
    out_->resize(std::min(size, cap_));
    return true;
  }
  // Ensures room() > 0, growing if needed. False when the cap is reached.
  bool MakeRoom() { return Reserve(1); }
  void Commit(size_t n) { used_ += n; }
  bool over_limit() const { return used_ > max_out_; }
  // The error for output that passed max_out (or the cap).
  absl::Status TooLarge() const {
    return Corrupt(codec_, fmt::format("decompresses to more than {} bytes", max_out_));
  }
  // Trims the string to what was produced.
  void Finish() { out_->resize(used_); }

 private:
  Compression codec_;
  std::string* out_;
  size_t max_out_;
  size_t cap_;
  size_t used_ = 0;
};

// zlib counts in uInt: hands it the next piece of `*rest` when it has consumed the last one.
void FeedZlib(z_stream& zs, std::string_view* rest) {
  if (zs.avail_in != 0 || rest->empty()) return;
  const size_t n = std::min<size_t>(rest->size(), std::numeric_limits<uInt>::max());
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest->data()));
  zs.avail_in = static_cast<uInt>(n);
  rest->remove_prefix(n);
}

absl::StatusOr<std::string> GzipCompress(std::string_view in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return LibraryFailed(Compression::kGzip, "deflateInit2");
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> end(&zs, deflateEnd);
  std::string out(deflateBound(&zs, in.size()), '\0');
  std::string_view rest = in;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    FeedZlib(zs, &rest);
    if (zs.total_out == out.size()) out.resize(out.size() * 2);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(
        std::min<size_t>(out.size() - zs.total_out, std::numeric_limits<uInt>::max()));
    rc = deflate(&zs, rest.empty() ? Z_FINISH : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      return LibraryFailed(Compression::kGzip, zs.msg != nullptr ? zs.msg : "deflate");
    }
  }
  out.resize(zs.total_out);
  return out;
}

// Reads gzip members back to back until the input ends.
absl::Status GzipDecompress(std::string_view in, Sink& sink) {
  constexpr Compression kCodec = Compression::kGzip;
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return LibraryFailed(kCodec, "inflateInit2");
  std::unique_ptr<z_stream, int (*)(z_stream*)> end(&zs, inflateEnd);
  std::string_view rest = in;
  for (;;) {
    FeedZlib(zs, &rest);
    if (!sink.MakeRoom()) return sink.TooLarge();
    const uInt room = static_cast<uInt>(std::min<size_t>(sink.room(), std::numeric_limits<uInt>::max()));
    zs.next_out = reinterpret_cast<Bytef*>(sink.data());
    zs.avail_out = room;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    sink.Commit(room - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0 && rest.empty()) return absl::OkStatus();
      if (inflateReset(&zs) != Z_OK) return LibraryFailed(kCodec, "inflateReset");
      continue;  // Another member follows.
    }
    if (rc == Z_BUF_ERROR && zs.avail_out != 0) return Corrupt(kCodec, "truncated stream");
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return Corrupt(kCodec, zs.msg != nullptr ? zs.msg : "inflate failed");
    }
  }
}

absl::StatusOr<std::string> SnappyCompress(std::string_view in) {
  std::string out(kXerialMagic);
  out.resize(kXerialHeaderSize);
  PutUInt32BE(1, out.data() + 8);   // version
  PutUInt32BE(1, out.data() + 12);  // compatible version
  for (size_t pos = 0; pos < in.size(); pos += kXerialBlockSize) {
    const std::string_view block = in.substr(pos, kXerialBlockSize);
    const size_t length_at = out.size();
    out.resize(length_at + 4 + snappy::MaxCompressedLength(block.size()));
    size_t n = 0;
    snappy::RawCompress(block.data(), block.size(), out.data() + length_at + 4, &n);
    out.resize(length_at + 4 + n);
    PutUInt32BE(static_cast<uint32_t>(n), out.data() + length_at);
  }
  return out;
}

absl::Status SnappyBlock(std::string_view block, Sink& sink) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &n)) {
    return Corrupt(Compression::kSnappy, "a block without a valid length");
  }
  if (!sink.Reserve(n)) return sink.TooLarge();
  if (!snappy::RawUncompress(block.data(), block.size(), sink.data())) {
    return Corrupt(Compression::kSnappy, "a block does not decompress");
  }
  sink.Commit(n);
  return absl::OkStatus();
}

// Reads xerial framing when the input starts with its magic, else one raw snappy block.
absl::Status SnappyDecompress(std::string_view in, Sink& sink) {
  if (!in.starts_with(kXerialMagic)) return SnappyBlock(in, sink);
  if (in.size() < kXerialHeaderSize) return Corrupt(Compression::kSnappy, "truncated xerial header");
  in.remove_prefix(kXerialHeaderSize);
  while (!in.empty()) {
    if (in.size() < 4) return Corrupt(Compression::kSnappy, "truncated xerial block length");
    const uint32_t length = GetUInt32BE(in);
    in.remove_prefix(4);
    if (length > in.size()) return Corrupt(Compression::kSnappy, "truncated xerial block");
    if (absl::Status s = SnappyBlock(in.substr(0, length), sink); !s.ok()) return s;
    in.remove_prefix(length);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Lz4Compress(std::string_view in) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  std::string out(LZ4F_compressFrameBound(in.size(), &prefs), '\0');
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) return LibraryFailed(Compression::kLz4, LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

// Reads LZ4 frames back to back until the input ends.
absl::Status Lz4Decompress(std::string_view in, Sink& sink) {
  constexpr Compression kCodec = Compression::kLz4;
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return LibraryFailed(kCodec, "LZ4F_createDecompressionContext");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> dctx(
      raw, LZ4F_freeDecompressionContext);
  for (;;) {
    if (!sink.MakeRoom()) return sink.TooLarge();
    size_t produced = sink.room();
    size_t consumed = in.size();
    const size_t hint = LZ4F_decompress(dctx.get(), sink.data(), &produced, in.data(), &consumed,
                                        /*dOptPtr=*/nullptr);
    if (LZ4F_isError(hint)) return Corrupt(kCodec, LZ4F_getErrorName(hint));
    if (consumed == 0 && produced == 0 && !in.empty()) return Corrupt(kCodec, "no progress");
    in.remove_prefix(consumed);
    const bool output_full = produced == sink.room();
    sink.Commit(produced);
    if (in.empty()) {
      if (hint == 0) return absl::OkStatus();  // The last frame is complete and flushed.
      if (!output_full) return Corrupt(kCodec, "truncated frame");
    }
    // hint == 0 with input left: another frame follows; the context starts it afresh.
  }
}

absl::StatusOr<std::string> ZstdCompress(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(),
                                 /*compressionLevel=*/1);
  if (ZSTD_isError(n)) return LibraryFailed(Compression::kZstd, ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// Reads zstd frames (and skippable frames) back to back until the input ends. zstd's default
// window limit (128 MiB) bounds its own buffers; `sink` bounds the output.
absl::Status ZstdDecompress(std::string_view in, Sink& sink) {
  constexpr Compression kCodec = Compression::kZstd;
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (dctx == nullptr) return LibraryFailed(kCodec, "ZSTD_createDCtx");
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  for (;;) {
    if (!sink.MakeRoom()) return sink.TooLarge();
    ZSTD_outBuffer output{sink.data(), sink.room(), 0};
    const size_t before = input.pos;
    const size_t hint = ZSTD_decompressStream(dctx.get(), &output, &input);
    if (ZSTD_isError(hint)) return Corrupt(kCodec, ZSTD_getErrorName(hint));
    if (input.pos == before && output.pos == 0 && input.pos < input.size) {
      return Corrupt(kCodec, "no progress");
    }
    sink.Commit(output.pos);
    if (input.pos == input.size) {
      if (hint == 0) return absl::OkStatus();  // The last frame is complete and flushed.
      if (output.pos < output.size) return Corrupt(kCodec, "truncated frame");
    }
  }
}

absl::StatusOr<std::string> NoneCompress(std::string_view in) { return std::string(in); }

absl::Status NoneDecompress(std::string_view in, Sink& sink) {
  if (!sink.Reserve(in.size())) return sink.TooLarge();
  std::memcpy(sink.data(), in.data(), in.size());
  sink.Commit(in.size());
  return absl::OkStatus();
}

// Every codec once, indexed by its attribute value.
struct Codec {
  std::string_view name;
  absl::StatusOr<std::string> (*compress)(std::string_view in);
  absl::Status (*decompress)(std::string_view in, Sink& sink);
};
constexpr Codec kCodecs[] = {
    {"none", NoneCompress, NoneDecompress},       {"gzip", GzipCompress, GzipDecompress},
    {"snappy", SnappyCompress, SnappyDecompress}, {"lz4", Lz4Compress, Lz4Decompress},
    {"zstd", ZstdCompress, ZstdDecompress},
};
static_assert(std::size(kCodecs) == std::size(kAllCompressions));

}  // namespace

bool IsKnownCompression(Compression codec) {
  const auto v = static_cast<int>(codec);
  return v >= 0 && v < static_cast<int>(std::size(kCodecs));
}

std::string_view CompressionName(Compression codec) {
  return IsKnownCompression(codec) ? kCodecs[static_cast<size_t>(codec)].name : "unknown";
}

std::optional<Compression> CompressionFromName(std::string_view name) {
  for (Compression codec : kAllCompressions) {
    if (CompressionName(codec) == name) return codec;
  }
  return std::nullopt;
}

std::string_view CompressionNameList() { return "none, gzip, snappy, lz4, zstd"; }

absl::StatusOr<std::string> Compress(Compression codec, std::string_view in) {
  if (!IsKnownCompression(codec)) return Unsupported(codec);
  return kCodecs[static_cast<size_t>(codec)].compress(in);
}

absl::Status Decompress(Compression codec, std::string_view in, size_t max_out,
                        std::string* out) {
  if (!IsKnownCompression(codec)) return Unsupported(codec);
  Sink sink(codec, out, max_out);
  if (absl::Status s = kCodecs[static_cast<size_t>(codec)].decompress(in, sink); !s.ok()) {
    return s;
  }
  if (sink.over_limit()) return sink.TooLarge();
  sink.Finish();
  return absl::OkStatus();
}

}  // namespace brook
