// InitProducerId: a new idempotent producer id (never handed out again) with epoch 0, from
// storage, which then deduplicates and orders the producer's batches (HandleProduce).
// Errors (request-level): STORAGE_ERROR when the id block cannot be reserved durably.
#include "broker/handlers/handlers.h"

namespace brook {

HandlerResult<InitProducerIdResponse> HandleInitProducerId(BrokerContext& ctx,
                                                           const InitProducerIdRequest&,
                                                           RequestScope&) {
  absl::StatusOr<storage::ProducerIdAndEpoch> id = ctx.store.InitProducerId();
  if (!id.ok()) co_return id.status();
  co_return InitProducerIdResponse{id->producer_id.value, id->epoch.value};
}

}  // namespace brook
