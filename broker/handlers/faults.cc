// FaultAdd, FaultList and FaultClear: brook's protocol onto the broker's fault registry.
#include "broker/handlers/handlers.h"

namespace brook {

HandlerResult<FaultAddResponse> HandleFaultAdd(BrokerContext& ctx, const FaultAddRequest& request,
                                               RequestScope&) {
  absl::StatusOr<int32_t> id = ctx.faults.Add(request);
  if (!id.ok()) co_return id.status();
  co_return FaultAddResponse{*id};
}

HandlerResult<FaultListResponse> HandleFaultList(BrokerContext& ctx, const FaultListRequest&,
                                                 RequestScope&) {
  co_return FaultListResponse{ctx.faults.List()};
}

HandlerResult<FaultClearResponse> HandleFaultClear(BrokerContext& ctx,
                                                   const FaultClearRequest& request,
                                                   RequestScope&) {
  absl::StatusOr<int32_t> cleared = ctx.faults.Clear(request.id);
  if (!cleared.ok()) co_return cleared.status();
  co_return FaultClearResponse{*cleared};
}

}  // namespace brook
