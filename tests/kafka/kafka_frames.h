// tests/kafka/kafka_frames.h: one Kafka request frame out and one answer in, over a RawClient,
// for the listener's frame-level tests.
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "protocol/frame.h"
#include "protocol/kafka/codec.h"
#include "protocol/kafka/header.h"
#include "protocol/wire.h"
#include "tests/support/raw_client.h"

namespace brook::kafka {

// Sends `request` as API `key` at `version`, with request header v2 when `flexible_header`.
template <class Request>
bool SendRequest(testing::RawClient& client, int16_t key, int16_t version, int32_t correlation,
                 const Request& request, bool flexible_header) {
  std::string frame;
  BeginRequest(RequestHeader{key, version, correlation, std::string("handler-test")},
               flexible_header, &frame);
  Encode(request, version, &frame);
  FinishFrame(&frame);
  return client.SendBytes(frame);
}

// Reads one answer: its correlation id and body (after the header, v0 or v1).
struct Answer {
  int32_t correlation = -1;
  std::string body;
};
inline std::optional<Answer> ReadAnswer(testing::RawClient& client, bool flexible_header) {
  std::optional<std::string> payload = client.ReadFrame();
  if (!payload) return std::nullopt;
  wire::Reader r(*payload);
  Answer answer;
  answer.correlation = r.Int32();
  std::string_view rest = r.rest();
  if (flexible_header) REQUIRE(SkipHeaderTags(&rest).ok());
  answer.body = std::string(rest);
  return answer;
}

// One request of API `key` at `version` and its decoded answer (headers flexible from the
// API's first flexible version).
template <class Response, class Request>
Response RoundTrip(testing::RawClient& client, int16_t key, int16_t version,
                   const Request& request) {
  const bool flexible = version >= Request::kFlexibleFrom;
  REQUIRE(SendRequest(client, key, version, 1, request, flexible));
  std::optional<Answer> answer = ReadAnswer(client, flexible);
  REQUIRE(answer);
  absl::StatusOr<Response> response = Decode<Response>(answer->body, version);
  REQUIRE(response.ok());
  return *std::move(response);
}

}  // namespace brook::kafka
