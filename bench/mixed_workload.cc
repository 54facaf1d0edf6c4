// The `mixed` workload: produce and consume at once. The producers (as in `produce`) send to an
// empty topic while one consumer assigned every partition reads from the beginning; the clock
// runs from the first send until the consumer has every record.
#include <chrono>
#include <thread>

#include "bench/workload.h"
#include "client/consumer.h"
#include "fmt/format.h"

namespace brook::bench {

absl::StatusOr<RunResult> RunMixed(const std::string& bootstrap, const std::string& topic,
                                   const WorkloadOptions& options) {
  WaitUntilServerIdle(options.server_cpu);
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create({.bootstrap = bootstrap,
                        .client_id = "brook-bench-consumer",
                        .auto_offset_reset = OffsetReset::kEarliest});
  if (!consumer.ok()) return consumer.status();
  std::vector<TopicPartition> partitions;
  for (int p = 0; p < options.partitions; ++p) partitions.push_back({topic, PartitionId(p)});
  if (absl::Status s = (*consumer)->Assign(partitions); !s.ok()) return s;
  if (auto ready = (*consumer)->Poll(std::chrono::milliseconds(0)); !ready.ok()) {
    return ready.status();
  }

  const RunClock clock(options.server_cpu);
  absl::StatusOr<RunResult> produced = absl::UnknownError("not run");
  std::thread producer([&] { produced = RunProduce(bootstrap, topic, Unmeasured(options)); });
  int64_t received = 0;
  int64_t bytes = 0;
  absl::Status failure;
  while (received < options.records) {
    absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(std::chrono::seconds(10));
    if (!records.ok()) {
      failure = records.status();
      break;
    }
    if (records->empty()) {
      failure = absl::InternalError(
          fmt::format("consumer stalled after {} of {} records", received, options.records));
      break;
    }
    for (const ConsumerRecord& r : *records) bytes += static_cast<int64_t>(r.value ? r.value->size() : 0);
    received += static_cast<int64_t>(records->size());
  }
  RunResult result = clock.Stop(received, bytes, received - options.records);
  producer.join();
  (*consumer)->Close();
  if (!failure.ok()) return failure;
  if (!produced.ok()) return produced.status();
  result.errors += produced->errors;
  return result;
}

}  // namespace brook::bench
