// protocol/kafka/messages/find_coordinator.h: FindCoordinator (key 10), versions 0-5, flexible
// from 3; v4+ asks for several keys at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

inline constexpr int8_t kCoordinatorGroup = 0;
inline constexpr int8_t kCoordinatorTransaction = 1;

struct FindCoordinatorRequest {
  static constexpr int16_t kFlexibleFrom = 3;
  std::string key;                        // v0-3.
  int8_t key_type = kCoordinatorGroup;    // v1+.
  std::vector<std::string> coordinator_keys;  // v4+.
  template <class V> void Fields(V& v) {
    v(key, "key", Until(3));
    v(key_type, "key_type", Since(1));
    v(coordinator_keys, "coordinator_keys", Since(4));
  }
};

struct FindCoordinatorResponse {
  static constexpr int16_t kFlexibleFrom = 3;
  struct Coordinator {
    std::string key;
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    template <class V> void Fields(V& v) {
      v(key, "key");
      v(node_id, "node_id");
      v(host, "host");
      v(port, "port");
      v(error_code, "error_code");
      v(error_message, "error_message");
    }
  };
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;   // v0-3.
  std::optional<std::string> error_message;  // v1-3.
  int32_t node_id = 0;                       // v0-3.
  std::string host;                          // v0-3.
  int32_t port = 0;                          // v0-3.
  std::vector<Coordinator> coordinators;     // v4+.
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(1));
    v(error_code, "error_code", Until(3));
    v(error_message, "error_message", Versions{1, 3});
    v(node_id, "node_id", Until(3));
    v(host, "host", Until(3));
    v(port, "port", Until(3));
    v(coordinators, "coordinators", Since(4));
  }
};

}  // namespace brook::kafka
