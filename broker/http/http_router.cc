#include "broker/http/http_router.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "broker/http/http_json.h"
#include "protocol/absl_compat.h"

namespace brook::http {
namespace {

std::vector<std::string> Segments(std::string_view path) {
  return absl::StrSplit(ToAbsl(path.substr(1)), '/', absl::SkipEmpty());
}

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether `path` matches `pattern`; fills *params with the parameters' values when it does.
bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::vector<std::pair<std::string, std::string>>* params) {
  if (pattern.size() != path.size()) return false;
  std::vector<std::pair<std::string, std::string>> found;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (IsParameter(pattern[i])) {
      if (path[i].empty()) return false;
      found.emplace_back(pattern[i].substr(1, pattern[i].size() - 2), path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

}  // namespace

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

void HttpRouter::Add(std::string_view method, std::string_view pattern, Handler handler) {
  routes_.push_back(Route{std::string(method), Segments(pattern), std::move(handler)});
}

void HttpRouter::AddSync(std::string_view method, std::string_view pattern,
                         SyncHandler handler) {
  Add(method, pattern,
      [handler = std::move(handler)](HttpRequest& request) -> boost::asio::awaitable<HttpResponse> {
        co_return handler(request);
      });
}

boost::asio::awaitable<HttpResponse> HttpRouter::Dispatch(HttpRequest& request) const {
  const std::string_view method = request.method == "HEAD" ? std::string_view("GET") : request.method;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!Match(route.segments, request.segments, &params)) continue;
    if (route.method != method) {
      allowed.push_back(route.method);
      continue;
    }
    request.path_params = std::move(params);
    co_return co_await route.handler(request);
  }
  if (allowed.empty()) {
    co_return ErrorResponse(404, "NOT_FOUND", "no such path: " + request.path);
  }
  HttpResponse response = ErrorResponse(
      405, "METHOD_NOT_ALLOWED",
      request.method + " is not served on " + request.path + "; allowed: " +
          absl::StrJoin(allowed, ", "));
  response.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
  co_return response;
}

}  // namespace brook::http
