// The `consume` workload: fill the topic (untimed), then one consumer assigned every partition
// reads all records from the beginning; the clock runs from the first poll to the last record.
#include <chrono>

#include "bench/workload.h"
#include "client/consumer.h"
#include "fmt/format.h"

namespace brook::bench {

absl::StatusOr<RunResult> RunConsume(const std::string& bootstrap, const std::string& topic,
                                     const WorkloadOptions& options) {
  absl::StatusOr<RunResult> filled = RunProduce(bootstrap, topic, Unmeasured(options));
  if (!filled.ok()) return filled.status();
  if (filled->errors > 0) {
    return absl::InternalError(fmt::format("{} records failed while filling the topic", filled->errors));
  }
  WaitUntilServerIdle(options.server_cpu);
  ConsumerOptions co;
  co.bootstrap = bootstrap;
  co.client_id = "brook-bench-consumer";
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Create(co);
  if (!consumer.ok()) return consumer.status();
  std::vector<TopicPartition> partitions;
  for (int p = 0; p < options.partitions; ++p) partitions.push_back({topic, PartitionId(p)});
  if (absl::Status s = (*consumer)->Assign(partitions); !s.ok()) return s;
  if (absl::Status s = (*consumer)->SeekToBeginning(partitions); !s.ok()) return s;

  int64_t received = 0;
  int64_t bytes = 0;
  const RunClock clock(options.server_cpu);
  while (received < options.records) {
    absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(std::chrono::seconds(10));
    if (!records.ok()) return records.status();
    if (records->empty()) {
      return absl::InternalError(
          fmt::format("consumer stalled after {} of {} records", received, options.records));
    }
    for (const ConsumerRecord& record : *records) bytes += static_cast<int64_t>(record.value ? record.value->size() : 0);
    received += static_cast<int64_t>(records->size());
  }
  const RunResult result = clock.Stop(received, bytes, received - options.records);
  (*consumer)->Close();
  return result;
}

}  // namespace brook::bench
