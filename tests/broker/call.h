// tests/broker/call.h: one request/response round trip over a RawClient, for broker tests.
#pragma once

#include <doctest/doctest.h>

#include "tests/support/raw_client.h"

namespace brook::testing {

// Sends `request` and returns its reply, whatever its error code; the reply owns the bytes
// its views point into. Waits up to `timeout_ms` for the answer.
template <class Request>
Reply<typename Request::Response> Roundtrip(RawClient& client, const Request& request,
                                            int32_t id = 1, int16_t version = 0,
                                            int timeout_ms = 10000) {
  REQUIRE(client.Send(request, id, version));
  auto payload = client.ReadFrame(timeout_ms);
  REQUIRE(payload);
  auto reply = DecodeReply<typename Request::Response>(*payload);
  REQUIRE(reply);
  return *std::move(reply);
}

// Like Roundtrip, and REQUIREs that the request succeeded.
template <class Request>
Reply<typename Request::Response> Call(RawClient& client, const Request& request,
                                       int32_t id = 1) {
  auto reply = Roundtrip(client, request, id);
  REQUIRE(reply.first.error_code == ErrorCode::kNone);
  return reply;
}

}  // namespace brook::testing
