// Admin's fault-injection calls (declared in admin.h): AddFault, ListFaults, ClearFaults.
#include "client/admin_impl.h"

namespace brook {

absl::StatusOr<int32_t> Admin::AddFault(const FaultRule& rule) {
  FaultAddRequest request;
  static_cast<FaultRule&>(request) = rule;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return reply->message.id;
}

absl::StatusOr<std::vector<FaultState>> Admin::ListFaults() {
  auto reply = impl_->Call(FaultListRequest{});
  if (!reply.ok()) return reply.status();
  return std::move(reply->message.faults);
}

absl::StatusOr<int32_t> Admin::ClearFaults(int32_t id) {
  auto reply = impl_->Call(FaultClearRequest{.id = id});
  if (!reply.ok()) return reply.status();
  return reply->message.cleared;
}

}  // namespace brook
