// broker/request_handler.h: how a protocol plugs into the generic TCP server.
//
// The server (server.h) knows frames, connections and limits, never topics. A protocol gives
// it one RequestHandler; the server calls Handle once per complete frame payload, on the
// connection's thread, in the order the frames arrived. The part of Handle before its first
// suspension runs in that order too, so a handler applies state changes (appends) in arrival
// order while the waiting parts (fsync, long poll) of several requests overlap.
//
// Thread-safety: Handle is called concurrently for different connections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace brook {

class RequestHandler {
 public:
  struct Outcome {
    std::optional<std::string> response;  // A whole frame (length prefix included), or none.
    bool close_connection = false;        // Close once `response` (if any) is written.
    int16_t error_code = 0;  // The request-level error answered (0: none), for metrics.
  };

  virtual ~RequestHandler() = default;
  // Handles one frame payload (without its length prefix) that arrived from `peer` (the
  // client's "host:port"; it outlives the call).
  virtual boost::asio::awaitable<Outcome> Handle(std::string payload, const std::string& peer) = 0;
};

}  // namespace brook
