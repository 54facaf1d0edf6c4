// ResetBroker and Clock (docs/protocol.md 6.15, 6.16): the wire side of test_controls.h.
#include "broker/broker_clock.h"
#include "broker/handlers/cleaner_wait.h"
#include "broker/handlers/handlers.h"
#include "broker/log_cleaner.h"
#include "broker/test_controls.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {

HandlerResult<ResetBrokerResponse> HandleResetBroker(BrokerContext& ctx,
                                                     const ResetBrokerRequest&, RequestScope&) {
  absl::StatusOr<ResetSummary> reset = ResetBroker(ctx);
  if (!reset.ok()) co_return reset.status();
  co_return ResetBrokerResponse{reset->topics, reset->groups};
}

HandlerResult<ClockResponse> HandleClock(BrokerContext& ctx, const ClockRequest& request,
                                         RequestScope&) {
  std::optional<ClockMode> mode;
  if (request.set_mode == static_cast<int8_t>(ClockMode::kSystem) ||
      request.set_mode == static_cast<int8_t>(ClockMode::kManual)) {
    mode = static_cast<ClockMode>(request.set_mode);
  } else if (request.set_mode != kClockModeUnchanged) {
    co_return MakeError(ErrorCode::kInvalidRequest,
                        fmt::format("unknown clock mode {} (0 system, 1 manual, -1 unchanged)",
                                    request.set_mode));
  }
  const std::chrono::milliseconds advance(request.advance_ms);
  if (absl::Status s = ApplyClock(ctx, mode, advance); !s.ok()) co_return s;
  if (advance.count() > 0) {
    co_await AwaitCleaner<bool>([&](std::function<void(bool)> done) {
      ctx.cleaner.SubmitPass([done = std::move(done)] { done(true); });
    });
  }
  co_return ClockResponse{static_cast<int8_t>(ctx.clock.mode()), ctx.clock.NowMs()};
}

}  // namespace brook
