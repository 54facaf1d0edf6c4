// protocol/consumer_protocol.h: Kafka's "consumer" embedded protocol, the opaque bytes Kafka
// consumers put in JoinGroup (their subscription) and SyncGroup (the leader's assignment).
//
// A group whose protocol type is kConsumerProtocolType carries, for each protocol (the
// client-side assignor: "range", "cooperative-sticky", ...), a Subscription as its JoinGroup
// metadata and an Assignment per member in SyncGroup. The coordinator never needs them; the
// broker decodes them to show Kafka groups' topics and partitions (`brook group describe`).
//
// Format (Kafka's ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json, not
// flexible; int16/int32 big-endian, string = int16 length + UTF-8, bytes = int32 length (-1 =
// null), array = int32 count):
//
//   Subscription => version:int16 topics:[string] user_data:bytes?
//                   owned_partitions:[topic:string partitions:[int32]]   (version >= 1)
//                   generation_id:int32                                  (version >= 2)
//                   rack_id:string?                                      (version >= 3)
//   Assignment   => version:int16 assigned:[topic:string partitions:[int32]] user_data:bytes?
//
// As Kafka does, a version newer than 3 is read as version 3 (newer versions only append
// fields) and bytes after the known fields are ignored; a negative version is an error.
//
// Thread-safety: pure functions over bytes; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/messages.h"

namespace brook {

// The protocol type of Kafka consumer groups (JoinGroup's ProtocolType).
inline constexpr std::string_view kConsumerProtocolType = "consumer";
// The newest version of both structures that this codec knows.
inline constexpr int16_t kConsumerProtocolMaxVersion = 3;

struct ConsumerSubscription {
  int16_t version = kConsumerProtocolMaxVersion;
  std::vector<std::string> topics;
  std::optional<std::string> user_data;
  std::vector<TopicPartitions> owned_partitions;  // Version >= 1.
  int32_t generation_id = -1;                     // Version >= 2.
  std::optional<std::string> rack_id;             // Version >= 3.
};

struct ConsumerAssignment {
  int16_t version = kConsumerProtocolMaxVersion;
  std::vector<TopicPartitions> partitions;
  std::optional<std::string> user_data;
};

// Decodes JoinGroup metadata. The result's `version` is the one on the wire. Errors:
// INVALID_REQUEST when the bytes are truncated, a length is invalid or the version negative.
absl::StatusOr<ConsumerSubscription> DecodeConsumerSubscription(std::string_view bytes);
// Decodes one member's SyncGroup assignment. Empty bytes (what the coordinator gives a
// member the leader left out) are not an assignment: INVALID_REQUEST, like any truncation.
absl::StatusOr<ConsumerAssignment> DecodeConsumerAssignment(std::string_view bytes);

// Encodes at `version` (fields newer than it are left out). REQUIRES: 0 <= version <= 3.
std::string EncodeConsumerSubscription(const ConsumerSubscription& subscription);
std::string EncodeConsumerAssignment(const ConsumerAssignment& assignment);

}  // namespace brook
