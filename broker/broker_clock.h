// broker/broker_clock.h: the broker's clock, which everything the broker times reads: the
// store's wall time (LogAppendTime, segment rolls, retention, compaction lags, tombstone and
// producer-id expiry, LogStore::NowMs) and the group coordinator's session, rebalance and
// initial-delay deadlines (SteadyNow).
//
//   BrokerClock clock;                         // the system clock
//   clock.SetMode(ClockMode::kManual);         // stands still from now on...
//   clock.Advance(std::chrono::hours(25));     // ...until advanced
//   clock.NowMs();                             // 25 h after the switch
//
// Modes: kSystem follows the system's clocks (plus whatever a manual period advanced: time
// never goes back). kManual starts at the time it was switched on and stands still until
// Advance moves it forward; both views (wall and steady) move together.
// Thread-safety: every method may be called from any thread; reads take no lock.
// Lifecycle: owned by the Broker; outlives the store and the coordinator that read it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "protocol/messages.h"

namespace brook {

class BrokerClock {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // `system_ms` is the wall clock in ms since the epoch (none: the system clock; tests
  // inject their own). Starts in `mode`.
  explicit BrokerClock(ClockMode mode = ClockMode::kSystem,
                       std::function<int64_t()> system_ms = {});
  BrokerClock(const BrokerClock&) = delete;
  BrokerClock& operator=(const BrokerClock&) = delete;

  // Wall time, ms since the epoch.
  int64_t NowMs() const;
  // Monotonic time for deadlines.
  SteadyTime SteadyNow() const;
  ClockMode mode() const;

  // Switches the mode (no-op when already in it). To kManual: the clock stops at the current
  // time. To kSystem: it runs on at real speed from where it stands.
  void SetMode(ClockMode mode);
  // Moves a manual clock forward by `by`. Errors: INVALID_REQUEST when `by` is negative (the
  // clock never goes back) or the clock is in the system mode.
  absl::Status Advance(std::chrono::milliseconds by);

 private:
  int64_t SystemMs() const;
  static int64_t SteadyNs();

  const std::function<int64_t()> system_ms_;
  absl::Mutex mu_;  // Serializes SetMode and Advance; readers use the atomics.
  std::atomic<bool> manual_{false};
  // kSystem: the system's time plus these offsets.
  std::atomic<int64_t> wall_offset_ms_{0};
  std::atomic<int64_t> steady_offset_ns_{0};
  // kManual: the time it stands at.
  std::atomic<int64_t> manual_ms_{0};
  std::atomic<int64_t> manual_steady_ns_{0};
};

}  // namespace brook
