// protocol/kafka/messages/cluster.h: DescribeCluster (key 60), versions 0-1, flexible from 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"
#include "protocol/kafka/messages/metadata.h"

namespace brook::kafka {

inline constexpr int8_t kEndpointBrokers = 1;
inline constexpr int8_t kEndpointControllers = 2;

struct DescribeClusterRequest {
  static constexpr int16_t kFlexibleFrom = 0;
  bool include_cluster_authorized_operations = false;
  int8_t endpoint_type = kEndpointBrokers;
  template <class V> void Fields(V& v) {
    v(include_cluster_authorized_operations, "include_cluster_authorized_operations");
    v(endpoint_type, "endpoint_type", Since(1));
  }
};

struct DescribeClusterResponse {
  static constexpr int16_t kFlexibleFrom = 0;
  struct Broker {
    int32_t broker_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
    template <class V> void Fields(V& v) {
      v(broker_id, "broker_id");
      v(host, "host");
      v(port, "port");
      v(rack, "rack");
    }
  };
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  std::optional<std::string> error_message;
  int8_t endpoint_type = kEndpointBrokers;
  std::string cluster_id;
  int32_t controller_id = -1;
  std::vector<Broker> brokers;
  int32_t cluster_authorized_operations = kNoAuthorizedOperations;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms");
    v(error_code, "error_code");
    v(error_message, "error_message");
    v(endpoint_type, "endpoint_type", Since(1));
    v(cluster_id, "cluster_id");
    v(controller_id, "controller_id");
    v(brokers, "brokers");
    v(cluster_authorized_operations, "cluster_authorized_operations");
  }
};

}  // namespace brook::kafka
