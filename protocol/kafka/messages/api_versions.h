// protocol/kafka/messages/api_versions.h: ApiVersions (key 18), versions 0-4, flexible from 3.
// The answer's header is always response header v0 (KIP-511), whatever the version.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

struct ApiVersionsRequest {
  static constexpr int16_t kFlexibleFrom = 3;
  std::string client_software_name;
  std::string client_software_version;
  template <class V> void Fields(V& v) {
    v(client_software_name, "client_software_name", Since(3));
    v(client_software_version, "client_software_version", Since(3));
  }
};

struct ApiVersionsResponse {
  static constexpr int16_t kFlexibleFrom = 3;
  struct ApiRange {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    template <class V> void Fields(V& v) {
      v(api_key, "api_key");
      v(min_version, "min_version");
      v(max_version, "max_version");
    }
  };
  ErrorCode error_code = ErrorCode::kNone;
  std::vector<ApiRange> api_keys;
  int32_t throttle_time_ms = 0;
  template <class V> void Fields(V& v) {
    v(error_code, "error_code");
    v(api_keys, "api_keys");
    v(throttle_time_ms, "throttle_time_ms", Since(1));
  }
};

}  // namespace brook::kafka
