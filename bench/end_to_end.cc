#include "bench/end_to_end.h"

#include <cstring>
#include <thread>

namespace brook::bench {

void RateSchedule::WaitFor(int64_t i) const { std::this_thread::sleep_until(Intended(i)); }

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
