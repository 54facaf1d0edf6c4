#include "broker/brook_handler.h"

#include "broker/log.h"
#include "protocol/absl_compat.h"
#include "protocol/frame.h"
#include "protocol/message_codec.h"

namespace brook {
namespace asio = boost::asio;
namespace {

constexpr std::string_view kBrokerVersion = "brook 0.1.0";

// The versions this broker serves, per API: the single source of truth.
struct Route {
  ApiKey key;
  int16_t min_version;
  int16_t max_version;
};
constexpr Route kRoutes[] = {
    {ApiKey::kProduce, 0, ProduceRequest::kMaxVersion},
    {ApiKey::kFetch, 0, FetchRequest::kMaxVersion},
    {ApiKey::kListOffsets, 0, ListOffsetsRequest::kMaxVersion},
    {ApiKey::kMetadata, 0, MetadataRequest::kMaxVersion},
    {ApiKey::kOffsetCommit, 0, OffsetCommitRequest::kMaxVersion},
    {ApiKey::kOffsetFetch, 0, OffsetFetchRequest::kMaxVersion},
    {ApiKey::kJoinGroup, 0, JoinGroupRequest::kMaxVersion},
    {ApiKey::kHeartbeat, 0, HeartbeatRequest::kMaxVersion},
    {ApiKey::kLeaveGroup, 0, LeaveGroupRequest::kMaxVersion},
    {ApiKey::kDescribeGroups, 0, DescribeGroupsRequest::kMaxVersion},
    {ApiKey::kListGroups, 0, ListGroupsRequest::kMaxVersion},
    {ApiKey::kApiVersions, 0, ApiVersionsRequest::kMaxVersion},
    {ApiKey::kCreateTopics, 0, CreateTopicsRequest::kMaxVersion},
    {ApiKey::kDeleteTopics, 0, DeleteTopicsRequest::kMaxVersion},
    {ApiKey::kDeleteGroups, 0, DeleteGroupsRequest::kMaxVersion},
    {ApiKey::kAlterConfigs, 0, AlterConfigsRequest::kMaxVersion},
    {ApiKey::kCompactTopic, 0, CompactTopicRequest::kMaxVersion},
    {ApiKey::kDeadLetter, 0, DeadLetterRequest::kMaxVersion},
    {ApiKey::kReplayDeadLetters, 0, ReplayDeadLettersRequest::kMaxVersion},
    {ApiKey::kDeadLetterStats, 0, DeadLetterStatsRequest::kMaxVersion},
};

const Route* FindRoute(int16_t key) {
  for (const Route& route : kRoutes) {
    if (static_cast<int16_t>(route.key) == key) return &route;
  }
  return nullptr;
}

RequestHandler::Outcome ErrorReply(const RequestHeader& header, ErrorCode code,
                                   std::string message) {
  std::string frame;
  BeginResponseFrame(ResponseHeader{header.correlation_id, code, std::move(message)}, &frame);
  FinishFrame(&frame);
  return {std::move(frame), false};
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

ApiVersionsResponse ServedVersions() {
  ApiVersionsResponse response;
  for (const Route& route : kRoutes) {
    response.api_keys.push_back(
        {static_cast<int16_t>(route.key), route.min_version, route.max_version});
  }
  response.broker_version = std::string(kBrokerVersion);
  return response;
}

// Decodes a request body, runs its handler and encodes the answer.
template <class Request, class Fn>
asio::awaitable<RequestHandler::Outcome> Serve(const RequestHeader& header, std::string_view body,
                                               const std::string& peer, BrokerContext& ctx,
                                               Fn handler) {
  absl::StatusOr<Request> request = DecodeMessage<Request>(body, header.api_version);
  if (!request.ok()) {
    co_return ErrorReply(header, ErrorCode::kInvalidRequest,
                         fmt::format("{} request: {}", ApiName(Request::kApiKey),
                                     MessageOf(request.status())));
  }
  RequestScope scope;
  scope.client_id = header.client_id.value_or("");
  scope.peer = peer;
  absl::StatusOr<typename Request::Response> response = co_await handler(ctx, *request, scope);
  if (!response.ok()) {
    co_return ErrorReply(header, CodeOf(response.status()),
                         std::string(MessageOf(response.status())));
  }
  if constexpr (std::is_same_v<Request, ProduceRequest>) {
    if (request->acks == kAcksNone) co_return RequestHandler::Outcome{};
  }
  co_return Reply(header, *response);
}

}  // namespace

BrookHandler::BrookHandler(storage::LogStore& store, FetchWaiters& waiters,
                           group::GroupCoordinator& groups, LogCleaner& cleaner,
                           const BrokerConfig& config)
    : ctx_{store, waiters, groups, cleaner, config, shutting_down_} {}

void BrookHandler::BeginShutdown() { shutting_down_.store(true); }

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
  if (shutting_down_.load()) {
    co_return ErrorReply(*header, ErrorCode::kBrokerShuttingDown, "the broker is shutting down");
  }
  switch (route->key) {
    case ApiKey::kProduce:
      co_return co_await Serve<ProduceRequest>(*header, body, peer, ctx_, HandleProduce);
    case ApiKey::kFetch:
      co_return co_await Serve<FetchRequest>(*header, body, peer, ctx_, HandleFetch);
    case ApiKey::kListOffsets:
      co_return co_await Serve<ListOffsetsRequest>(*header, body, peer, ctx_, HandleListOffsets);
    case ApiKey::kMetadata:
      co_return co_await Serve<MetadataRequest>(*header, body, peer, ctx_, HandleMetadata);
    case ApiKey::kCreateTopics:
      co_return co_await Serve<CreateTopicsRequest>(*header, body, peer, ctx_, HandleCreateTopics);
    case ApiKey::kDeleteTopics:
      co_return co_await Serve<DeleteTopicsRequest>(*header, body, peer, ctx_, HandleDeleteTopics);
    case ApiKey::kOffsetCommit:
      co_return co_await Serve<OffsetCommitRequest>(*header, body, peer, ctx_, HandleOffsetCommit);
    case ApiKey::kOffsetFetch:
      co_return co_await Serve<OffsetFetchRequest>(*header, body, peer, ctx_, HandleOffsetFetch);
    case ApiKey::kJoinGroup:
      co_return co_await Serve<JoinGroupRequest>(*header, body, peer, ctx_, HandleJoinGroup);
    case ApiKey::kHeartbeat:
      co_return co_await Serve<HeartbeatRequest>(*header, body, peer, ctx_, HandleHeartbeat);
    case ApiKey::kLeaveGroup:
      co_return co_await Serve<LeaveGroupRequest>(*header, body, peer, ctx_, HandleLeaveGroup);
    case ApiKey::kDescribeGroups:
      co_return co_await Serve<DescribeGroupsRequest>(*header, body, peer, ctx_, HandleDescribeGroups);
    case ApiKey::kListGroups:
      co_return co_await Serve<ListGroupsRequest>(*header, body, peer, ctx_, HandleListGroups);
    case ApiKey::kDeleteGroups:
      co_return co_await Serve<DeleteGroupsRequest>(*header, body, peer, ctx_, HandleDeleteGroups);
    case ApiKey::kAlterConfigs:
      co_return co_await Serve<AlterConfigsRequest>(*header, body, peer, ctx_, HandleAlterConfigs);
    case ApiKey::kCompactTopic:
      co_return co_await Serve<CompactTopicRequest>(*header, body, peer, ctx_, HandleCompactTopic);
    case ApiKey::kDeadLetter:
      co_return co_await Serve<DeadLetterRequest>(*header, body, peer, ctx_, HandleDeadLetter);
    case ApiKey::kReplayDeadLetters:
      co_return co_await Serve<ReplayDeadLettersRequest>(*header, body, peer, ctx_,
                                                         HandleReplayDeadLetters);
    case ApiKey::kDeadLetterStats:
      co_return co_await Serve<DeadLetterStatsRequest>(*header, body, peer, ctx_,
                                                       HandleDeadLetterStats);
    case ApiKey::kApiVersions:
      if (absl::StatusOr<ApiVersionsRequest> r = DecodeMessage<ApiVersionsRequest>(body, 0);
          !r.ok()) {
        co_return ErrorReply(*header, ErrorCode::kInvalidRequest, "ApiVersions takes no body");
      }
      co_return Reply(*header, ServedVersions());
  }
  co_return ErrorReply(*header, ErrorCode::kUnknownApiKey, "unknown API key");
}

}  // namespace brook
