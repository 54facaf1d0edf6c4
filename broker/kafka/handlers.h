// broker/kafka/handlers.h: one function per Kafka API.
//
// Each takes the decoded request and returns the whole answer; Kafka has no request-level
// error header, so every error travels inside the answer (per topic, partition, group...).
// Where an API means the same as brook's own, the handler translates the request into brook's
// and calls brook's handler (broker/handlers/), so both protocols share one implementation of
// appends, long-poll fetches, offsets and topics. Handlers run on the connection's thread;
// everything before their first co_await runs in request arrival order.
#pragma once

#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "absl/status/status.h"
#include "broker/kafka/context.h"
#include "protocol/kafka/messages/api_versions.h"
#include "protocol/kafka/messages/cluster.h"
#include "protocol/kafka/messages/configs.h"
#include "protocol/kafka/messages/delete_records.h"
#include "protocol/kafka/messages/fetch.h"
#include "protocol/kafka/messages/find_coordinator.h"
#include "protocol/kafka/messages/groups.h"
#include "protocol/kafka/messages/list_offsets.h"
#include "protocol/kafka/messages/metadata.h"
#include "protocol/kafka/messages/offsets.h"
#include "protocol/kafka/messages/produce.h"
#include "protocol/kafka/messages/producers.h"
#include "protocol/kafka/messages/topics.h"

