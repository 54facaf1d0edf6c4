// broker/http/http_router.h: the HTTP listener's routes: method + path pattern -> handler.
//
// A pattern is a path whose segments are literal or `{name}` (matches one non-empty segment,
// read with HttpRequest::PathParam). A request whose path matches no route gets 404, one whose
// path matches only under other methods gets 405 with an Allow header; HEAD is served by the
// GET route (the server drops the body). Handlers are coroutines: they run on the connection's network
// thread and may wait (a long poll) without holding it.
// Thread-safety: Add before serving; Dispatch from any thread afterwards.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "broker/http/http_message.h"

namespace brook::http {

class HttpRouter {
 public:
  using Handler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest&)>;
  using SyncHandler = std::function<HttpResponse(HttpRequest&)>;

  // REQUIRES: `pattern` starts with '/'; no two routes share method and pattern.
  void Add(std::string_view method, std::string_view pattern, Handler handler);
  // A handler that answers without waiting.
  void AddSync(std::string_view method, std::string_view pattern, SyncHandler handler);

  // Routes `request` (filling its path_params) and runs the handler.
  boost::asio::awaitable<HttpResponse> Dispatch(HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" for a parameter.
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace brook::http
