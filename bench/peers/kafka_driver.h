// bench/peers/kafka_driver.h: a Kafka broker driven through librdkafka's C API (Debian's
// librdkafka-dev), behind the PeerDriver interface, so `brook bench compare` and
// `brook bench WORKLOAD --protocol kafka` run brook's workloads through brook's Kafka listener
// exactly as they run them through Redis and NATS. Nothing in it is brook-specific: pointed at
// any Kafka broker it measures that broker.
//
//   KafkaSettings settings{.bootstrap = broker.kafka_bootstrap(), .acks = -1};
//   absl::StatusOr<std::unique_ptr<PeerDriver>> kafka = ConnectKafka(settings);
//   RunPeerProduce(**kafka, "topic", options, peer_settings);   // peer_workloads.h
//
// The librdkafka settings are chosen as a performance-minded user would (KafkaProducerConfig and
// KafkaConsumerConfig list them; kafka_driver.cc says why each one). The producer batches by
// those settings, so the PeerDriver's ProducerSettings (batch_records, max_outstanding) are not
// used; the end-to-end latency workload gets its settings from KafkaSettings::latency instead.
//
// Topics: CreateStream and DeleteStream use the Kafka admin API (CreateTopics, DeleteTopics) with
// KafkaSettings::partitions partitions and replication factor 1. A plain reader is librdkafka's
// simple consumer (every partition from offset 0, no group); a group member is its high-level
// consumer (subscribe, cooperative-sticky), one group per topic and group name.
//
// Threads: as PeerDriver (peer_driver.h). Each producer and consumer is its own librdkafka client
// (rd_kafka_t: its own connections and threads).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/peers/peer_driver.h"

namespace brook::bench {

struct KafkaSettings {
  std::string bootstrap;             // bootstrap.servers, HOST:PORT.
  std::string name = "brook (Kafka listener, librdkafka)";  // The system, for reports.
  int partitions = 6;                // Of the topics CreateStream makes.
  int acks = 1;                      // Producer acks: 0, 1 or -1 (all).
  int linger_ms = 5;                 // Producer linger.ms (throughput profile).
  int batch_bytes = 256 << 10;       // Producer batch.size (throughput profile).
  // The end-to-end latency profile: every record is sent at once (linger.ms 0) and the reader's
  // fetches return as soon as a record is there.
  bool latency = false;
};

// The librdkafka configuration (name, value) each producer or consumer gets, besides
// bootstrap.servers.
using KafkaConfig = std::vector<std::pair<std::string, std::string>>;
KafkaConfig KafkaProducerConfig(const KafkaSettings& settings);
KafkaConfig KafkaConsumerConfig(const KafkaSettings& settings);     // The plain reader.
KafkaConfig KafkaGroupMemberConfig(const KafkaSettings& settings);  // A group member.
// "name=value, ..." for reports.
std::string ConfigText(const KafkaConfig& config);
// The librdkafka this binary runs with, e.g. "2.0.2".
std::string KafkaClientVersion();

// Connects a setup client to settings.bootstrap and checks that a broker answers Metadata.
// Errors: INVALID_ARGUMENT for a setting librdkafka refuses; UNAVAILABLE when no broker answers
// within 10 s.
absl::StatusOr<std::unique_ptr<PeerDriver>> ConnectKafka(const KafkaSettings& settings);

}  // namespace brook::bench
