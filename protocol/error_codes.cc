#include "protocol/error_codes.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "protocol/absl_compat.h"

namespace brook {
namespace {

constexpr std::string_view kPayloadUrl = "brook.dev/error-code";

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;
  std::string_view description;
  bool retriable;
  absl::StatusCode canonical;
};

constexpr ErrorInfo kErrors[] = {
    {ErrorCode::kUnknownServerError, "UNKNOWN_SERVER_ERROR",
     "the broker hit an unexpected error; see its log", false, absl::StatusCode::kInternal},
    {ErrorCode::kNone, "NONE", "success", false, absl::StatusCode::kOk},
    {ErrorCode::kOffsetOutOfRange, "OFFSET_OUT_OF_RANGE",
     "the offset is outside the partition's log-start..log-end range", false,
     absl::StatusCode::kOutOfRange},
    {ErrorCode::kCorruptMessage, "CORRUPT_MESSAGE",
     "a record batch failed its CRC check or is malformed", false,
     absl::StatusCode::kDataLoss},
    {ErrorCode::kUnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION",
     "the topic does not exist or has no such partition", false, absl::StatusCode::kNotFound},
    {ErrorCode::kInvalidFetchSize, "INVALID_FETCH_SIZE", "the fetch byte budget is not positive",
     false, absl::StatusCode::kInvalidArgument},
    {ErrorCode::kLeaderNotAvailable, "LEADER_NOT_AVAILABLE",
     "the partition has no leader at the moment (brook answers it only as an injected fault)",
     true, absl::StatusCode::kUnavailable},
    {ErrorCode::kNotLeaderOrFollower, "NOT_LEADER_OR_FOLLOWER",
     "this broker does not lead the partition; refresh metadata (brook answers it only as an "
     "injected fault)",
     true, absl::StatusCode::kUnavailable},
    {ErrorCode::kRequestTimedOut, "REQUEST_TIMED_OUT",
     "the request did not complete within its timeout", true,
     absl::StatusCode::kDeadlineExceeded},
    {ErrorCode::kMessageTooLarge, "MESSAGE_TOO_LARGE",
     "the record batch is larger than the topic's max.message.bytes", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kOffsetMetadataTooLarge, "OFFSET_METADATA_TOO_LARGE",
     "the offset commit's metadata is larger than 4 KiB", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kNetworkException, "NETWORK_EXCEPTION", "the connection to the broker failed",
     true, absl::StatusCode::kUnavailable},
    {ErrorCode::kInvalidTopic, "INVALID_TOPIC_EXCEPTION",
     "topic names are 1-249 characters of [a-zA-Z0-9._-]", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kRecordListTooLarge, "RECORD_LIST_TOO_LARGE",
     "the request's records exceed the broker's frame budget", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kInvalidRequiredAcks, "INVALID_REQUIRED_ACKS", "acks must be 0, 1 or -1 (all)",
     false, absl::StatusCode::kInvalidArgument},
    {ErrorCode::kIllegalGeneration, "ILLEGAL_GENERATION",
     "the member's generation is not the group's current one; rejoin the group", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kInconsistentGroupProtocol, "INCONSISTENT_GROUP_PROTOCOL",
     "the member's assignor or protocol does not fit the group's, or the group's members use "
     "the other protocol (brook or Kafka)",
     false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kInvalidGroupId, "INVALID_GROUP_ID", "group ids are 1-255 bytes", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kUnknownMemberId, "UNKNOWN_MEMBER_ID",
     "the member is not in the group (it left or was expelled); rejoin the group", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kInvalidSessionTimeout, "INVALID_SESSION_TIMEOUT",
     "the session timeout is outside the broker's allowed range", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kRebalanceInProgress, "REBALANCE_IN_PROGRESS",
     "the group is rebalancing; rejoin to get the new assignment", true,
     absl::StatusCode::kAborted},
    {ErrorCode::kInvalidTimestamp, "INVALID_TIMESTAMP", "the timestamp is not valid", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kUnsupportedVersion, "UNSUPPORTED_VERSION",
     "the API version is not served by this broker; see ApiVersions", false,
     absl::StatusCode::kUnimplemented},
    {ErrorCode::kTopicAlreadyExists, "TOPIC_ALREADY_EXISTS", "a topic with this name exists",
     false, absl::StatusCode::kAlreadyExists},
    {ErrorCode::kInvalidPartitions, "INVALID_PARTITIONS", "the partition count is not valid",
     false, absl::StatusCode::kInvalidArgument},
    {ErrorCode::kInvalidConfig, "INVALID_CONFIG", "a topic config key or value is not valid",
     false, absl::StatusCode::kInvalidArgument},
    {ErrorCode::kInvalidRequest, "INVALID_REQUEST",
     "the request could not be decoded or is inconsistent", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kOutOfOrderSequenceNumber, "OUT_OF_ORDER_SEQUENCE_NUMBER",
     "the batch's sequence number does not follow the producer's last one on this partition",
     false, absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kDuplicateSequenceNumber, "DUPLICATE_SEQUENCE_NUMBER",
     "some batches of the record set were appended before and others not; send them apart",
     false, absl::StatusCode::kAlreadyExists},
    {ErrorCode::kInvalidProducerEpoch, "INVALID_PRODUCER_EPOCH",
     "a newer instance of this producer (a higher epoch) has written: this one is fenced", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kUnknownProducerId, "UNKNOWN_PRODUCER_ID",
     "the broker has no state for this producer id (it expired); get a new producer id", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kKafkaStorageError, "STORAGE_ERROR",
     "the broker could not read or write its disk (is it full?)", true,
     absl::StatusCode::kUnavailable},
    {ErrorCode::kNonEmptyGroup, "NON_EMPTY_GROUP",
     "the group has live members; stop them first", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kGroupIdNotFound, "GROUP_ID_NOT_FOUND",
     "the group has no members and no committed offsets", false, absl::StatusCode::kNotFound},
    {ErrorCode::kMemberIdRequired, "MEMBER_ID_REQUIRED",
     "the coordinator gave the new member an id; join again with it", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kFencedInstanceId, "FENCED_INSTANCE_ID",
     "another member joined with the same group instance id; this one is fenced", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kUnsupportedCompressionType, "UNSUPPORTED_COMPRESSION_TYPE",
     "the batch's compression bits (5-7) name no codec", false,
     absl::StatusCode::kUnimplemented},
    {ErrorCode::kInvalidRecord, "INVALID_RECORD", "a record is not acceptable for this topic",
     false, absl::StatusCode::kInvalidArgument},
    {ErrorCode::kUnknownTopicId, "UNKNOWN_TOPIC_ID", "no topic has this topic id", true,
     absl::StatusCode::kNotFound},
    {ErrorCode::kCoordinatorLoadInProgress, "COORDINATOR_LOAD_IN_PROGRESS",
     "the coordinator is loading its state (brook answers it only as an injected fault)", true,
     absl::StatusCode::kUnavailable},
    {ErrorCode::kNotCoordinator, "NOT_COORDINATOR",
     "this broker is not the group's coordinator; find it again (brook answers it only as an "
     "injected fault)",
     true, absl::StatusCode::kUnavailable},
    {ErrorCode::kCoordinatorNotAvailable, "COORDINATOR_NOT_AVAILABLE",
     "no coordinator serves this key (brook has no transaction coordinator yet)", true,
     absl::StatusCode::kUnavailable},
    {ErrorCode::kInvalidReplicationFactor, "INVALID_REPLICATION_FACTOR",
     "brook is one node: the replication factor must be 1 (or -1 for the default)", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kInvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT",
     "brook is one node: a replica assignment must name only this node", false,
     absl::StatusCode::kInvalidArgument},
    {ErrorCode::kPolicyViolation, "POLICY_VIOLATION",
     "the topic's settings forbid this (records of a compact-only topic cannot be deleted)",
     false, absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kGroupSubscribedToTopic, "GROUP_SUBSCRIBED_TO_TOPIC",
     "a live member of the group consumes the topic: its offsets cannot be deleted now", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kUnknownApiKey, "UNKNOWN_API_KEY", "the API key is not known to this broker",
     false, absl::StatusCode::kUnimplemented},
    {ErrorCode::kBrokerShuttingDown, "BROKER_SHUTTING_DOWN", "the broker is shutting down", true,
     absl::StatusCode::kUnavailable},
    {ErrorCode::kResourceLimit, "RESOURCE_LIMIT",
     "a broker limit (connections or in-flight requests) was reached", true,
     absl::StatusCode::kResourceExhausted},
    {ErrorCode::kWrongExpectedVersion, "WRONG_EXPECTED_VERSION",
     "the stream is not at the expected revision; reload it and retry", false,
     absl::StatusCode::kFailedPrecondition},
    {ErrorCode::kStreamNotFound, "STREAM_NOT_FOUND", "the stream does not exist or was deleted",
     false, absl::StatusCode::kNotFound},
    {ErrorCode::kEventIdConflict, "EVENT_ID_CONFLICT",
     "some of the event ids were appended before, but not all of them at this place", false,
     absl::StatusCode::kAlreadyExists},
    {ErrorCode::kNotAnEventStore, "NOT_AN_EVENT_STORE",
     "the topic is not an event store (create it with event.store=true)", false,
     absl::StatusCode::kFailedPrecondition},
};

const ErrorInfo& InfoOf(ErrorCode code) {
  for (const ErrorInfo& info : kErrors) {
    if (info.code == code) return info;
  }
  return kErrors[0];
}

}  // namespace

