#include "protocol/partitioner.h"

#include <doctest/doctest.h>

namespace brook {
namespace {

// The vectors of Kafka's UtilsTest.testMurmur2 (org.apache.kafka.common.utils).
TEST_CASE("Murmur2 matches the Java client's test vectors") {
  CHECK(Murmur2("21") == -973932308);
  CHECK(Murmur2("foobar") == -790332482);
  CHECK(Murmur2("a-little-bit-long-string") == -985981536);
  CHECK(Murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  CHECK(Murmur2("abc") == 479470107);
  CHECK(Murmur2("") == 275646681);
}

TEST_CASE("Murmur2 reads bytes as unsigned, for every tail length") {
  // Bytes >= 0x80 hash differently if sign-extended. Expected values come from a separate
  // transcription of the Java code (Python, with Java's `& 0xff` and 32-bit wrap-around).
  const std::string_view high("\xff\xfe\xfd\xfc\xfb\xfa\xf9", 7);
  const int32_t expected[] = {-311467685, 1717632651,  998637092, 2136149935,
                              524068735,  -1374838545, -166236347};
  for (size_t n = 1; n <= high.size(); ++n) {
    CAPTURE(n);
    CHECK(Murmur2(high.substr(0, n)) == expected[n - 1]);
  }
}

TEST_CASE("PartitionForKey masks the sign bit and is stable") {
  // murmur2("foobar") is negative: masking, not abs(), decides the partition.
  const uint32_t masked = static_cast<uint32_t>(-790332482) & 0x7fffffffu;
  CHECK(PartitionForKey("foobar", 7) == static_cast<int32_t>(masked % 7));
  CHECK(PartitionForKey("abc", 1) == 0);
  for (int32_t n = 1; n <= 64; ++n) {
    const int32_t p = PartitionForKey("some-key", n);
    CHECK(p >= 0);
    CHECK(p < n);
    CHECK(p == PartitionForKey("some-key", n));
  }
}

}  // namespace
}  // namespace brook
