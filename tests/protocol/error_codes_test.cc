// Tests of protocol/error_codes.h: names, numbers, and codes riding inside absl::Status.
#include "protocol/error_codes.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "protocol/absl_compat.h"
#include "fmt/format.h"

namespace brook {
namespace {

// Every enumerator of ErrorCode. When you add a code, add it here: the tests below then check
// that it has a unique name, a unique number and a description.
const std::vector<ErrorCode> kAllCodes = {
    ErrorCode::kUnknownServerError, ErrorCode::kNone,
    ErrorCode::kOffsetOutOfRange,   ErrorCode::kCorruptMessage,
    ErrorCode::kUnknownTopicOrPartition, ErrorCode::kInvalidFetchSize,
    ErrorCode::kRequestTimedOut,    ErrorCode::kMessageTooLarge,
    ErrorCode::kNetworkException,   ErrorCode::kInvalidTopic,
    ErrorCode::kRecordListTooLarge, ErrorCode::kInvalidRequiredAcks,
    ErrorCode::kInvalidTimestamp,   ErrorCode::kUnsupportedVersion,
    ErrorCode::kTopicAlreadyExists, ErrorCode::kInvalidPartitions,
    ErrorCode::kInvalidConfig,      ErrorCode::kInvalidRequest,
    ErrorCode::kUnsupportedCompressionType, ErrorCode::kInvalidRecord,
    ErrorCode::kKafkaStorageError,  ErrorCode::kUnknownApiKey,
    ErrorCode::kBrokerShuttingDown, ErrorCode::kResourceLimit,
    ErrorCode::kOffsetMetadataTooLarge, ErrorCode::kIllegalGeneration,
    ErrorCode::kInconsistentGroupProtocol, ErrorCode::kInvalidGroupId,
    ErrorCode::kUnknownMemberId, ErrorCode::kInvalidSessionTimeout,
    ErrorCode::kRebalanceInProgress, ErrorCode::kNonEmptyGroup,
    ErrorCode::kGroupIdNotFound,    ErrorCode::kUnknownTopicId,
    ErrorCode::kCoordinatorNotAvailable, ErrorCode::kInvalidReplicationFactor,
    ErrorCode::kMemberIdRequired,   ErrorCode::kFencedInstanceId,
    ErrorCode::kOutOfOrderSequenceNumber, ErrorCode::kDuplicateSequenceNumber,
    ErrorCode::kInvalidProducerEpoch, ErrorCode::kUnknownProducerId,
    ErrorCode::kInvalidReplicaAssignment, ErrorCode::kPolicyViolation,
    ErrorCode::kGroupSubscribedToTopic, ErrorCode::kLeaderNotAvailable,
    ErrorCode::kNotLeaderOrFollower, ErrorCode::kCoordinatorLoadInProgress,
    ErrorCode::kNotCoordinator,
    ErrorCode::kWrongExpectedVersion, ErrorCode::kStreamNotFound,
    ErrorCode::kEventIdConflict, ErrorCode::kNotAnEventStore,
};

int16_t Raw(ErrorCode code) { return static_cast<int16_t>(code); }

TEST_CASE("error codes: every code has a name and a description") {
  for (ErrorCode code : kAllCodes) {
    CAPTURE(Raw(code));
    CHECK_FALSE(ErrorName(code).empty());
    CHECK_FALSE(ErrorDescription(code).empty());
    if (code != ErrorCode::kUnknownServerError) CHECK(ErrorName(code) != "UNKNOWN_SERVER_ERROR");
  }
}

TEST_CASE("error codes: names are unique upper-case identifiers") {
  std::set<std::string_view> names;
  for (ErrorCode code : kAllCodes) {
    std::string_view name = ErrorName(code);
    CHECK_MESSAGE(names.insert(name).second, "duplicate name ", std::string(name));
    for (char c : name) CHECK(((c >= 'A' && c <= 'Z') || c == '_'));
  }
}

TEST_CASE("error codes: numbers are unique and the wire table has exactly these codes") {
  std::set<int16_t> numbers;
  for (ErrorCode code : kAllCodes) CHECK(numbers.insert(Raw(code)).second);
  std::set<int16_t> known;
  for (int raw = INT16_MIN; raw <= INT16_MAX; ++raw) {
    ErrorCode code = ErrorCodeFromWire(static_cast<int16_t>(raw));
    if (code != ErrorCode::kUnknownServerError || raw == -1) {
      CHECK(Raw(code) == raw);
      known.insert(static_cast<int16_t>(raw));
    }
  }
  CHECK(known == numbers);
}

TEST_CASE("error codes: Kafka's numbers where the meaning is Kafka's") {
  CHECK(Raw(ErrorCode::kNone) == 0);
  CHECK(Raw(ErrorCode::kOffsetOutOfRange) == 1);
  CHECK(Raw(ErrorCode::kCorruptMessage) == 2);
  CHECK(Raw(ErrorCode::kUnknownTopicOrPartition) == 3);
  CHECK(Raw(ErrorCode::kRequestTimedOut) == 7);
  CHECK(Raw(ErrorCode::kUnsupportedVersion) == 35);
  CHECK(Raw(ErrorCode::kKafkaStorageError) == 56);
  CHECK(Raw(ErrorCode::kOutOfOrderSequenceNumber) == 45);
  CHECK(Raw(ErrorCode::kDuplicateSequenceNumber) == 46);
  CHECK(Raw(ErrorCode::kInvalidProducerEpoch) == 47);
  CHECK(Raw(ErrorCode::kUnknownProducerId) == 59);
  CHECK(Raw(ErrorCode::kInvalidPartitions) == 37);
  CHECK(Raw(ErrorCode::kInvalidReplicaAssignment) == 39);
  CHECK(Raw(ErrorCode::kPolicyViolation) == 44);
  CHECK(Raw(ErrorCode::kGroupIdNotFound) == 69);
  CHECK(Raw(ErrorCode::kGroupSubscribedToTopic) == 86);
  CHECK(Raw(ErrorCode::kUnknownApiKey) >= 1000);
}

TEST_CASE("error codes: ErrorCodeFromWire maps unknown numbers to UNKNOWN_SERVER_ERROR") {
  CHECK(ErrorCodeFromWire(0) == ErrorCode::kNone);
  CHECK(ErrorCodeFromWire(3) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(ErrorCodeFromWire(-1) == ErrorCode::kUnknownServerError);
  CHECK(ErrorCodeFromWire(8) == ErrorCode::kUnknownServerError);
  CHECK(ErrorCodeFromWire(999) == ErrorCode::kUnknownServerError);
  CHECK(ErrorCodeFromWire(-32768) == ErrorCode::kUnknownServerError);
  CHECK(ErrorName(static_cast<ErrorCode>(12345)) == "UNKNOWN_SERVER_ERROR");
}

TEST_CASE("error codes: ErrorCodeFromName reads every name, in any case") {
  for (ErrorCode code : kAllCodes) CHECK(ErrorCodeFromName(ErrorName(code)) == code);
  CHECK(ErrorCodeFromName("not_leader_or_follower") == ErrorCode::kNotLeaderOrFollower);
  CHECK(ErrorCodeFromName("NO_SUCH_ERROR") == std::nullopt);
  CHECK(ErrorCodeFromName("") == std::nullopt);
}

TEST_CASE("error codes: MakeError and CodeOf round trip every code") {
  for (ErrorCode code : kAllCodes) {
    if (code == ErrorCode::kNone) continue;
    CAPTURE(Raw(code));
    absl::Status status = MakeError(code, "what happened");
    CHECK_FALSE(status.ok());
    CHECK(CodeOf(status) == code);
    CHECK(MessageOf(status) == "what happened");
  }
}

TEST_CASE("error codes: canonical status codes fit the wire code") {
  CHECK(MakeError(ErrorCode::kUnknownTopicOrPartition, "").code() == absl::StatusCode::kNotFound);
  CHECK(MakeError(ErrorCode::kRequestTimedOut, "").code() ==
        absl::StatusCode::kDeadlineExceeded);
  CHECK(MakeError(ErrorCode::kCorruptMessage, "").code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("error codes: CodeOf derives a code for statuses without one") {
  CHECK(CodeOf(absl::OkStatus()) == ErrorCode::kNone);
  CHECK(CodeOf(absl::NotFoundError("x")) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(CodeOf(absl::AlreadyExistsError("x")) == ErrorCode::kTopicAlreadyExists);
  CHECK(CodeOf(absl::OutOfRangeError("x")) == ErrorCode::kOffsetOutOfRange);
  CHECK(CodeOf(absl::InvalidArgumentError("x")) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf(absl::DataLossError("x")) == ErrorCode::kCorruptMessage);
  CHECK(CodeOf(absl::DeadlineExceededError("x")) == ErrorCode::kRequestTimedOut);
  CHECK(CodeOf(absl::UnavailableError("x")) == ErrorCode::kKafkaStorageError);
  CHECK(CodeOf(absl::InternalError("x")) == ErrorCode::kUnknownServerError);
}

TEST_CASE("error codes: retriable codes are the transient ones") {
  CHECK(IsRetriable(ErrorCode::kRequestTimedOut));
  CHECK(IsRetriable(ErrorCode::kBrokerShuttingDown));
  CHECK(IsRetriable(ErrorCode::kKafkaStorageError));
  CHECK(IsRetriable(ErrorCode::kNetworkException));
  CHECK_FALSE(IsRetriable(ErrorCode::kNone));
  CHECK_FALSE(IsRetriable(ErrorCode::kCorruptMessage));
  CHECK_FALSE(IsRetriable(ErrorCode::kUnknownTopicOrPartition));
  CHECK_FALSE(IsRetriable(ErrorCode::kInvalidRequest));
}

TEST_CASE("error codes: docs/protocol.md's table lists exactly these codes") {
  std::ifstream in(std::string(BROOK_SOURCE_DIR) + "/docs/protocol.md");
  REQUIRE(in);
  // | number | `NAME` | retriable | meaning |
  const std::regex row(R"(^\| (-?\d+) \| `([A-Z_]+)` \| (yes|no) \| .+ \|$)");
  std::set<std::string> documented;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, row)) {
      documented.insert(fmt::format("{} {} {}", m[1].str(), m[2].str(), m[3].str()));
    }
  }
  std::set<std::string> codes;
  for (ErrorCode code : kAllCodes) {
    codes.insert(
        fmt::format("{} {} {}", Raw(code), ErrorName(code), IsRetriable(code) ? "yes" : "no"));
  }
  for (const std::string& code : codes) {
    CHECK_MESSAGE(documented.contains(code), "docs/protocol.md's error table lacks ", code);
  }
  for (const std::string& line : documented) {
    CHECK_MESSAGE(codes.contains(line), "docs/protocol.md's error table has an unknown row ", line);
  }
}

}  // namespace
}  // namespace brook
