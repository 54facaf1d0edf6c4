#include "broker/brook_handler.h"

#include <span>

#include "broker/event_store/event_api.h"
#include "broker/faults/fault_delay.h"
#include "broker/faults/request_names.h"
#include "broker/log.h"
#include "broker/metrics/broker_metrics.h"
#include "protocol/absl_compat.h"
#include "protocol/frame.h"
#include "protocol/message_codec.h"

namespace brook {
namespace asio = boost::asio;
namespace {


RequestHandler::Outcome ErrorReply(const RequestHeader& header, ErrorCode code,
                                   std::string message) {
  std::string frame;
  BeginResponseFrame(ResponseHeader{header.correlation_id, code, std::move(message)}, &frame);
  FinishFrame(&frame);
  return {std::move(frame), false, static_cast<int16_t>(code)};
}

template <class Response>
RequestHandler::Outcome Reply(const RequestHeader& header, const Response& response) {
  std::string frame;
  BeginResponseFrame(ResponseHeader{header.correlation_id, ErrorCode::kNone, std::nullopt},
                     &frame);
  EncodeMessage(response, header.api_version, &frame);
  FinishFrame(&frame);
  return {std::move(frame), false};
}

using ServeFn = asio::awaitable<RequestHandler::Outcome> (*)(const RequestHeader& header,
                                                             std::string_view body,
                                                             const std::string& peer,
                                                             BrokerContext& ctx);

// One served API: its key, the versions served and the function that serves it.
struct Route {
  ApiKey key;
  int16_t min_version;
  int16_t max_version;
  ServeFn serve;
};

// What a firing fault rule makes of a request: an error answer or a drop, or nullopt to serve
// it (after waiting out a delay).
asio::awaitable<std::optional<RequestHandler::Outcome>> ApplyFault(const RequestHeader& header,
                                                                   const faults::FaultHit& hit) {
  switch (hit.action) {
    case FaultAction::kDrop:
      co_return RequestHandler::Outcome{std::nullopt, true};
    case FaultAction::kError:
      co_return ErrorReply(header, static_cast<ErrorCode>(hit.error_code),
                           fmt::format("{} (injected by fault rule {})",
                                       ErrorDescription(static_cast<ErrorCode>(hit.error_code)),
                                       hit.rule_id));
    case FaultAction::kDelay:
      co_await faults::SleepFor(std::chrono::milliseconds(hit.delay_ms));
      break;
  }
  co_return std::nullopt;
}

// Decodes a request body, checks it against the fault rules, runs its handler and encodes the
// answer.
template <class Request, HandlerResult<typename Request::Response> (*Handler)(
                             BrokerContext&, const Request&, RequestScope&)>
asio::awaitable<RequestHandler::Outcome> Serve(const RequestHeader& header, std::string_view body,
                                               const std::string& peer, BrokerContext& ctx) {
  absl::StatusOr<Request> request = DecodeMessage<Request>(body, header.api_version);
  if (!request.ok()) {
    co_return ErrorReply(header, ErrorCode::kInvalidRequest,
                         fmt::format("{} request: {}", ApiName(Request::kApiKey),
                                     MessageOf(request.status())));
  }
  if (std::optional<faults::FaultHit> hit =
          faults::FindFault(ctx.faults, FaultListener::kBrook, header.api_key, *request)) {
    if (auto answer = co_await ApplyFault(header, *hit)) co_return *std::move(answer);
  }
  RequestScope scope;
  scope.client_id = header.client_id.value_or("");
  scope.peer = peer;
  absl::StatusOr<typename Request::Response> response = co_await Handler(ctx, *request, scope);
  if (!response.ok()) {
    co_return ErrorReply(header, CodeOf(response.status()),
                         std::string(MessageOf(response.status())));
  }
  if constexpr (std::is_same_v<Request, ProduceRequest>) {
    if (request->acks == kAcksNone) co_return RequestHandler::Outcome{};
  }
  co_return Reply(header, *response);
}

asio::awaitable<RequestHandler::Outcome> ServeApiVersions(const RequestHeader& header,
                                                          std::string_view body,
                                                          const std::string& peer,
                                                          BrokerContext& ctx);

template <class Request, HandlerResult<typename Request::Response> (*Handler)(
                             BrokerContext&, const Request&, RequestScope&)>
constexpr Route Row() {
  return Route{Request::kApiKey, 0, Request::kMaxVersion, &Serve<Request, Handler>};
}

// The versions this broker serves, per API: the single source of truth.
constexpr Route kRoutes[] = {
    Row<ProduceRequest, HandleProduce>(),
    Row<FetchRequest, HandleFetch>(),
    Row<ListOffsetsRequest, HandleListOffsets>(),
    Row<MetadataRequest, HandleMetadata>(),
    Row<OffsetCommitRequest, HandleOffsetCommit>(),
    Row<OffsetFetchRequest, HandleOffsetFetch>(),
    Row<JoinGroupRequest, HandleJoinGroup>(),
    Row<HeartbeatRequest, HandleHeartbeat>(),
    Row<LeaveGroupRequest, HandleLeaveGroup>(),
    Row<DescribeGroupsRequest, HandleDescribeGroups>(),
    Row<ListGroupsRequest, HandleListGroups>(),
    Route{ApiKey::kApiVersions, 0, ApiVersionsRequest::kMaxVersion, &ServeApiVersions},
    Row<CreateTopicsRequest, HandleCreateTopics>(),
    Row<DeleteTopicsRequest, HandleDeleteTopics>(),
    Row<DeleteRecordsRequest, HandleDeleteRecords>(),
    Row<CreatePartitionsRequest, HandleCreatePartitions>(),
    Row<InitProducerIdRequest, HandleInitProducerId>(),
    Row<DeleteGroupsRequest, HandleDeleteGroups>(),
    Row<AlterConfigsRequest, HandleAlterConfigs>(),
    Row<OffsetDeleteRequest, HandleOffsetDelete>(),
    Row<CompactTopicRequest, HandleCompactTopic>(),
    Row<DeadLetterRequest, HandleDeadLetter>(),
    Row<ReplayDeadLettersRequest, HandleReplayDeadLetters>(),
    Row<DeadLetterStatsRequest, HandleDeadLetterStats>(),
    Row<ResetBrokerRequest, HandleResetBroker>(),
    Row<ClockRequest, HandleClock>(),
    Row<FaultAddRequest, HandleFaultAdd>(),
    Row<FaultListRequest, HandleFaultList>(),
    Row<FaultClearRequest, HandleFaultClear>(),
    Row<EventAppendRequest, event_api::Append>(),
    Row<EventReadRequest, event_api::Read>(),
    Row<EventSnapshotSaveRequest, event_api::SaveSnapshot>(),
    Row<EventSnapshotLoadRequest, event_api::LoadSnapshot>(),
    Row<EventStreamDeleteRequest, event_api::DeleteStream>(),
    Row<EventCheckpointRequest, event_api::Checkpoint>(),
};

const Route* FindRoute(int16_t key) {
  for (const Route& route : kRoutes) {
    if (static_cast<int16_t>(route.key) == key) return &route;
  }
  return nullptr;
}

asio::awaitable<RequestHandler::Outcome> ServeApiVersions(const RequestHeader& header,
                                                          std::string_view body,
                                                          const std::string&,
                                                          BrokerContext& ctx) {
  absl::StatusOr<ApiVersionsRequest> request = DecodeMessage<ApiVersionsRequest>(body, 0);
  if (!request.ok()) {
    co_return ErrorReply(header, ErrorCode::kInvalidRequest, "ApiVersions takes no body");
  }
  if (std::optional<faults::FaultHit> hit =
          faults::FindFault(ctx.faults, FaultListener::kBrook, header.api_key, *request)) {
    if (auto answer = co_await ApplyFault(header, *hit)) co_return *std::move(answer);
  }
  ApiVersionsResponse response;
  for (const Route& route : kRoutes) {
    response.api_keys.push_back(
        {static_cast<int16_t>(route.key), route.min_version, route.max_version});
  }
  response.broker_version = std::string(kBrokerVersion);
  co_return Reply(header, response);
}

}  // namespace

std::vector<faults::ServedApi> BrookApis() {
  std::vector<faults::ServedApi> apis;
  for (const Route& route : kRoutes) {
    apis.push_back({FaultListener::kBrook, static_cast<int16_t>(route.key), ApiName(route.key),
                    /*error_answer=*/true});
  }
  return apis;
}

asio::awaitable<RequestHandler::Outcome> BrookHandler::Handle(std::string payload,
                                                              const std::string& peer) {
  std::string_view body;
  absl::StatusOr<RequestHeader> header = ParseRequestHeader(payload, &body);
  if (!header.ok()) {
    Log(LogLevel::kWarn, "closing connection: unparsable request header");
    co_return Outcome{std::nullopt, true};
  }
  const Route* route = FindRoute(header->api_key);
  if (route == nullptr) {
    co_return ErrorReply(*header, ErrorCode::kUnknownApiKey,
                         fmt::format("API key {} is not known to this broker; ApiVersions lists "
                                     "the served APIs",
                                     header->api_key));
  }
  if (header->api_version < route->min_version || header->api_version > route->max_version) {
    co_return ErrorReply(*header, ErrorCode::kUnsupportedVersion,
                         fmt::format("{} version {} is not served (versions {}-{})",
                                     ApiName(route->key), header->api_version,
                                     route->min_version, route->max_version));
  }
  if (ctx_.shutting_down.load()) {
    co_return ErrorReply(*header, ErrorCode::kBrokerShuttingDown, "the broker is shutting down");
  }
  metrics::RequestTimer timer(ctx_.metrics ? &ctx_.metrics->requests() : nullptr,
                              FaultListener::kBrook, header->api_key);
  Outcome outcome = co_await route->serve(*header, body, peer, ctx_);
  timer.Finish(outcome.error_code);
  co_return outcome;
}

}  // namespace brook
