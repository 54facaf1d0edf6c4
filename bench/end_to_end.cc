#include "bench/end_to_end.h"

#include <cstring>
#include <thread>

#include <sys/prctl.h>

#include "fmt/format.h"

namespace brook::bench {

void RateSchedule::WaitFor(int64_t i) const {
  thread_local const bool precise = prctl(PR_SET_TIMERSLACK, 1UL) == 0;
  (void)precise;
  std::this_thread::sleep_until(Intended(i));
}

RunTimes::RunTimes(const EndToEndOptions& options)
    : start(SteadyClock::now() + std::chrono::milliseconds(100)),
      schedule(start, options.rate),
      counted_from(schedule.Intended(options.warmup_records())),
      deadline(schedule.Intended(options.total_records()) + std::chrono::seconds(30)),
      server_cpu(options.server_cpu) {}

absl::StatusOr<EndToEndResult> FinishRun(EndToEndResult result, int64_t total, int64_t errors,
                                         const RunTimes& times,
                                         SteadyClock::time_point last_receipt) {
  result.sent = total;
  result.errors = errors;
  result.seconds = std::chrono::duration<double>(last_receipt - times.start).count();
  result.server_cpu_seconds = times.server_cpu.Seconds();
  if (result.received < total) {
    return absl::DeadlineExceededError(fmt::format(
        "only {} of {} records arrived within 30 s of the schedule's end", result.received, total));
  }
  return result;
}

std::string StampValue(std::string_view filler, SteadyClock::time_point intended) {
  std::string value(filler);
  const int64_t nanos = intended.time_since_epoch().count();
  std::memcpy(value.data(), &nanos, sizeof(nanos));
  return value;
}

SteadyClock::time_point StampOf(std::string_view value) {
  int64_t nanos = 0;
  std::memcpy(&nanos, value.data(), sizeof(nanos));
  return SteadyClock::time_point(SteadyClock::duration(nanos));
}

void RecordReceipt(EndToEndResult& result, std::string_view value,
                   SteadyClock::time_point counted_from, SteadyClock::time_point now) {
  ++result.received;
  const SteadyClock::time_point intended = StampOf(value);
  if (intended < counted_from) return;
  result.latency.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(now - intended).count());
}

}  // namespace brook::bench
