// broker/kafka/kafka_handler.h: the Kafka wire protocol as a RequestHandler.
//
// A second handler on the generic server (server.h), over the same storage, group
// coordinator, long-poll waiters and log cleaner as brook's own protocol: one broker, two
// protocols, the same data. It parses Kafka's request header, finds the API in the table
// (api_table.h), checks the version, and lets the table's row decode, handle and encode.
// As Kafka does: an unknown API key, a version not served (except ApiVersions, which answers
// UNSUPPORTED_VERSION with the served list, KIP-511) or a body that does not decode closes the
// connection. The server answers a connection's requests in order (ordered_responses).
// Thread-safety: Handle may run concurrently on many connections; SetNode before serving.
#pragma once

#include <atomic>
#include <string>

#include "broker/kafka/context.h"
#include "broker/request_handler.h"

namespace brook::kafka_listener {

class KafkaHandler : public RequestHandler {
 public:
  KafkaHandler(BrokerContext& broker, const KafkaListenerConfig& config);

  // What Metadata and FindCoordinator announce. REQUIRES: called before the listener serves.
  void SetNode(KafkaNode node) { ctx_.node = std::move(node); }
  boost::asio::awaitable<Outcome> Handle(std::string payload, const std::string& peer) override;

 private:
  KafkaContext ctx_;
};

}  // namespace brook::kafka_listener
