#include "storage/segment.h"

#include "protocol/wire.h"

namespace brook::storage {
namespace {
constexpr int8_t kSegmentVersion = 1;
constexpr int8_t kCheckpointVersion = 1;
}  // namespace

std::string EncodeSegment(const Segment& segment) {
  std::string out;
  wire::Writer w(&out);
  w.Int8(kSegmentVersion);
  w.Int64(segment.last_offset);
  w.Int64(segment.bytes);
  w.Int64(segment.max_timestamp);
  w.Int64(segment.created_ms);
  return out;
}

absl::StatusOr<Segment> DecodeSegment(int64_t base_offset, std::string_view value) {
  wire::Reader r(value);
  if (r.Int8() != kSegmentVersion) return absl::DataLossError("segment record has an unknown version");
  Segment segment;
  segment.base_offset = base_offset;
  segment.last_offset = r.Int64();
  segment.bytes = r.Int64();
  segment.max_timestamp = r.Int64();
  segment.created_ms = r.Int64();
  if (!r.ok() || r.remaining() != 0) return absl::DataLossError("segment record is corrupt");
  return segment;
}

std::string EncodeCleanerCheckpoint(int64_t cleaned_up_to) {
  std::string out;
  wire::Writer w(&out);
  w.Int8(kCheckpointVersion);
  w.Int64(cleaned_up_to);
  return out;
}

absl::StatusOr<int64_t> DecodeCleanerCheckpoint(std::string_view value) {
  wire::Reader r(value);
  if (r.Int8() != kCheckpointVersion) {
    return absl::DataLossError("compaction checkpoint has an unknown version");
  }
  const int64_t offset = r.Int64();
  if (!r.ok() || r.remaining() != 0) return absl::DataLossError("compaction checkpoint is corrupt");
  return offset;
}

bool ShouldRoll(const Segment& active, const TopicConfig& policy, int64_t now_ms) {
  return active.bytes >= policy.segment_bytes || now_ms - active.created_ms >= policy.segment_ms;
}

size_t SegmentsToDelete(std::span<const Segment> segments, const TopicConfig& policy,
                        int64_t now_ms) {
  int64_t total = 0;
  for (const Segment& s : segments) total += s.bytes;
  size_t count = 0;
  while (count + 1 < segments.size()) {
    const Segment& oldest = segments[count];
    const bool over_size =
        policy.retention_bytes >= 0 && total - oldest.bytes >= policy.retention_bytes;
    const bool too_old = policy.retention_ms >= 0 && oldest.max_timestamp < now_ms - policy.retention_ms;
    if (!over_size && !too_old) break;
    total -= oldest.bytes;
    ++count;
  }
  return count;
}

Segment TrimSegment(const Segment& segment, int64_t new_base) {
  Segment trimmed = segment;
  trimmed.base_offset = new_base;
  const double kept = static_cast<double>(segment.last_offset - new_base + 1);
  const double span = static_cast<double>(segment.last_offset - segment.base_offset + 1);
  trimmed.bytes = static_cast<int64_t>(static_cast<double>(segment.bytes) * kept / span);
  return trimmed;
}

}  // namespace brook::storage
