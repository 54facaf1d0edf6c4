// The end-to-end latency workload against brook (bench/end_to_end.h).
#include <atomic>
#include <thread>
#include <vector>

#include "bench/end_to_end.h"
#include "bench/value_pool.h"
#include "client/consumer.h"
#include "client/producer.h"

namespace brook::bench {

absl::StatusOr<EndToEndResult> RunEndToEnd(const std::string& bootstrap, const std::string& topic,
                                           const EndToEndOptions& options) {
  WaitUntilServerIdle(options.server_cpu);
  auto consumer = Consumer::Create({.bootstrap = bootstrap,
                                    .client_id = "brook-bench-e2e",
                                    .auto_offset_reset = OffsetReset::kEarliest});
  if (!consumer.ok()) return consumer.status();
  std::vector<TopicPartition> partitions;
  for (int p = 0; p < options.partitions; ++p) partitions.push_back({topic, PartitionId(p)});
  if (absl::Status s = (*consumer)->Assign(partitions); !s.ok()) return s;
  // Positions resolved (and the connection warm) before the clock starts.
  if (auto first = (*consumer)->Poll(std::chrono::milliseconds(0)); !first.ok()) {
    return first.status();
  }
  ProducerOptions po;
  po.bootstrap = bootstrap;
  po.client_id = "brook-bench-e2e";
  po.acks = static_cast<int16_t>(options.acks);
  po.linger = std::chrono::milliseconds(0);
  auto producer = Producer::Create(po);
  if (!producer.ok()) return producer.status();

  const int64_t total = options.total_records();
  const ValuePool pool(std::max(options.value_size, 8), 0);
  const RunTimes times(options);

  std::atomic<int64_t> send_errors{0};
  std::thread sender([&] {
    for (int64_t i = 0; i < total; ++i) {
      times.schedule.WaitFor(i);
      const std::string value = StampValue(pool.Value(i), times.schedule.Intended(i));
      ProducerRecord record;
      record.topic = topic;
      record.value = value;
      (*producer)->Send(record, [&](const absl::StatusOr<RecordMetadata>& sent) {
        if (!sent.ok()) send_errors.fetch_add(1, std::memory_order_relaxed);
      });
    }
    if (!(*producer)->Flush().ok()) send_errors.fetch_add(1, std::memory_order_relaxed);
  });

  EndToEndResult result;
  absl::Status failure;
  SteadyClock::time_point last_receipt = times.start;
  while (result.received < total && SteadyClock::now() < times.deadline) {
    absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(std::chrono::milliseconds(100));
    const SteadyClock::time_point now = SteadyClock::now();
    if (!records.ok()) {
      failure = records.status();
      break;
    }
    for (const ConsumerRecord& r : *records) {
      if (!r.value || r.value->size() < 8) continue;
      RecordReceipt(result, *r.value, times.counted_from, now);
      last_receipt = now;
    }
  }
  sender.join();
  (void)(*producer)->Close();
  if (!failure.ok()) return failure;
  return FinishRun(std::move(result), total, send_errors.load(), times, last_receipt);
}

}  // namespace brook::bench
