#include "broker/test_controls.h"

#include "broker/broker_clock.h"
#include "broker/faults/fault_registry.h"
#include "broker/log.h"

namespace brook {

absl::StatusOr<ResetSummary> ResetBroker(BrokerContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<storage::StoreReset> reset = ctx.groups.Reset();
  if (!reset.ok()) return reset.status();
  ctx.waiters.WakeAll();
  (void)ctx.faults.Clear(kClearAllFaults);  // Clearing every rule cannot fail.
  const ResetSummary summary{reset->topics, static_cast<int32_t>(reset->groups.size())};
  Log(LogLevel::kInfo, "broker reset", "topics", summary.topics, "groups", summary.groups,
      "duration_us",
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                            started)
          .count());
  return summary;
}

absl::Status ApplyClock(BrokerContext& ctx, std::optional<ClockMode> mode,
                        std::chrono::milliseconds advance) {
  if (advance.count() < 0) return ctx.clock.Advance(advance);  // Refused; nothing changes.
  if (mode) ctx.clock.SetMode(*mode);
  if (advance.count() == 0) return absl::OkStatus();
  if (absl::Status s = ctx.clock.Advance(advance); !s.ok()) return s;
  ctx.groups.SettleAll();
  Log(LogLevel::kInfo, "clock advanced", "by_ms", advance.count(), "now_ms", ctx.clock.NowMs());
  return absl::OkStatus();
}

}  // namespace brook
