#include "broker/http/console_routes.h"

#include <chrono>
#include <set>
#include <string_view>

#include <boost/json/object.hpp>

#include "broker/handlers/handlers.h"
#include "broker/http/console_assets.h"
#include "broker/http/http_json.h"
#include "broker/http/http_router.h"

namespace brook::http {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

HttpResponse Overview(BrokerContext& ctx, const ConsoleInfo& info) {
  int64_t partitions = 0, records = 0, log_end_total = 0, committed_total = 0;
  const std::vector<storage::TopicInfo> topics = ctx.store.ListTopics();
  for (const storage::TopicInfo& topic : topics) {
    for (const storage::PartitionInfo& p : topic.partitions) {
      ++partitions;
      records += p.log_end.value - p.log_start.value;
      log_end_total += p.log_end.value;
    }
  }
  // Groups with members, and groups with only committed offsets.
  std::set<std::string> groups;
  for (const group::GroupView& group : ctx.groups.AllGroups()) groups.insert(group.group_id);
  if (absl::StatusOr<std::vector<std::string>> stored = ctx.store.offsets().Groups(); stored.ok()) {
    groups.insert(stored->begin(), stored->end());
  }
  for (const std::string& group : groups) {
    absl::StatusOr<std::vector<storage::CommittedOffset>> commits =
        ctx.store.offsets().FetchAll(group);
    if (!commits.ok()) continue;
    for (const storage::CommittedOffset& commit : *commits) {
      committed_total += std::max<int64_t>(0, commit.offset.value);
    }
  }
  boost::json::object listeners;
  listeners["native"] = info.native();
  listeners["kafka"] = info.kafka();
  listeners["http"] = info.http();
  boost::json::object body;
  body["version"] = info.version;
  body["uptime_ms"] = SteadyMs() - info.started_ms;
  body["listeners"] = std::move(listeners);
  body["data_dir"] = info.data_dir;
  body["disk_bytes"] = ctx.store.EngineStatistics().data_dir_bytes;
  body["topics"] = static_cast<int64_t>(topics.size());
  body["partitions"] = partitions;
  body["records"] = records;
  body["log_end_total"] = log_end_total;
  body["groups"] = static_cast<int64_t>(groups.size());
  body["committed_total"] = committed_total;
  return JsonResponse(200, body);
}

HttpResponse Asset(std::string_view name) {
  const std::optional<ConsoleAsset> asset = FindConsoleAsset(name);
  if (!asset) return ErrorResponse(404, "NOT_FOUND", "no such console asset");
  HttpResponse response;
  response.content_type = std::string(asset->content_type);
  response.body = std::string(asset->bytes);
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace

void AddConsoleRoutes(HttpRouter& router, BrokerContext& ctx, ConsoleInfo info) {
  router.AddSync("GET", "/", [](HttpRequest&) { return Asset("index.html"); });
  router.AddSync("GET", "/console/{asset}",
                 [](HttpRequest& request) { return Asset(request.PathParam("asset")); });
  router.AddSync("GET", "/api/v1/overview",
                 [&ctx, info = std::move(info)](HttpRequest&) { return Overview(ctx, info); });
}

}  // namespace brook::http
