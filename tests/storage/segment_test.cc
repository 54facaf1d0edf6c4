#include "storage/segment.h"

#include <doctest/doctest.h>

#include <vector>

namespace brook::storage {
namespace {

TEST_CASE("segment and checkpoint records round-trip and reject other versions") {
  Segment s{10, 19, 4096, 123456, 777};
  auto back = DecodeSegment(10, EncodeSegment(s));
  REQUIRE(back.ok());
  CHECK(back->base_offset == 10);
  CHECK(back->last_offset == 19);
  CHECK(back->bytes == 4096);
  CHECK(back->max_timestamp == 123456);
  CHECK(back->created_ms == 777);
  std::string other = EncodeSegment(s);
  other[0] = 2;
  CHECK_FALSE(DecodeSegment(10, other).ok());
  CHECK_FALSE(DecodeSegment(10, EncodeSegment(s) + "x").ok());
  CHECK(*DecodeCleanerCheckpoint(EncodeCleanerCheckpoint(42)) == 42);
  CHECK_FALSE(DecodeCleanerCheckpoint("").ok());
}

TEST_CASE("the active segment rolls at segment.bytes or segment.ms") {
  TopicConfig config;
  config.segment_bytes = 1000;
  config.segment_ms = 60;
  Segment active{0, 5, 999, 0, 100};
  CHECK_FALSE(ShouldRoll(active, config, 159));
  CHECK(ShouldRoll(active, config, 160));
  active.bytes = 1000;
  CHECK(ShouldRoll(active, config, 100));
}

std::vector<Segment> ThreeSegments() {
  // 100 bytes each; newest records at t = 1000, 2000, 3000.
  return {{0, 9, 100, 1000, 0}, {10, 19, 100, 2000, 0}, {20, 29, 100, 3000, 0}};
}

TEST_CASE("retention by bytes keeps at least retention.bytes, Kafka style") {
  TopicConfig config;
  config.retention_ms = -1;
  config.retention_bytes = 150;
  CHECK(SegmentsToDelete(ThreeSegments(), config, 0) == 1);  // 300 -> 200 (>= 150), not 100.
  config.retention_bytes = 100;
  CHECK(SegmentsToDelete(ThreeSegments(), config, 0) == 2);
  config.retention_bytes = 0;
  CHECK(SegmentsToDelete(ThreeSegments(), config, 0) == 2);  // Never the active segment.
  config.retention_bytes = 300;
  CHECK(SegmentsToDelete(ThreeSegments(), config, 0) == 0);
  config.retention_bytes = -1;
  CHECK(SegmentsToDelete(ThreeSegments(), config, 0) == 0);
}

TEST_CASE("retention by time deletes leading segments whose newest record expired") {
  TopicConfig config;
  config.retention_bytes = -1;
  config.retention_ms = 500;
  CHECK(SegmentsToDelete(ThreeSegments(), config, 1500) == 0);  // 1000 is not < 1000.
  CHECK(SegmentsToDelete(ThreeSegments(), config, 1501) == 1);
  CHECK(SegmentsToDelete(ThreeSegments(), config, 1'000'000) == 2);
  config.retention_ms = -1;
  CHECK(SegmentsToDelete(ThreeSegments(), config, 1'000'000) == 0);
  CHECK(SegmentsToDelete({}, config, 0) == 0);
}

TEST_CASE("a trimmed segment starts at the new base and keeps its share of the bytes") {
  const Segment segment{10, 19, 1000, 5000, 77};
  const Segment trimmed = TrimSegment(segment, 14);
  CHECK(trimmed.base_offset == 14);
  CHECK(trimmed.last_offset == 19);
  CHECK(trimmed.bytes == 600);  // 6 of its 10 offsets.
  CHECK(trimmed.max_timestamp == 5000);
  CHECK(trimmed.created_ms == 77);
  CHECK(TrimSegment(segment, 19).bytes == 100);
  const Segment huge{0, (int64_t{1} << 40) - 1, int64_t{1} << 40, 0, 0};
  CHECK(TrimSegment(huge, int64_t{1} << 39).bytes == int64_t{1} << 39);  // No overflow.
}

}  // namespace
}  // namespace brook::storage
