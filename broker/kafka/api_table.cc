#include "broker/kafka/api_table.h"

#include "broker/faults/fault_delay.h"
#include "broker/faults/request_names.h"
#include "broker/kafka/error_answers.h"
#include "broker/kafka/handlers.h"
#include "broker/log.h"
#include "protocol/absl_compat.h"
#include "protocol/frame.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka_listener {
namespace asio = boost::asio;
namespace {

// Decodes a request body, checks it against the fault rules (an injected error is answered by
// the API's ErrorAnswer, a drop closes the connection, a delay waits and serves), runs its
// handler and encodes the answer. A body that does not
// decode closes the connection (what Kafka does: the client cannot tell which answer is
// missing otherwise).
template <class Request, class Response,
          KafkaResult<Response> (*Handler)(KafkaContext&, const Request&, KafkaScope&)>
asio::awaitable<RequestHandler::Outcome> Serve(KafkaContext& ctx,
                                               const kafka::RequestHeader& header,
                                               std::string_view body, const std::string& peer) {
  absl::StatusOr<Request> request = kafka::Decode<Request>(body, header.api_version);
  if (!request.ok()) {
    Log(LogLevel::kWarn, "closing Kafka connection: undecodable request", "peer", peer, "api",
        FindKafkaApi(header.api_key)->name, "version", header.api_version, "error",
        MessageOf(request.status()));
    co_return RequestHandler::Outcome{std::nullopt, true};
  }
  KafkaScope scope;
  scope.version = header.api_version;
  scope.request.client_id = header.client_id.value_or("");
  scope.request.peer = peer;
  std::optional<Response> injected;
  if (std::optional<faults::FaultHit> hit = faults::FindFault(
          ctx.broker.faults, FaultListener::kKafka, header.api_key, *request)) {
    if (hit->action == FaultAction::kDrop) co_return RequestHandler::Outcome{std::nullopt, true};
    if (hit->action == FaultAction::kDelay) {
      co_await faults::SleepFor(std::chrono::milliseconds(hit->delay_ms));
    }
    if constexpr (HasErrorAnswer<Request, Response>) {
      if (hit->action == FaultAction::kError) {
        if constexpr (std::is_same_v<Request, kafka::ProduceRequest>) {
          // acks=0 gets no answer: Kafka closes the connection to report a failed produce.
          if (request->acks == 0) co_return RequestHandler::Outcome{std::nullopt, true};
        }
        injected = ErrorAnswer(ctx, *request, header.api_version,
                               KafkaCodeOf(static_cast<ErrorCode>(hit->error_code)));
      }
    }
  }
  // Not `injected ? ... : co_await ...`: GCC 12 mishandles co_await in a conditional operator.
  Response response;
  if (injected) {
    response = *std::move(injected);
  } else {
    response = co_await Handler(ctx, *request, scope);
  }
  if (scope.no_response) co_return RequestHandler::Outcome{};
  std::string frame;
  // ApiVersions answers with response header v0 at every version (KIP-511).
  const bool flexible_header =
      header.api_key != kApiVersionsKey && header.api_version >= Response::kFlexibleFrom;
  kafka::BeginResponse(header.correlation_id, flexible_header, &frame);
  kafka::Encode(response, header.api_version, &frame);
  FinishFrame(&frame);
  int16_t error_code = 0;  // A response-level error, for metrics (per-partition ones are not).
  if constexpr (requires { response.error_code; }) {
    error_code = static_cast<int16_t>(response.error_code);
  }
  co_return RequestHandler::Outcome{std::move(frame), false, error_code};
}

template <class Request, class Response,
          KafkaResult<Response> (*Handler)(KafkaContext&, const Request&, KafkaScope&)>
constexpr KafkaApi Row(int16_t key, std::string_view name, int16_t min_version,
                       int16_t max_version) {
  static_assert(Request::kFlexibleFrom == Response::kFlexibleFrom);
  return KafkaApi{key,
                  name,
                  min_version,
                  max_version,
                  Request::kFlexibleFrom,
                  &Serve<Request, Response, Handler>,
                  HasErrorAnswer<Request, Response>};
}

// The served versions. Produce and Fetch start at 0 although their oldest versions carry
// MessageSets: librdkafka < 2.11 decides whether to compress from Produce's minimum being 0.
constexpr KafkaApi kApis[] = {
    Row<kafka::ProduceRequest, kafka::ProduceResponse, HandleProduce>(0, "Produce", 0, 11),
    Row<kafka::FetchRequest, kafka::FetchResponse, HandleFetch>(1, "Fetch", 0, 12),
    Row<kafka::ListOffsetsRequest, kafka::ListOffsetsResponse, HandleListOffsets>(
        2, "ListOffsets", 0, 7),
    Row<kafka::MetadataRequest, kafka::MetadataResponse, HandleMetadata>(3, "Metadata", 0, 12),
    Row<kafka::OffsetCommitRequest, kafka::OffsetCommitResponse, HandleOffsetCommit>(
        8, "OffsetCommit", 0, 8),
    Row<kafka::OffsetFetchRequest, kafka::OffsetFetchResponse, HandleOffsetFetch>(
        9, "OffsetFetch", 0, 8),
    Row<kafka::FindCoordinatorRequest, kafka::FindCoordinatorResponse, HandleFindCoordinator>(
        10, "FindCoordinator", 0, 5),
    Row<kafka::JoinGroupRequest, kafka::JoinGroupResponse, HandleJoinGroup>(11, "JoinGroup", 0,
                                                                            9),
    Row<kafka::HeartbeatRequest, kafka::HeartbeatResponse, HandleHeartbeat>(12, "Heartbeat", 0,
                                                                            4),
    Row<kafka::LeaveGroupRequest, kafka::LeaveGroupResponse, HandleLeaveGroup>(13, "LeaveGroup",
                                                                               0, 5),
    Row<kafka::SyncGroupRequest, kafka::SyncGroupResponse, HandleSyncGroup>(14, "SyncGroup", 0,
                                                                            5),
    Row<kafka::DescribeGroupsRequest, kafka::DescribeGroupsResponse, HandleDescribeGroups>(
        15, "DescribeGroups", 0, 5),
    Row<kafka::ListGroupsRequest, kafka::ListGroupsResponse, HandleListGroups>(16, "ListGroups",
                                                                               0, 4),
    Row<kafka::ApiVersionsRequest, kafka::ApiVersionsResponse, HandleApiVersions>(
        kApiVersionsKey, "ApiVersions", 0, 4),
    Row<kafka::CreateTopicsRequest, kafka::CreateTopicsResponse, HandleCreateTopics>(
        19, "CreateTopics", 0, 7),
    Row<kafka::DeleteTopicsRequest, kafka::DeleteTopicsResponse, HandleDeleteTopics>(
        20, "DeleteTopics", 0, 6),
    Row<kafka::DeleteRecordsRequest, kafka::DeleteRecordsResponse, HandleDeleteRecords>(
        21, "DeleteRecords", 0, 2),
    Row<kafka::InitProducerIdRequest, kafka::InitProducerIdResponse, HandleInitProducerId>(
        22, "InitProducerId", 0, 5),
    Row<kafka::OffsetForLeaderEpochRequest, kafka::OffsetForLeaderEpochResponse,
        HandleOffsetForLeaderEpoch>(23, "OffsetForLeaderEpoch", 0, 4),
    Row<kafka::DescribeConfigsRequest, kafka::DescribeConfigsResponse, HandleDescribeConfigs>(
        32, "DescribeConfigs", 0, 4),
    Row<kafka::AlterConfigsRequest, kafka::AlterConfigsResponse, HandleAlterConfigs>(
        33, "AlterConfigs", 0, 2),
    Row<kafka::CreatePartitionsRequest, kafka::CreatePartitionsResponse,
        HandleCreatePartitions>(37, "CreatePartitions", 0, 3),
    Row<kafka::DeleteGroupsRequest, kafka::DeleteGroupsResponse, HandleDeleteGroups>(
        42, "DeleteGroups", 0, 2),
    Row<kafka::IncrementalAlterConfigsRequest, kafka::IncrementalAlterConfigsResponse,
        HandleIncrementalAlterConfigs>(44, "IncrementalAlterConfigs", 0, 1),
    Row<kafka::OffsetDeleteRequest, kafka::OffsetDeleteResponse, HandleOffsetDelete>(
        47, "OffsetDelete", 0, 0),
    Row<kafka::DescribeClusterRequest, kafka::DescribeClusterResponse, HandleDescribeCluster>(
        60, "DescribeCluster", 0, 1),
    Row<kafka::DescribeProducersRequest, kafka::DescribeProducersResponse,
        HandleDescribeProducers>(61, "DescribeProducers", 0, 0),
};

}  // namespace

std::span<const KafkaApi> KafkaApis() { return kApis; }

const KafkaApi* FindKafkaApi(int16_t key) {
  for (const KafkaApi& api : kApis) {
    if (api.key == key) return &api;
  }
  return nullptr;
}

}  // namespace brook::kafka_listener
