#include "protocol/kafka/header.h"

#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook::kafka {

absl::StatusOr<RequestHeader> ParseRequestHeader(std::string_view payload,
                                                 std::string_view* rest) {
  wire::Reader r(payload);
  RequestHeader header;
  header.api_key = r.Int16();
  header.api_version = r.Int16();
  header.correlation_id = r.Int32();
  header.client_id = r.NullableString();
  if (!r.ok()) return MakeError(ErrorCode::kInvalidRequest, "request header is truncated");
  *rest = r.rest();
  return header;
}

absl::Status SkipHeaderTags(std::string_view* rest) {
  wire::Reader r(*rest);
  uint32_t count = r.UVarInt();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    r.UVarInt();
    r.Raw(r.UVarInt());
  }
  if (!r.ok()) return MakeError(ErrorCode::kInvalidRequest, "request header tags are malformed");
  *rest = r.rest();
  return absl::OkStatus();
}

void BeginResponse(int32_t correlation_id, bool flexible_header, std::string* out) {
  wire::Writer w(out);
  w.Int32(0);  // Length placeholder.
  w.Int32(correlation_id);
  if (flexible_header) w.UVarInt(0);
}

void BeginRequest(const RequestHeader& header, bool flexible_header, std::string* out) {
  wire::Writer w(out);
  w.Int32(0);  // Length placeholder.
  w.Int16(header.api_key);
  w.Int16(header.api_version);
  w.Int32(header.correlation_id);
  w.NullableString(header.client_id);
  if (flexible_header) w.UVarInt(0);
}

}  // namespace brook::kafka
