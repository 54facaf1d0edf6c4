// broker/brook_handler.h: brook's native protocol as a RequestHandler.
//
// Parses the request header, checks the API key and version against the routing table in
// brook_handler.cc (the one place that says which versions each API serves, and the source of
// the ApiVersions answer), decodes the body, calls the API's handler and encodes the response.
// Request-level errors (unknown API, unsupported version, undecodable body, shutting down) are
// answered in the response header; a header that cannot be parsed closes the connection.
// Thread-safety: Handle may run concurrently on many connections.
#pragma once

#include <atomic>
#include <string>

#include "broker/handlers/handlers.h"
#include "broker/request_handler.h"

namespace brook {

class BrookHandler : public RequestHandler {
 public:
  BrookHandler(storage::LogStore& store, FetchWaiters& waiters, group::GroupCoordinator& groups,
               LogCleaner& cleaner, const BrokerConfig& config);

  boost::asio::awaitable<Outcome> Handle(std::string payload, const std::string& peer) override;
  // Later requests are answered BROKER_SHUTTING_DOWN; waiting fetches return.
  void BeginShutdown();

 private:
  std::atomic<bool> shutting_down_{false};
  BrokerContext ctx_;
};

}  // namespace brook
