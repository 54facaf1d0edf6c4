// The `produce` workload: N producer threads, each with its own Producer (and connection),
// send their share of the records as fast as the producer accepts them, then flush.
#include <atomic>
#include <chrono>
#include <optional>
#include <vector>

#include "bench/shares.h"
#include "bench/value_pool.h"
#include "bench/workload.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/compression.h"
#include "protocol/error_codes.h"

namespace brook::bench {

absl::StatusOr<RunResult> RunProduce(const std::string& bootstrap, const std::string& topic,
                                     const WorkloadOptions& options) {
  const std::optional<Compression> compression = CompressionFromName(options.compression);
  if (!compression) {
    return MakeError(ErrorCode::kUnsupportedCompressionType,
                     fmt::format("compression {} is not one of {}", options.compression,
                                 CompressionNameList()));
  }
  WaitUntilServerIdle(options.server_cpu);
  const ValuePool pool(options.value_size, options.key_count);
  std::vector<std::unique_ptr<Producer>> producers;
  for (int i = 0; i < options.producers; ++i) {
    ProducerOptions po;
    po.bootstrap = bootstrap;
    po.client_id = fmt::format("brook-bench-{}", i);
    po.acks = static_cast<int16_t>(options.acks);
    po.idempotence = options.idempotence;
    po.batch_size = static_cast<size_t>(options.batch_bytes);
    po.linger = std::chrono::milliseconds(options.linger_ms);
    po.compression = *compression;
    absl::StatusOr<std::unique_ptr<Producer>> producer = Producer::Create(po);
    if (!producer.ok()) return producer.status();
    producers.push_back(*std::move(producer));
  }

  std::atomic<int64_t> errors{0};
  const auto on_error = [&errors](const absl::StatusOr<RecordMetadata>& result) {
    if (!result.ok()) errors.fetch_add(1, std::memory_order_relaxed);
  };
  const RunClock clock(options.server_cpu);
  RunShares(options.records, options.producers, [&](int i, int64_t first, int64_t last) {
    Producer& producer = *producers[static_cast<size_t>(i)];
    ProducerRecord record;
    record.topic = topic;
    for (int64_t n = first; n < last; ++n) {
      record.value = pool.Value(n);
      record.key = pool.Key(n);
      producer.Send(record, on_error);
    }
    if (!producer.Flush().ok()) errors.fetch_add(1, std::memory_order_relaxed);
  });
  const RunResult result =
      clock.Stop(options.records, options.records * options.value_size, errors.load());
  for (auto& producer : producers) (void)producer->Close();
  return result;
}

}  // namespace brook::bench
