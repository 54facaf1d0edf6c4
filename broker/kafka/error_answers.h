// broker/kafka/error_answers.h: the answer a Kafka API gives when a fault rule injects an
// error (broker/faults/fault_registry.h): a valid response of the request's API and version,
// built from the decoded request, with the code where that API's clients read it:
//
//   per partition   Produce, Fetch, ListOffsets, OffsetCommit, DeleteRecords,
//                   OffsetForLeaderEpoch, DescribeProducers (and OffsetFetch v0-1)
//   per topic       Metadata (each topic asked for; a request for every topic gets none),
//                   CreateTopics, DeleteTopics, CreatePartitions
//   per resource    DescribeConfigs, AlterConfigs, IncrementalAlterConfigs
//   per group       DescribeGroups, DeleteGroups (and OffsetFetch v8)
//   top level       FindCoordinator (per key from v4), JoinGroup, SyncGroup, Heartbeat,
//                   LeaveGroup, ListGroups, OffsetFetch v2-7, OffsetDelete, InitProducerId,
//                   DescribeCluster, ApiVersions
//
// One overload per API; the API table (api_table.cc) serves an injected error through it, and
// a row whose API has none refuses error rules when they are added. Nothing is changed by an
// error answer: the request is not handled.
#pragma once

#include "broker/kafka/handlers.h"

namespace brook::kafka_listener {

#define BROOK_KAFKA_ERROR_ANSWER(Api)                                                    \
  kafka::Api##Response ErrorAnswer(const KafkaContext& ctx, const kafka::Api##Request& r, \
                                   int16_t version, ErrorCode code)

BROOK_KAFKA_ERROR_ANSWER(Produce);
BROOK_KAFKA_ERROR_ANSWER(Fetch);
BROOK_KAFKA_ERROR_ANSWER(ListOffsets);
BROOK_KAFKA_ERROR_ANSWER(Metadata);
BROOK_KAFKA_ERROR_ANSWER(OffsetCommit);
BROOK_KAFKA_ERROR_ANSWER(OffsetFetch);
BROOK_KAFKA_ERROR_ANSWER(FindCoordinator);
BROOK_KAFKA_ERROR_ANSWER(JoinGroup);
BROOK_KAFKA_ERROR_ANSWER(Heartbeat);
BROOK_KAFKA_ERROR_ANSWER(LeaveGroup);
BROOK_KAFKA_ERROR_ANSWER(SyncGroup);
BROOK_KAFKA_ERROR_ANSWER(DescribeGroups);
BROOK_KAFKA_ERROR_ANSWER(ListGroups);
BROOK_KAFKA_ERROR_ANSWER(ApiVersions);
BROOK_KAFKA_ERROR_ANSWER(CreateTopics);
BROOK_KAFKA_ERROR_ANSWER(DeleteTopics);
BROOK_KAFKA_ERROR_ANSWER(DeleteRecords);
BROOK_KAFKA_ERROR_ANSWER(InitProducerId);
BROOK_KAFKA_ERROR_ANSWER(OffsetForLeaderEpoch);
BROOK_KAFKA_ERROR_ANSWER(DescribeConfigs);
BROOK_KAFKA_ERROR_ANSWER(AlterConfigs);
BROOK_KAFKA_ERROR_ANSWER(CreatePartitions);
BROOK_KAFKA_ERROR_ANSWER(DeleteGroups);
BROOK_KAFKA_ERROR_ANSWER(IncrementalAlterConfigs);
BROOK_KAFKA_ERROR_ANSWER(OffsetDelete);
BROOK_KAFKA_ERROR_ANSWER(DescribeCluster);
BROOK_KAFKA_ERROR_ANSWER(DescribeProducers);

#undef BROOK_KAFKA_ERROR_ANSWER

// Whether the API of `Request` has an error answer.
template <class Request, class Response>
concept HasErrorAnswer = requires(const KafkaContext& ctx, const Request& r, ErrorCode code) {
  { ErrorAnswer(ctx, r, int16_t{0}, code) } -> std::same_as<Response>;
};

}  // namespace brook::kafka_listener
