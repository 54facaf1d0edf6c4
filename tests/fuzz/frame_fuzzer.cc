// Fuzzes the request path of brook's protocol on arbitrary bytes: the input is a byte stream
// as a broker would receive it. Every complete frame goes through ParseRequestHeader (and
// ParseResponseHeader, as a client would) and its body is decoded as every request and every
// response type at version 0, whatever its api_key, for coverage.
//
// Properties beyond "no crash, no sanitizer report": a complete frame lies inside the input;
// a decoded message re-encodes to bytes that decode again and re-encode identically.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>

#include "protocol/frame.h"
#include "protocol/message_codec.h"
#include "protocol/messages.h"

namespace brook {
namespace {

// Small enough that the fuzzer also reaches kTooLarge.
constexpr uint32_t kMaxFrameBytes = 1 << 16;

void Require(bool condition) {
  if (!condition) std::abort();
}

template <class M>
void DecodeAs(std::string_view body) {
  absl::StatusOr<M> decoded = DecodeMessage<M>(body, 0);
  if (!decoded.ok()) {
    Require(CodeOf(decoded.status()) == ErrorCode::kInvalidRequest);
    return;
  }
  // Not byte-identical to `body` in general (null bytes decode as empty, any non-zero bool
  // as true, unknown error codes as -1), but the canonical form must be a fixed point.
  std::string once;
  EncodeMessage(*decoded, 0, &once);
  absl::StatusOr<M> again = DecodeMessage<M>(once, 0);
  Require(again.ok());
  std::string twice;
  EncodeMessage(*again, 0, &twice);
  Require(once == twice);
}

void DecodeBody(std::string_view body) {
  std::apply(
      [&](auto... requests) {
        (DecodeAs<decltype(requests)>(body), ...);
        (DecodeAs<typename decltype(requests)::Response>(body), ...);
      },
      AllRequests{});
}

}  // namespace
}  // namespace brook

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace brook;
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  for (;;) {
    FrameResult frame = DecodeFrame(stream, kMaxFrameBytes);
    if (frame.status != FrameStatus::kComplete) {
      Require(frame.status == FrameStatus::kNeedMore ||
              frame.declared_size > kMaxFrameBytes);
      break;
    }
    Require(frame.consumed == kFrameLengthSize + frame.payload.size());
    Require(frame.consumed <= stream.size());
    Require(frame.payload.data() == stream.data() + kFrameLengthSize);

    std::string_view body;
    absl::StatusOr<RequestHeader> request = ParseRequestHeader(frame.payload, &body);
    if (request.ok()) {
      Require(body.data() + body.size() == frame.payload.data() + frame.payload.size());
      // The header re-encodes to the bytes it was parsed from.
      std::string encoded;
      BeginRequestFrame(*request, &encoded);
      Require(std::string_view(encoded).substr(kFrameLengthSize) ==
              frame.payload.substr(0, frame.payload.size() - body.size()));
      DecodeBody(body);
    } else {
      Require(CodeOf(request.status()) == ErrorCode::kInvalidRequest);
    }
    std::string_view response_body;
    if (ParseResponseHeader(frame.payload, &response_body).ok()) DecodeBody(response_body);

    stream.remove_prefix(frame.consumed);
  }
  return 0;
}
