#include "broker/http/api_routes.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "broker/event_store/event_api.h"
#include "broker/handlers/handlers.h"
#include "broker/http/http_json.h"
#include "broker/http/http_router.h"
#include "protocol/json/message_json.h"

namespace brook::http {
namespace {

namespace asio = boost::asio;

using ServeJsonFn = asio::awaitable<HttpResponse> (*)(BrokerContext& ctx, HttpRequest& http);

struct JsonApi {
  ApiKey key;
  ServeJsonFn serve;
};

// Reads the request from the body (an empty body is `{}`), runs the API's handler and
// answers its response, or the error of either as an error answer.
template <class Request, HandlerResult<typename Request::Response> (*Handler)(
                             BrokerContext&, const Request&, RequestScope&)>
asio::awaitable<HttpResponse> ServeJson(BrokerContext& ctx, HttpRequest& http) {
  RequestScope scope;
  absl::StatusOr<Request> request = json::MessageFromJson<Request>(
      http.body.empty() ? std::string_view("{}") : http.body, scope.buffers);
  if (!request.ok()) co_return StatusResponse(request.status());
  if (ctx.shutting_down.load()) {
    co_return StatusResponse(MakeError(ErrorCode::kBrokerShuttingDown, "the broker is stopping"));
  }
  scope.client_id = "http";
  scope.peer = http.peer;
  absl::StatusOr<typename Request::Response> response = co_await Handler(ctx, *request, scope);
  if (!response.ok()) co_return StatusResponse(response.status());
  co_return JsonResponse(200, json::MessageToJson(*response));
}

template <class Request, HandlerResult<typename Request::Response> (*Handler)(
                             BrokerContext&, const Request&, RequestScope&)>
constexpr JsonApi Row() {
  return JsonApi{Request::kApiKey, &ServeJson<Request, Handler>};
}

constexpr JsonApi kJsonApis[] = {
    Row<MetadataRequest, HandleMetadata>(),
    Row<ListOffsetsRequest, HandleListOffsets>(),
    Row<CreateTopicsRequest, HandleCreateTopics>(),
    Row<DeleteTopicsRequest, HandleDeleteTopics>(),
    Row<CreatePartitionsRequest, HandleCreatePartitions>(),
    Row<DeleteRecordsRequest, HandleDeleteRecords>(),
    Row<AlterConfigsRequest, HandleAlterConfigs>(),
    Row<CompactTopicRequest, HandleCompactTopic>(),
    Row<ListGroupsRequest, HandleListGroups>(),
    Row<DescribeGroupsRequest, HandleDescribeGroups>(),
    Row<OffsetFetchRequest, HandleOffsetFetch>(),
    Row<OffsetCommitRequest, HandleOffsetCommit>(),
    Row<OffsetDeleteRequest, HandleOffsetDelete>(),
    Row<DeleteGroupsRequest, HandleDeleteGroups>(),
    Row<DeadLetterStatsRequest, HandleDeadLetterStats>(),
    Row<ReplayDeadLettersRequest, HandleReplayDeadLetters>(),
    Row<EventAppendRequest, event_api::Append>(),
    Row<EventReadRequest, event_api::Read>(),
    Row<EventSnapshotSaveRequest, event_api::SaveSnapshot>(),
    Row<EventSnapshotLoadRequest, event_api::LoadSnapshot>(),
    Row<EventStreamDeleteRequest, event_api::DeleteStream>(),
    Row<EventCheckpointRequest, event_api::Checkpoint>(),
};

const JsonApi* FindJsonApi(std::string_view name) {
  for (const JsonApi& api : kJsonApis) {
    if (ApiName(api.key) == name) return &api;
  }
  return nullptr;
}

}  // namespace

void AddApiRoutes(HttpRouter& router, BrokerContext& ctx) {
  router.AddSync("GET", "/api/v1", [](HttpRequest&) {
    boost::json::array apis;
    for (const JsonApi& api : kJsonApis) {
      boost::json::object row;
      const std::string_view name = ApiName(api.key);
      row["name"] = boost::json::string(name.data(), name.size());
      row["key"] = static_cast<int>(api.key);
      apis.push_back(std::move(row));
    }
    boost::json::object body;
    body["apis"] = std::move(apis);
    return JsonResponse(200, body);
  });
  router.Add("POST", "/api/v1/{api}",
             [&ctx](HttpRequest& request) -> asio::awaitable<HttpResponse> {
               const JsonApi* api = FindJsonApi(request.PathParam("api"));
               if (api == nullptr) {
                 co_return ErrorResponse(
                     404, "NOT_FOUND",
                     fmt::format("no API named '{}' is served over HTTP; GET /api/v1 lists them",
                                 request.PathParam("api")));
               }
               co_return co_await api->serve(ctx, request);
             });
}

}  // namespace brook::http
