#include "protocol/frame.h"

#include "protocol/wire.h"

namespace brook {

uint32_t DecodeFrameLength(std::string_view prefix) {
  return wire::Reader(prefix.substr(0, kFrameLengthSize)).UInt32();
}

FrameResult DecodeFrame(std::string_view buffer, uint32_t max_payload_bytes) {
  FrameResult result;
  if (buffer.size() < kFrameLengthSize) return result;
  result.declared_size = DecodeFrameLength(buffer);
  if (result.declared_size > max_payload_bytes) {
    result.status = FrameStatus::kTooLarge;
    return result;
  }
  if (buffer.size() - kFrameLengthSize < result.declared_size) return result;
  result.status = FrameStatus::kComplete;
  result.payload = buffer.substr(kFrameLengthSize, result.declared_size);
  result.consumed = kFrameLengthSize + result.declared_size;
  return result;
}

void BeginRequestFrame(const RequestHeader& header, std::string* out) {
  wire::Writer w(out);
  w.Int32(0);
  w.Int16(header.api_key);
  w.Int16(header.api_version);
  w.Int32(header.correlation_id);
  w.NullableString(header.client_id);
}

void BeginResponseFrame(const ResponseHeader& header, std::string* out) {
  wire::Writer w(out);
  w.Int32(0);
  w.Int32(header.correlation_id);
  w.Int16(static_cast<int16_t>(header.error_code));
  w.NullableString(header.error_message);
}

void FinishFrame(std::string* frame) {
  wire::Writer(frame).PatchInt32(0, static_cast<int32_t>(frame->size() - kFrameLengthSize));
}

absl::StatusOr<RequestHeader> ParseRequestHeader(std::string_view payload,
                                                 std::string_view* body) {
  wire::Reader r(payload);
  RequestHeader h;
  h.api_key = r.Int16();
  h.api_version = r.Int16();
  h.correlation_id = r.Int32();
  h.client_id = r.NullableString();
  if (!r.ok()) return MakeError(ErrorCode::kInvalidRequest, "truncated request header");
  *body = r.rest();
  return h;
}

absl::StatusOr<ResponseHeader> ParseResponseHeader(std::string_view payload,
                                                   std::string_view* body) {
  wire::Reader r(payload);
  ResponseHeader h;
  h.correlation_id = r.Int32();
  h.error_code = ErrorCodeFromWire(r.Int16());
  h.error_message = r.NullableString();
  if (!r.ok()) return MakeError(ErrorCode::kInvalidRequest, "truncated response header");
  *body = r.rest();
  return h;
}

}  // namespace brook
