// broker/handlers/handlers.h: one function per API of brook's protocol.
//
// Each handler takes the decoded request and returns the response, or a Status for a
// request-level error (sent in the response header, no body). Per-partition and per-topic
// errors go inside the response. Handlers run on the connection's thread; everything before
// their first co_await runs in request arrival order. Buffers that a response's string_views
// point into are kept in `scope` until the response is encoded; `scope` also carries what the
// request header says about the client.
#pragma once

#include <atomic>
#include <string>
#include <deque>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "absl/status/statusor.h"
#include "broker/broker_config.h"
#include "broker/faults/fault_registry.h"
#include "broker/fetch_waiters.h"
#include "broker/group/group_coordinator.h"
#include "protocol/messages.h"
#include "storage/log_store.h"

namespace brook {

namespace storage::events {
class EventStore;
}  // namespace storage::events

class BrokerClock;
class LogCleaner;
class MemoryBudget;
namespace metrics {
class BrokerMetrics;
}

struct BrokerContext {
  storage::LogStore& store;
  FetchWaiters& waiters;
  group::GroupCoordinator& groups;
  LogCleaner& cleaner;
  const BrokerConfig& config;
  const std::atomic<bool>& shutting_down;
  BrokerClock& clock;  // What every time the broker keeps reads (broker_clock.h).
  faults::FaultRegistry& faults;  // Armed fault rules, consulted by both protocols.
  // Fetch answers no more than what is left of it (at least one batch); null: no budget.
  const MemoryBudget* memory = nullptr;
  // Counters of both protocols' requests and dead letters (metrics/broker_metrics.h); null:
  // not counted.
  metrics::BrokerMetrics* metrics = nullptr;
  storage::events::EventStore* events = nullptr;  // The event store (event_store/event_api.h).
};

// Owns bytes that a response points into, for the life of one request, and tells the handler
// who sent it.
struct RequestScope {
  std::deque<std::string> buffers;  // A deque: views stay valid as it grows.
  std::string client_id;            // From the request header; empty when null.
  std::string peer;                 // The client's "host:port".
};

template <class Response>
using HandlerResult = boost::asio::awaitable<absl::StatusOr<Response>>;

HandlerResult<ProduceResponse> HandleProduce(BrokerContext& ctx, const ProduceRequest& request,
                                             RequestScope& scope);
HandlerResult<FetchResponse> HandleFetch(BrokerContext& ctx, const FetchRequest& request,
                                         RequestScope& scope);
HandlerResult<ListOffsetsResponse> HandleListOffsets(BrokerContext& ctx,
                                                     const ListOffsetsRequest& request,
                                                     RequestScope& scope);
HandlerResult<MetadataResponse> HandleMetadata(BrokerContext& ctx, const MetadataRequest& request,
                                               RequestScope& scope);
HandlerResult<CreateTopicsResponse> HandleCreateTopics(BrokerContext& ctx,
                                                       const CreateTopicsRequest& request,
                                                       RequestScope& scope);
HandlerResult<DeleteTopicsResponse> HandleDeleteTopics(BrokerContext& ctx,
                                                       const DeleteTopicsRequest& request,
                                                       RequestScope& scope);
// Grows topics (LogStore::CreatePartitions); brook groups subscribed to a grown topic rebalance.
HandlerResult<CreatePartitionsResponse> HandleCreatePartitions(
    BrokerContext& ctx, const CreatePartitionsRequest& request, RequestScope& scope);
// Waits (without blocking the thread, at most the request's timeout) for the log cleaner to
// delete the records.
HandlerResult<DeleteRecordsResponse> HandleDeleteRecords(BrokerContext& ctx,
                                                         const DeleteRecordsRequest& request,
                                                         RequestScope& scope);
HandlerResult<InitProducerIdResponse> HandleInitProducerId(BrokerContext& ctx,
                                                           const InitProducerIdRequest& request,
                                                           RequestScope& scope);
HandlerResult<JoinGroupResponse> HandleJoinGroup(BrokerContext& ctx,
                                                 const JoinGroupRequest& request,
                                                 RequestScope& scope);
HandlerResult<HeartbeatResponse> HandleHeartbeat(BrokerContext& ctx,
                                                 const HeartbeatRequest& request,
                                                 RequestScope& scope);
HandlerResult<LeaveGroupResponse> HandleLeaveGroup(BrokerContext& ctx,
                                                   const LeaveGroupRequest& request,
                                                   RequestScope& scope);
HandlerResult<OffsetCommitResponse> HandleOffsetCommit(BrokerContext& ctx,
                                                       const OffsetCommitRequest& request,
                                                       RequestScope& scope);
// What a commit of a negative offset gets: brook's protocol refuses it (INVALID_REQUEST for
// that partition); Kafka stores any offset as it is, and Kafka clients commit -1 and -2 as
// "latest" and "earliest" markers that their consumers resolve (kafkajs' Admin.resetOffsets).
enum class NegativeOffsets { kRefuse, kStore };
// OffsetCommit's work, for both protocols: Kafka's v7+ also names the committer's static
// instance id. Errors: those of HandleOffsetCommit.
absl::StatusOr<OffsetCommitResponse> CommitOffsets(
    BrokerContext& ctx, const OffsetCommitRequest& request,
    std::optional<std::string_view> group_instance_id, NegativeOffsets negative_offsets);
HandlerResult<OffsetFetchResponse> HandleOffsetFetch(BrokerContext& ctx,
                                                     const OffsetFetchRequest& request,
                                                     RequestScope& scope);
HandlerResult<DescribeGroupsResponse> HandleDescribeGroups(BrokerContext& ctx,
                                                           const DescribeGroupsRequest& request,
                                                           RequestScope& scope);
HandlerResult<ListGroupsResponse> HandleListGroups(BrokerContext& ctx,
                                                   const ListGroupsRequest& request,
                                                   RequestScope& scope);
HandlerResult<DeleteGroupsResponse> HandleDeleteGroups(BrokerContext& ctx,
                                                       const DeleteGroupsRequest& request,
                                                       RequestScope& scope);
// Errors (the whole request): INVALID_GROUP_ID, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP,
// STORAGE_ERROR; per partition: UNKNOWN_TOPIC_OR_PARTITION, GROUP_SUBSCRIBED_TO_TOPIC.
HandlerResult<OffsetDeleteResponse> HandleOffsetDelete(BrokerContext& ctx,
                                                       const OffsetDeleteRequest& request,
                                                       RequestScope& scope);
HandlerResult<AlterConfigsResponse> HandleAlterConfigs(BrokerContext& ctx,
                                                       const AlterConfigsRequest& request,
                                                       RequestScope& scope);
// Waits (without blocking the thread) for the log cleaner to run the compaction.
HandlerResult<CompactTopicResponse> HandleCompactTopic(BrokerContext& ctx,
                                                       const CompactTopicRequest& request,
                                                       RequestScope& scope);
HandlerResult<DeadLetterResponse> HandleDeadLetter(BrokerContext& ctx,
                                                   const DeadLetterRequest& request,
                                                   RequestScope& scope);
HandlerResult<ReplayDeadLettersResponse> HandleReplayDeadLetters(
    BrokerContext& ctx, const ReplayDeadLettersRequest& request, RequestScope& scope);
HandlerResult<DeadLetterStatsResponse> HandleDeadLetterStats(BrokerContext& ctx,
                                                             const DeadLetterStatsRequest& request,
                                                             RequestScope& scope);

// Test controls (test_controls.h): ResetBroker drops everything; Clock switches, reads and
// advances the clock, and after an advance waits for the log cleaner's pass at the new time.
HandlerResult<ResetBrokerResponse> HandleResetBroker(BrokerContext& ctx,
                                                     const ResetBrokerRequest& request,
                                                     RequestScope& scope);
HandlerResult<ClockResponse> HandleClock(BrokerContext& ctx, const ClockRequest& request,
                                         RequestScope& scope);

// Fault injection (broker/faults/fault_registry.h). Errors: those of FaultRegistry's Add and
// Clear.
HandlerResult<FaultAddResponse> HandleFaultAdd(BrokerContext& ctx, const FaultAddRequest& request,
                                               RequestScope& scope);
HandlerResult<FaultListResponse> HandleFaultList(BrokerContext& ctx,
                                                 const FaultListRequest& request,
                                                 RequestScope& scope);
HandlerResult<FaultClearResponse> HandleFaultClear(BrokerContext& ctx,
                                                   const FaultClearRequest& request,
                                                   RequestScope& scope);

// A per-topic result of the topic admin APIs: NONE, or the status's code and message.
TopicResult TopicResultOf(const std::string& name, const absl::Status& status);

// ApiVersions is answered by BrookHandler itself: it owns the table of served APIs.

}  // namespace brook
