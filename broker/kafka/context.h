// broker/kafka/context.h: what every Kafka API handler gets: the broker's shared state, this
// node as Kafka clients see it, and the request's scope.
#pragma once

#include <cstdint>
#include <string>

#include "broker/broker_config.h"
#include "broker/handlers/handlers.h"

namespace brook::kafka_listener {

// This broker as Metadata and FindCoordinator announce it.
struct KafkaNode {
  int32_t node_id = 1;
  std::string host;       // Advertised host (never a wildcard address).
  int32_t port = 0;       // Advertised port.
  std::string cluster_id; // Stable across restarts (storage/cluster_id.h).
};

struct KafkaContext {
  BrokerContext& broker;  // Store, waiters, groups, cleaner, config: shared with brook's protocol.
  const KafkaListenerConfig& config;
  KafkaNode node;
};

// One request: its version, and the native scope (buffers the response points into, client id,
// peer).
struct KafkaScope {
  int16_t version = 0;
  RequestScope request;
  bool no_response = false;  // Produce with acks=0: nothing is sent back.
};

}  // namespace brook::kafka_listener
