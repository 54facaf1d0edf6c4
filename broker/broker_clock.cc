#include "broker/broker_clock.h"

#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {

BrokerClock::BrokerClock(ClockMode mode, std::function<int64_t()> system_ms)
    : system_ms_(std::move(system_ms)) {
  SetMode(mode);
}

int64_t BrokerClock::SystemMs() const {
  if (system_ms_) return system_ms_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t BrokerClock::SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t BrokerClock::NowMs() const {
  if (manual_.load(std::memory_order_acquire)) return manual_ms_.load();
  return SystemMs() + wall_offset_ms_.load();
}

BrokerClock::SteadyTime BrokerClock::SteadyNow() const {
  const int64_t ns = manual_.load(std::memory_order_acquire)
                         ? manual_steady_ns_.load()
                         : SteadyNs() + steady_offset_ns_.load();
  return SteadyTime(std::chrono::duration_cast<SteadyTime::duration>(std::chrono::nanoseconds(ns)));
}

ClockMode BrokerClock::mode() const {
  return manual_.load(std::memory_order_acquire) ? ClockMode::kManual : ClockMode::kSystem;
}

void BrokerClock::SetMode(ClockMode mode) {
  absl::MutexLock lock(&mu_);
  const bool manual = mode == ClockMode::kManual;
  if (manual == manual_.load()) return;
  if (manual) {
    manual_ms_.store(SystemMs() + wall_offset_ms_.load());
    manual_steady_ns_.store(SteadyNs() + steady_offset_ns_.load());
  } else {
    // Runs on from where it stands: the offsets carry what the manual period advanced.
    wall_offset_ms_.store(manual_ms_.load() - SystemMs());
    steady_offset_ns_.store(manual_steady_ns_.load() - SteadyNs());
  }
  manual_.store(manual, std::memory_order_release);
}

absl::Status BrokerClock::Advance(std::chrono::milliseconds by) {
  if (by.count() < 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("the clock never goes back: cannot advance it by {} ms",
                                 by.count()));
  }
  absl::MutexLock lock(&mu_);
  if (!manual_.load()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "the broker's clock is the system clock: switch it to manual first "
                     "(brook clock mode manual, or brook serve --clock manual)");
  }
  manual_ms_.fetch_add(by.count());
  manual_steady_ns_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(by).count());
  return absl::OkStatus();
}

}  // namespace brook