namespace brook::kafka_listener {

template <class Response>
using KafkaResult = boost::asio::awaitable<Response>;

KafkaResult<kafka::ApiVersionsResponse> HandleApiVersions(KafkaContext& ctx,
                                                          const kafka::ApiVersionsRequest& request,
                                                          KafkaScope& scope);
KafkaResult<kafka::MetadataResponse> HandleMetadata(KafkaContext& ctx,
                                                    const kafka::MetadataRequest& request,
                                                    KafkaScope& scope);
KafkaResult<kafka::ProduceResponse> HandleProduce(KafkaContext& ctx,
                                                  const kafka::ProduceRequest& request,
                                                  KafkaScope& scope);
KafkaResult<kafka::FetchResponse> HandleFetch(KafkaContext& ctx, const kafka::FetchRequest& request,
                                              KafkaScope& scope);
KafkaResult<kafka::ListOffsetsResponse> HandleListOffsets(KafkaContext& ctx,
                                                          const kafka::ListOffsetsRequest& request,
                                                          KafkaScope& scope);
KafkaResult<kafka::OffsetForLeaderEpochResponse> HandleOffsetForLeaderEpoch(
    KafkaContext& ctx, const kafka::OffsetForLeaderEpochRequest& request, KafkaScope& scope);
KafkaResult<kafka::CreateTopicsResponse> HandleCreateTopics(
    KafkaContext& ctx, const kafka::CreateTopicsRequest& request, KafkaScope& scope);
KafkaResult<kafka::DeleteTopicsResponse> HandleDeleteTopics(
    KafkaContext& ctx, const kafka::DeleteTopicsRequest& request, KafkaScope& scope);
KafkaResult<kafka::CreatePartitionsResponse> HandleCreatePartitions(
    KafkaContext& ctx, const kafka::CreatePartitionsRequest& request, KafkaScope& scope);
KafkaResult<kafka::DeleteRecordsResponse> HandleDeleteRecords(
    KafkaContext& ctx, const kafka::DeleteRecordsRequest& request, KafkaScope& scope);
KafkaResult<kafka::DescribeConfigsResponse> HandleDescribeConfigs(
    KafkaContext& ctx, const kafka::DescribeConfigsRequest& request, KafkaScope& scope);
KafkaResult<kafka::AlterConfigsResponse> HandleAlterConfigs(
    KafkaContext& ctx, const kafka::AlterConfigsRequest& request, KafkaScope& scope);
KafkaResult<kafka::IncrementalAlterConfigsResponse> HandleIncrementalAlterConfigs(
    KafkaContext& ctx, const kafka::IncrementalAlterConfigsRequest& request, KafkaScope& scope);
KafkaResult<kafka::DescribeClusterResponse> HandleDescribeCluster(
    KafkaContext& ctx, const kafka::DescribeClusterRequest& request, KafkaScope& scope);
KafkaResult<kafka::JoinGroupResponse> HandleJoinGroup(KafkaContext& ctx,
                                                      const kafka::JoinGroupRequest& request,
                                                      KafkaScope& scope);
KafkaResult<kafka::SyncGroupResponse> HandleSyncGroup(KafkaContext& ctx,
                                                      const kafka::SyncGroupRequest& request,
                                                      KafkaScope& scope);
KafkaResult<kafka::HeartbeatResponse> HandleHeartbeat(KafkaContext& ctx,
                                                      const kafka::HeartbeatRequest& request,
                                                      KafkaScope& scope);
KafkaResult<kafka::LeaveGroupResponse> HandleLeaveGroup(KafkaContext& ctx,
                                                        const kafka::LeaveGroupRequest& request,
                                                        KafkaScope& scope);
KafkaResult<kafka::DescribeGroupsResponse> HandleDescribeGroups(
    KafkaContext& ctx, const kafka::DescribeGroupsRequest& request, KafkaScope& scope);
KafkaResult<kafka::ListGroupsResponse> HandleListGroups(KafkaContext& ctx,
                                                        const kafka::ListGroupsRequest& request,
                                                        KafkaScope& scope);
KafkaResult<kafka::OffsetCommitResponse> HandleOffsetCommit(
    KafkaContext& ctx, const kafka::OffsetCommitRequest& request, KafkaScope& scope);
KafkaResult<kafka::OffsetFetchResponse> HandleOffsetFetch(
    KafkaContext& ctx, const kafka::OffsetFetchRequest& request, KafkaScope& scope);
KafkaResult<kafka::DeleteGroupsResponse> HandleDeleteGroups(
    KafkaContext& ctx, const kafka::DeleteGroupsRequest& request, KafkaScope& scope);
KafkaResult<kafka::OffsetDeleteResponse> HandleOffsetDelete(
    KafkaContext& ctx, const kafka::OffsetDeleteRequest& request, KafkaScope& scope);
KafkaResult<kafka::InitProducerIdResponse> HandleInitProducerId(
    KafkaContext& ctx, const kafka::InitProducerIdRequest& request, KafkaScope& scope);
KafkaResult<kafka::DescribeProducersResponse> HandleDescribeProducers(
    KafkaContext& ctx, const kafka::DescribeProducersRequest& request, KafkaScope& scope);
KafkaResult<kafka::FindCoordinatorResponse> HandleFindCoordinator(
    KafkaContext& ctx, const kafka::FindCoordinatorRequest& request, KafkaScope& scope);

// The Kafka code for a status or a code: brook's own codes (1000+) become the Kafka code a
// client retries the same way (BROKER_SHUTTING_DOWN: COORDINATOR_NOT_AVAILABLE).
ErrorCode KafkaCodeOf(const absl::Status& status);
ErrorCode KafkaCodeOf(ErrorCode code);

// The answer to an ApiVersions request at a version this broker does not serve (KIP-511):
// UNSUPPORTED_VERSION with the served list, encoded at version 0.
kafka::ApiVersionsResponse UnsupportedApiVersions();

// Creates `topic` as Kafka's auto.create.topics.enable would (the broker's topic defaults,
// config.default_partitions), when the listener allows it. OK when it exists afterwards
// (created now or by someone else meanwhile). Errors: UNKNOWN_TOPIC_OR_PARTITION when
// auto-creation is off; INVALID_TOPIC; STORAGE_ERROR.
absl::Status AutoCreateTopic(KafkaContext& ctx, std::string_view topic);

}  // namespace brook::kafka_listener
