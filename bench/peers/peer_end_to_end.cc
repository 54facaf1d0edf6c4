#include "bench/peers/peer_end_to_end.h"

#include <atomic>
#include <optional>
#include <thread>

#include "bench/value_pool.h"

namespace brook::bench {

absl::StatusOr<EndToEndResult> RunPeerEndToEnd(PeerDriver& driver, const std::string& stream,
                                               const EndToEndOptions& options) {
  WaitUntilServerIdle(options.server_cpu);
  // A reader of up to 1,000 records per poll; the producer writes each record at once.
  absl::StatusOr<std::unique_ptr<PeerConsumer>> consumer =
      driver.NewConsumer(stream, "", 0, 1000);
  if (!consumer.ok()) return consumer.status();
  absl::StatusOr<std::unique_ptr<PeerProducer>> producer =
      driver.NewProducer(stream, {.batch_records = 1, .max_outstanding = 1000});
  if (!producer.ok()) return producer.status();

  const int64_t total = options.total_records();
  const ValuePool pool(std::max(options.value_size, 8), 0);
  const RunTimes times(options);

  absl::Status send_failure;
  std::thread sender([&] {
    for (int64_t i = 0; i < total; ++i) {
      times.schedule.WaitFor(i);
      const std::string value = StampValue(pool.Value(i), times.schedule.Intended(i));
      if (absl::Status s = (*producer)->Send(std::nullopt, value); !s.ok()) {
        send_failure = s;
        return;
      }
    }
    send_failure = (*producer)->Flush();
  });

  EndToEndResult result;
  absl::Status failure;
  SteadyClock::time_point last_receipt = times.start;
  while (result.received < total && SteadyClock::now() < times.deadline) {
    // One receipt time per poll, as for brook: the records of one answer arrive together.
    std::optional<SteadyClock::time_point> now;
    absl::StatusOr<int> polled = (*consumer)->Poll(
        std::chrono::milliseconds(100), [&](std::string_view value) {
          if (value.size() < 8) return;
          if (!now) now = SteadyClock::now();
          RecordReceipt(result, value, times.counted_from, *now);
          last_receipt = *now;
        });
    if (!polled.ok()) {
      failure = polled.status();
      break;
    }
  }
  sender.join();
  (void)(*consumer)->Close();
  if (!failure.ok()) return failure;
  if (!send_failure.ok()) return send_failure;
  return FinishRun(std::move(result), total, (*producer)->errors(), times, last_receipt);
}

}  // namespace brook::bench
