// broker/test_controls.h: what lets a test suite drive the broker: reset it between tests and
// make time pass (docs/testing.md). Shared by brook's ResetBroker and Clock handlers and by
// Broker's methods (which EmbeddedBroker exposes), so both paths do exactly the same.
//
// Thread-safety: callable from any thread, concurrently with serving.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"

namespace brook {

// Drops every topic, group (members and committed offsets), dead-letter mark and counter and
// idempotent producer's state, as if the broker were new, while it keeps serving:
// connections stay open, waiting fetches are answered (UNKNOWN_TOPIC_OR_PARTITION for the
// dropped topics), members of dropped groups are fenced (UNKNOWN_MEMBER_ID: they join
// again) (GroupCoordinator::Reset); armed fault rules are cleared. The clock is left as it is.
// Errors: STORAGE_ERROR (then nothing changed).
absl::StatusOr<ResetSummary> ResetBroker(BrokerContext& ctx);

// Switches the clock to `mode` (when set), then advances it by `advance` and brings every
// group up to date at the new time (sessions and rebalance deadlines that passed take effect
// now). The caller then has the log cleaner run a pass (LogCleaner::SubmitPass) when
// `advance` is positive, so retention, compaction and producer expiry follow at once.
// Errors: those of BrokerClock::Advance (a negative `advance` changes nothing; an advance of
// a system clock fails after the mode was switched).
absl::Status ApplyClock(BrokerContext& ctx, std::optional<ClockMode> mode,
                        std::chrono::milliseconds advance);

}  // namespace brook
