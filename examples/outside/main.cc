// examples/outside/main.cc: starts an EmbeddedBroker, creates a topic, produces a record with brook's client
// and consumes it back. Exits 0 and prints "ok" when the record came back intact.
#include <cstdio>
#include <string>

#include "broker/embedded_broker.h"
#include "client/client.h"

int main() {
  absl::StatusOr<std::unique_ptr<brook::EmbeddedBroker>> broker = brook::EmbeddedBroker::Create();
  if (!broker.ok()) {
    std::fprintf(stderr, "broker: %s\n", broker.status().ToString().c_str());
    return 1;
  }
  const std::string bootstrap = (*broker)->bootstrap();
  absl::StatusOr<std::unique_ptr<brook::Admin>> admin = brook::Admin::Create({.bootstrap = bootstrap});
  if (!admin.ok() || !(*admin)->CreateTopic({.name = "greetings", .partitions = 1}).ok()) return 1;
  absl::StatusOr<std::unique_ptr<brook::Producer>> producer =
      brook::Producer::Create({.bootstrap = bootstrap});
  if (!producer.ok()) return 1;
  (*producer)->Send({.topic = "greetings", .key = "k", .value = "hello from outside"}, nullptr);
  if (absl::Status s = (*producer)->Flush(); !s.ok()) {
    std::fprintf(stderr, "produce: %s\n", s.ToString().c_str());
    return 1;
  }
  absl::StatusOr<std::unique_ptr<brook::Consumer>> consumer = brook::Consumer::Create(
      {.bootstrap = bootstrap, .auto_offset_reset = brook::OffsetReset::kEarliest});
  if (!consumer.ok() || !(*consumer)->Assign({{"greetings", brook::PartitionId(0)}}).ok()) {
    return 1;
  }
  absl::StatusOr<brook::ConsumerRecords> records =
      (*consumer)->Poll(std::chrono::seconds(10));
  if (!records.ok() || records->size() != 1 || *(*records)[0].value != "hello from outside") {
    std::fprintf(stderr, "consume: did not get the record back\n");
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
