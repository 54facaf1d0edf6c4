#include "protocol/expected_revision.h"

#include <charconv>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"

namespace brook {
namespace {

constexpr std::string_view kActualRevisionUrl = "brook.dev/actual-revision";

}  // namespace

std::optional<int64_t> ParseExpectedRevision(std::string_view text) {
  if (text == "any") return kExpectAny;
  if (text == "no-stream") return kExpectNoStream;
  if (text == "exists") return kExpectStreamExists;
  int64_t revision = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), revision);
  if (ec != std::errc() || end != text.data() + text.size() || revision < 0) return std::nullopt;
  return revision;
}

absl::Status WrongExpectedVersionError(std::string_view message, int64_t actual) {
  absl::Status status = MakeError(ErrorCode::kWrongExpectedVersion, message);
  status.SetPayload(ToAbsl(kActualRevisionUrl), absl::Cord(std::to_string(actual)));
  return status;
}

std::optional<int64_t> ActualRevisionOf(const absl::Status& status) {
  auto payload = status.GetPayload(ToAbsl(kActualRevisionUrl));
  int64_t actual = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &actual)) return std::nullopt;
  return actual;
}

}  // namespace brook
