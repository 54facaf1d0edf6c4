#include "client/offset_reset.h"

#include <doctest/doctest.h>

#include <limits>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

const TopicPartition kTp{"orders", PartitionId(2)};

// A partition holding offsets [10, 20) with the group at 15.
ResetInputs Inputs(int64_t committed = 15) {
  return {.log_start_offset = 10, .log_end_offset = 20, .committed_offset = committed};
}

int64_t Target(const OffsetResetSpec& spec, const ResetInputs& inputs = Inputs()) {
  absl::StatusOr<int64_t> target = ResetTarget(spec, kTp, inputs);
  REQUIRE(target.ok());
  return *target;
}

TEST_CASE("earliest and latest are the log start and end") {
  CHECK(Target(OffsetResetSpec::ToEarliest()) == 10);
  CHECK(Target(OffsetResetSpec::ToLatest()) == 20);
  CHECK(Target(OffsetResetSpec::ToEarliest(), Inputs(-1)) == 10);  // No commit needed.
}

TEST_CASE("to-offset is clamped to the log") {
  CHECK(Target(OffsetResetSpec::ToOffset(12)) == 12);
  CHECK(Target(OffsetResetSpec::ToOffset(20)) == 20);
  CHECK(Target(OffsetResetSpec::ToOffset(3)) == 10);
  CHECK(Target(OffsetResetSpec::ToOffset(99)) == 20);
}

TEST_CASE("to-datetime takes the offset ListOffsets found") {
  ResetInputs inputs = Inputs();
  inputs.offset_at_datetime = 17;
  CHECK(Target(OffsetResetSpec::ToDatetime(1000), inputs) == 17);
  absl::StatusOr<int64_t> missing = ResetTarget(OffsetResetSpec::ToDatetime(1000), kTp, Inputs());
  CHECK(CodeOf(missing.status()) == ErrorCode::kInvalidRequest);
}

TEST_CASE("shift-by moves from the commit, both ways, clamped") {
  CHECK(Target(OffsetResetSpec::ShiftBy(3)) == 18);
  CHECK(Target(OffsetResetSpec::ShiftBy(-2)) == 13);
  CHECK(Target(OffsetResetSpec::ShiftBy(-100)) == 10);
  CHECK(Target(OffsetResetSpec::ShiftBy(100)) == 20);
  CHECK(Target(OffsetResetSpec::ShiftBy(std::numeric_limits<int64_t>::max())) == 20);
  CHECK(Target(OffsetResetSpec::ShiftBy(std::numeric_limits<int64_t>::min())) == 10);
}

TEST_CASE("shift-by without a committed offset names the partition") {
  absl::StatusOr<int64_t> target = ResetTarget(OffsetResetSpec::ShiftBy(1), kTp, Inputs(-1));
  CHECK(CodeOf(target.status()) == ErrorCode::kInvalidRequest);
  CHECK(MessageOf(target.status()).find("cannot shift orders-2") != std::string_view::npos);
}

TEST_CASE("ParseDatetime reads ISO 8601 with Z, offsets, fractions and without seconds") {
  constexpr int64_t k10am = 1795600800000;  // 2026-11-25T10:00:00Z
  CHECK(ParseDatetime("2026-11-25T10:00:00Z").value() == k10am);
  CHECK(ParseDatetime("2026-11-25T10:00:00.250Z").value() == k10am + 250);
  CHECK(ParseDatetime("2026-11-25T11:00:00+01:00").value() == k10am);
  CHECK(ParseDatetime("2026-11-25T05:30-04:30").value() == k10am);
  CHECK(ParseDatetime("2026-11-25T10:00+0000").value() == k10am);
  CHECK(ParseDatetime("2026-11-25 10:00:00Z").value() == k10am);
}

TEST_CASE("ParseDatetime without an offset is local time") {
  auto minutes = ParseDatetime("2026-11-25T10:00");
  auto seconds = ParseDatetime("2026-11-25T10:00:00");
  auto midnight = ParseDatetime("2026-11-25");
  REQUIRE(minutes.ok());
  REQUIRE(seconds.ok());
  REQUIRE(midnight.ok());
  CHECK(*minutes == *seconds);
  CHECK(*midnight < *seconds);
}

TEST_CASE("ParseDatetime rejects other text clearly") {
  for (const char* bad : {"yesterday", "2026-13-01T00:00:00Z", "2026-11-25T10:00:00+1", ""}) {
    absl::StatusOr<int64_t> parsed = ParseDatetime(bad);
    CHECK_MESSAGE(CodeOf(parsed.status()) == ErrorCode::kInvalidRequest, bad);
  }
  CHECK(MessageOf(ParseDatetime("soon").status()).find("'soon' is not an ISO 8601 date-time") !=
        std::string_view::npos);
}

}  // namespace
}  // namespace brook
