// protocol/error_codes.h: the wire error codes and how they travel inside absl::Status.
//
// Every error a client can see is one ErrorCode. The numbers follow Apache Kafka's where the
// meaning is the same (so a Kafka-compatible listener maps them one to one); brook's own codes
// start at 1000. A number is never reused: a retired code keeps its line with a comment.
//
// Inside brook, errors cross module boundaries as absl::Status. WithCode() attaches the exact
// wire code to a Status as a payload; CodeOf() reads it back (or derives one from the
// canonical status code when none was attached), so the broker answers with the precise code.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace brook {

enum class ErrorCode : int16_t {
  kUnknownServerError = -1,         // An unexpected error in the broker; see its log.
  kNone = 0,                        // Success.
  kOffsetOutOfRange = 1,            // The offset is below the log start or above the log end.
  kCorruptMessage = 2,              // A record batch failed its CRC or is malformed.
  kUnknownTopicOrPartition = 3,     // The topic does not exist, or has no such partition.
  kInvalidFetchSize = 4,            // A fetch asked for a negative or zero byte budget.
  kLeaderNotAvailable = 5,          // Kafka: no leader for the partition yet (faults only).
  kNotLeaderOrFollower = 6,         // Kafka: this broker does not lead it (faults only).
  kRequestTimedOut = 7,             // The request did not complete within its timeout.
  kMessageTooLarge = 10,            // A batch is larger than the topic's max.message.bytes.
  kOffsetMetadataTooLarge = 12,     // An offset commit's metadata is over 4 KiB.
  kNetworkException = 13,           // The connection failed (client side only).
  kCoordinatorLoadInProgress = 14,  // Kafka: the coordinator is loading (faults only).
  kCoordinatorNotAvailable = 15,    // No coordinator for this key (Kafka: transactions).
  kNotCoordinator = 16,             // Kafka: this broker is not the coordinator (faults only).
  kInvalidTopic = 17,               // The topic name is not valid.
  kRecordListTooLarge = 18,         // The request's records exceed the frame budget.
  kInvalidRequiredAcks = 21,        // acks is not 0, 1 or -1.
  kIllegalGeneration = 22,          // The member's generation is not the group's current one.
  kInconsistentGroupProtocol = 23,  // The member's assignor differs from the group's.
  kInvalidGroupId = 24,             // The group id is empty or too long.
  kUnknownMemberId = 25,            // The member is not (or no longer) in the group.
  kInvalidSessionTimeout = 26,      // The session timeout is outside the broker's range.
  kRebalanceInProgress = 27,        // The group is rebalancing: the member must rejoin.
  kInvalidTimestamp = 32,           // A timestamp is not valid.
  kUnsupportedVersion = 35,         // The API version is not served by this broker.
  kTopicAlreadyExists = 36,         // A topic with this name already exists.
  kInvalidPartitions = 37,          // The partition count is not in [1, max].
  kInvalidReplicationFactor = 38,   // Kafka: a replication factor other than 1 (one node).
  kInvalidReplicaAssignment = 39,   // Kafka: a replica assignment naming another node.
  kInvalidConfig = 40,              // A topic config key is unknown or its value is invalid.
  kInvalidRequest = 42,             // The request could not be decoded or is inconsistent.
  kPolicyViolation = 44,            // The topic's settings forbid it (DeleteRecords, compact).
  kOutOfOrderSequenceNumber = 45,   // An idempotent batch's sequence does not follow the last one.
  kDuplicateSequenceNumber = 46,    // Some, not all, batches of a record set are duplicates.
  kInvalidProducerEpoch = 47,       // The producer's epoch is older than the partition's: fenced.
  kUnsupportedCompressionType = 76, // The batch's compression bits (5-7) name no codec.
  kInvalidRecord = 87,              // A record in the batch is not acceptable for the topic.
  kUnknownTopicId = 100,            // Kafka: no topic has this topic id.
  kKafkaStorageError = 56,          // The broker could not read or write its disk (e.g. full).
  kUnknownProducerId = 59,          // The broker has no state for the producer id.
  kNonEmptyGroup = 68,              // The group has live members (delete, reset offsets).
  kGroupIdNotFound = 69,            // The group has neither members nor committed offsets.
  kMemberIdRequired = 79,           // Kafka JoinGroup v4+: join again with the member id given.
  kFencedInstanceId = 82,           // A newer member joined with this static instance id.
  kGroupSubscribedToTopic = 86,     // OffsetDelete: a live member of the group consumes it.
  kUnknownApiKey = 1000,            // The request's API key is not known to this broker.
  kBrokerShuttingDown = 1001,       // The broker is stopping; retry against it once restarted.
  kResourceLimit = 1002,            // A broker limit (connections, in-flight) was reached.
  // 1003-1009: free. The event store's codes (docs/event-store.md) start at 1010.
  kWrongExpectedVersion = 1010,     // The stream is not at the expected revision (see actual).
  kStreamNotFound = 1011,           // The stream does not exist, or was deleted.
  kEventIdConflict = 1012,          // Some, not all, event ids were appended before, or elsewhere.
  kNotAnEventStore = 1013,          // The topic is not an event store (event.store=true).
};

// The stable upper-case name of a code, e.g. "UNKNOWN_TOPIC_OR_PARTITION".
std::string_view ErrorName(ErrorCode code);
// A one-line description a person can act on.
std::string_view ErrorDescription(ErrorCode code);
// True when repeating the same request later may succeed (the producer retries these).
bool IsRetriable(ErrorCode code);
// Converts a raw wire value; unknown numbers map to kUnknownServerError.
ErrorCode ErrorCodeFromWire(int16_t raw);
// The code with this name (ErrorName's spelling, any case), or nullopt.
std::optional<ErrorCode> ErrorCodeFromName(std::string_view name);

// Returns a Status with the canonical code that fits `code`, carrying `code` as payload.
// REQUIRES: code != ErrorCode::kNone.
absl::Status MakeError(ErrorCode code, std::string_view message);
// The wire code of a status: its payload if it has one, else derived from the canonical code.
// Returns kNone for an OK status.
ErrorCode CodeOf(const absl::Status& status);

}  // namespace brook
