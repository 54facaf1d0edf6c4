// Admin's test controls (declared in admin.h): ResetBroker and the Clock requests.
#include <algorithm>

#include "client/admin.h"
#include "client/admin_impl.h"

namespace brook {
namespace {

BrokerClockState StateOf(const ClockResponse& response) {
  return {static_cast<ClockMode>(response.mode), response.now_ms};
}

}  // namespace

absl::StatusOr<BrokerResetSummary> Admin::ResetBroker() {
  auto reply = impl_->Call(ResetBrokerRequest{});
  if (!reply.ok()) return reply.status();
  return BrokerResetSummary{reply->message.topics_deleted, reply->message.groups_deleted};
}

absl::StatusOr<BrokerClockState> Admin::GetClock() {
  auto reply = impl_->Call(ClockRequest{});
  if (!reply.ok()) return reply.status();
  return StateOf(reply->message);
}

absl::StatusOr<BrokerClockState> Admin::SetClockMode(ClockMode mode) {
  ClockRequest request;
  request.set_mode = static_cast<int8_t>(mode);
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return StateOf(reply->message);
}

absl::StatusOr<BrokerClockState> Admin::AdvanceClock(std::chrono::milliseconds by) {
  ClockRequest request;
  request.advance_ms = by.count();
  const AdminOptions& options = impl_->options();
  auto reply = impl_->Call(request, std::max(options.compact_timeout, options.request_timeout));
  if (!reply.ok()) return reply.status();
  return StateOf(reply->message);
}

}  // namespace brook
