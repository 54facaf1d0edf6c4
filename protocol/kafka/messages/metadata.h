// protocol/kafka/messages/metadata.h: Metadata (key 3), versions 0-12, flexible from 9.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/error_codes.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka {

inline constexpr int32_t kNoAuthorizedOperations = INT32_MIN;

struct MetadataRequest {
  static constexpr int16_t kFlexibleFrom = 9;
  struct Topic {
    Uuid topic_id;
    std::optional<std::string> name;  // Null (v10+) when the topic is named by id.
    template <class V> void Fields(V& v) {
      v(topic_id, "topic_id", Since(10));
      v(name, "name");
    }
  };
  // Null (v1+) = every topic; v0 asks for every topic with an empty array.
  std::optional<std::vector<Topic>> topics;
  bool allow_auto_topic_creation = true;  // v4+; earlier versions always allow it.
  bool include_cluster_authorized_operations = false;
  bool include_topic_authorized_operations = false;
  template <class V> void Fields(V& v) {
    v(topics, "topics");
    v(allow_auto_topic_creation, "allow_auto_topic_creation", Since(4));
    v(include_cluster_authorized_operations, "include_cluster_authorized_operations",
      Versions{8, 10});
    v(include_topic_authorized_operations, "include_topic_authorized_operations", Since(8));
  }
};

struct MetadataResponse {
  static constexpr int16_t kFlexibleFrom = 9;
  struct Broker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
    template <class V> void Fields(V& v) {
      v(node_id, "node_id");
      v(host, "host");
      v(port, "port");
      v(rack, "rack", Since(1));
    }
  };
  struct Partition {
    ErrorCode error_code = ErrorCode::kNone;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;
    template <class V> void Fields(V& v) {
      v(error_code, "error_code");
      v(partition_index, "partition_index");
      v(leader_id, "leader_id");
      v(leader_epoch, "leader_epoch", Since(7));
      v(replica_nodes, "replica_nodes");
      v(isr_nodes, "isr_nodes");
      v(offline_replicas, "offline_replicas", Since(5));
    }
  };
  struct Topic {
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> name;
    Uuid topic_id;
    bool is_internal = false;
    std::vector<Partition> partitions;
    int32_t topic_authorized_operations = kNoAuthorizedOperations;
    template <class V> void Fields(V& v) {
      v(error_code, "error_code");
      v(name, "name");
      v(topic_id, "topic_id", Since(10));
      v(is_internal, "is_internal", Since(1));
      v(partitions, "partitions");
      v(topic_authorized_operations, "topic_authorized_operations", Since(8));
    }
  };
  int32_t throttle_time_ms = 0;
  std::vector<Broker> brokers;
  std::optional<std::string> cluster_id;
  int32_t controller_id = -1;
  std::vector<Topic> topics;
  int32_t cluster_authorized_operations = kNoAuthorizedOperations;
  template <class V> void Fields(V& v) {
    v(throttle_time_ms, "throttle_time_ms", Since(3));
    v(brokers, "brokers");
    v(cluster_id, "cluster_id", Since(2));
    v(controller_id, "controller_id", Since(1));
    v(topics, "topics");
    v(cluster_authorized_operations, "cluster_authorized_operations", Versions{8, 10});
  }
};

}  // namespace brook::kafka
