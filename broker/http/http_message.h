// broker/http/http_message.h: an HTTP request and response as route handlers see them:
// plain values, no Beast types, so route files stay light (http_server.h does the wire).
// Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brook::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ... (HEAD is routed as GET; its body is dropped).
  std::string path;    // Percent-decoded, without the query (for messages).
  std::vector<std::string> segments;  // The path's segments, each percent-decoded.
  // The query's parameters, percent-decoded, in order.
  std::vector<std::pair<std::string, std::string>> query;
  // The route pattern's {name} segments, filled by the router.
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string content_type;  // The Content-Type header, or empty.
  std::string peer;          // The client's "host:port".
  std::string host;          // The Host header, or empty.
  std::optional<std::string> origin;  // The Origin header, when sent.
  std::string body;

  // The first query parameter called `name`, if any.
  std::optional<std::string_view> Query(std::string_view name) const;
  // The path segment the route named `name`; empty if the route has none.
  std::string_view PathParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Beyond Content-Type/Length.
};

}  // namespace brook::http
