// Tests of protocol/frame.h: length-prefixed frames and the request/response headers.
#include "protocol/frame.h"

#include <doctest/doctest.h>

#include <string>

#include "protocol/wire.h"

namespace brook {
namespace {

constexpr uint32_t kMax = 1 << 20;

std::string RequestFrame(const RequestHeader& header, std::string_view body) {
  std::string frame;
  BeginRequestFrame(header, &frame);
  frame.append(body);
  FinishFrame(&frame);
  return frame;
}

TEST_CASE("frame: request header bytes") {
  const std::string frame = RequestFrame({3, 0, 0x01020304, std::string("c1")}, "B");
  const std::string expected(
      "\x00\x00\x00\x0d"  // length 13
      "\x00\x03"          // api_key 3
      "\x00\x00"          // api_version 0
      "\x01\x02\x03\x04"  // correlation_id
      "\x00\x02" "c1"     // client_id
      "B",                // body
      17);
  CHECK(frame == expected);
}

TEST_CASE("frame: request header round trip") {
  RequestHeader header{19, 2, -5, std::nullopt};
  const std::string frame = RequestFrame(header, "body");
  FrameResult result = DecodeFrame(frame, kMax);
  REQUIRE(result.status == FrameStatus::kComplete);
  CHECK(result.consumed == frame.size());
  CHECK(result.declared_size == frame.size() - kFrameLengthSize);
  std::string_view body;
  absl::StatusOr<RequestHeader> parsed = ParseRequestHeader(result.payload, &body);
  REQUIRE(parsed.ok());
  CHECK(parsed->api_key == 19);
  CHECK(parsed->api_version == 2);
  CHECK(parsed->correlation_id == -5);
  CHECK(parsed->client_id == std::nullopt);
  CHECK(body == "body");
}

TEST_CASE("frame: response header round trip with an error") {
  std::string frame;
  BeginResponseFrame({77, ErrorCode::kUnsupportedVersion, std::string("use v0")}, &frame);
  FinishFrame(&frame);
  FrameResult result = DecodeFrame(frame, kMax);
  REQUIRE(result.status == FrameStatus::kComplete);
  std::string_view body;
  absl::StatusOr<ResponseHeader> parsed = ParseResponseHeader(result.payload, &body);
  REQUIRE(parsed.ok());
  CHECK(parsed->correlation_id == 77);
  CHECK(parsed->error_code == ErrorCode::kUnsupportedVersion);
  CHECK(parsed->error_message == std::optional<std::string>("use v0"));
  CHECK(body.empty());
}

TEST_CASE("frame: unknown error numbers read as UNKNOWN_SERVER_ERROR") {
  std::string payload;
  wire::Writer w(&payload);
  w.Int32(1);
  w.Int16(12345);
  w.Int16(-1);
  std::string_view body;
  absl::StatusOr<ResponseHeader> parsed = ParseResponseHeader(payload, &body);
  REQUIRE(parsed.ok());
  CHECK(parsed->error_code == ErrorCode::kUnknownServerError);
}

TEST_CASE("frame: need more until the whole frame has arrived") {
  const std::string frame = RequestFrame({0, 0, 1, std::nullopt}, "xyz");
  for (size_t n = 0; n < frame.size(); ++n) {
    FrameResult result = DecodeFrame(std::string_view(frame).substr(0, n), kMax);
    CHECK(result.status == FrameStatus::kNeedMore);
    if (n >= kFrameLengthSize) CHECK(result.declared_size == frame.size() - kFrameLengthSize);
  }
  CHECK(DecodeFrame(frame, kMax).status == FrameStatus::kComplete);
}

TEST_CASE("frame: decodes only the first of two frames back to back") {
  const std::string first = RequestFrame({0, 0, 1, std::nullopt}, "a");
  const std::string second = RequestFrame({0, 0, 2, std::nullopt}, "bb");
  const std::string both = first + second;
  FrameResult result = DecodeFrame(both, kMax);
  REQUIRE(result.status == FrameStatus::kComplete);
  CHECK(result.consumed == first.size());
  FrameResult next = DecodeFrame(std::string_view(both).substr(result.consumed), kMax);
  REQUIRE(next.status == FrameStatus::kComplete);
  CHECK(next.consumed == second.size());
}

TEST_CASE("frame: a declared length over the limit is too large") {
  const std::string prefix("\x00\x00\x10\x01", 4);  // 4097
  CHECK(DecodeFrame(prefix, 4096).status == FrameStatus::kTooLarge);
  CHECK(DecodeFrame(prefix, 4097).status == FrameStatus::kNeedMore);
  CHECK(DecodeFrame(std::string("\xff\xff\xff\xff", 4), kMax).status == FrameStatus::kTooLarge);
}

TEST_CASE("frame: an empty payload is a complete frame") {
  FrameResult result = DecodeFrame(std::string(4, '\0'), kMax);
  CHECK(result.status == FrameStatus::kComplete);
  CHECK(result.payload.empty());
  CHECK(result.consumed == 4);
}

TEST_CASE("frame: DecodeFrameLength reads the big-endian prefix") {
  CHECK(DecodeFrameLength(std::string("\x01\x02\x03\x04", 4)) == 0x01020304u);
}

TEST_CASE("frame: truncated headers are INVALID_REQUEST") {
  const std::string frame = RequestFrame({1, 0, 9, std::string("client")}, "");
  const std::string_view payload = std::string_view(frame).substr(kFrameLengthSize);
  for (size_t n = 0; n < payload.size(); ++n) {
    std::string_view body;
    absl::StatusOr<RequestHeader> parsed = ParseRequestHeader(payload.substr(0, n), &body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(CodeOf(parsed.status()) == ErrorCode::kInvalidRequest);
    CHECK_FALSE(ParseResponseHeader(payload.substr(0, n > 7 ? 7 : n), &body).ok());
  }
  std::string_view body;
  CHECK(ParseRequestHeader(payload, &body).ok());
}

TEST_CASE("frame: a client_id with a negative length other than -1 is rejected") {
  std::string payload;
  wire::Writer w(&payload);
  w.Int16(0);
  w.Int16(0);
  w.Int32(0);
  w.Int16(-2);
  std::string_view body;
  CHECK_FALSE(ParseRequestHeader(payload, &body).ok());
}

}  // namespace
}  // namespace brook
