// broker/brook_handler.h: brook's native protocol as a RequestHandler.
//
// Parses the request header, checks the API key and version against the API table in
// brook_handler.cc (one row per API: key, served versions and the function that decodes,
// handles and encodes; the one place that says which versions each API serves, and the source
// of the ApiVersions answer), and lets the row serve the request.
// Request-level errors (unknown API, unsupported version, undecodable body, shutting down) are
// answered in the response header; a header that cannot be parsed closes the connection.
// A decoded request is checked against the fault rules (ctx.faults) first: an injected error
// is answered in the response header, a drop closes the connection, a delay waits and serves.
// Thread-safety: Handle may run concurrently on many connections.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "broker/handlers/handlers.h"
#include "broker/request_handler.h"

namespace brook {

// What ApiVersions and the console's overview call this broker.
inline constexpr std::string_view kBrokerVersion = "brook 0.1.0";

class BrookHandler : public RequestHandler {
 public:
  // Once ctx.shutting_down is set, requests are answered BROKER_SHUTTING_DOWN.
  explicit BrookHandler(BrokerContext& ctx) : ctx_(ctx) {}

  boost::asio::awaitable<Outcome> Handle(std::string payload, const std::string& peer) override;

 private:
  BrokerContext& ctx_;
};

// Every API this handler serves, for fault rules: any of them can answer an injected error
// (in the response header).
std::vector<faults::ServedApi> BrookApis();

}  // namespace brook