std::string_view ErrorName(ErrorCode code) { return InfoOf(code).name; }
std::string_view ErrorDescription(ErrorCode code) { return InfoOf(code).description; }
bool IsRetriable(ErrorCode code) { return InfoOf(code).retriable; }

ErrorCode ErrorCodeFromWire(int16_t raw) {
  for (const ErrorInfo& info : kErrors) {
    if (static_cast<int16_t>(info.code) == raw) return info.code;
  }
  return ErrorCode::kUnknownServerError;
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  for (const ErrorInfo& info : kErrors) {
    if (absl::EqualsIgnoreCase(ToAbsl(info.name), ToAbsl(name))) return info.code;
  }
  return std::nullopt;
}

absl::Status MakeError(ErrorCode code, std::string_view message) {
  absl::Status status(InfoOf(code).canonical, std::string(message));
  status.SetPayload(ToAbsl(kPayloadUrl), absl::Cord(std::to_string(static_cast<int>(code))));
  return status;
}

ErrorCode CodeOf(const absl::Status& status) {
  if (status.ok()) return ErrorCode::kNone;
  if (auto payload = status.GetPayload(ToAbsl(kPayloadUrl))) {
    return ErrorCodeFromWire(static_cast<int16_t>(std::stoi(std::string(*payload))));
  }
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return ErrorCode::kUnknownTopicOrPartition;
    case absl::StatusCode::kAlreadyExists:
      return ErrorCode::kTopicAlreadyExists;
    case absl::StatusCode::kOutOfRange:
      return ErrorCode::kOffsetOutOfRange;
    case absl::StatusCode::kInvalidArgument:
      return ErrorCode::kInvalidRequest;
    case absl::StatusCode::kDataLoss:
      return ErrorCode::kCorruptMessage;
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorCode::kRequestTimedOut;
    case absl::StatusCode::kUnavailable:
      return ErrorCode::kKafkaStorageError;
    default:
      return ErrorCode::kUnknownServerError;
  }
}

}  // namespace brook
