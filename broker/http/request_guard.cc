#include "broker/http/request_guard.h"

#include <unistd.h>

#include <algorithm>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "broker/http/http_json.h"
#include "fmt/format.h"

namespace brook::http {
namespace {

// The name part of a Host header: "127.0.0.1:9293" -> "127.0.0.1", "[::1]:9293" -> "::1".
std::string_view HostName(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  const size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool IsAddress(std::string_view name) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(name), ec);
  return !ec;
}

bool IsWildcard(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

std::string MachineName() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string();
}

bool HostAllowed(std::string_view host, const HttpListenerConfig& config) {
  // Browsers always send Host: a request without one is not a web page's.
  if (IsWildcard(config.host) || host.empty()) return true;
  const std::string_view name = HostName(host);
  if (IsAddress(name) || name == "localhost" || name == config.host) return true;
  static const std::string machine = MachineName();
  if (!machine.empty() && name == machine) return true;
  return std::find(config.allowed_hosts.begin(), config.allowed_hosts.end(), name) !=
         config.allowed_hosts.end();
}

}  // namespace

std::optional<HttpResponse> RefuseCrossSite(const HttpRequest& request,
                                            const HttpListenerConfig& config) {
  if (!HostAllowed(request.host, config)) {
    return ErrorResponse(
        403, "FORBIDDEN",
        fmt::format("Host '{}' does not name this broker; use its address, or allow the name "
                    "with --http-allowed-host",
                    request.host));
  }
  if (request.origin && *request.origin != "http://" + request.host) {
    return ErrorResponse(403, "FORBIDDEN",
                         fmt::format("cross-origin request from {} refused", *request.origin));
  }
  return std::nullopt;
}

}  // namespace brook::http
