// Produce: validate and append each partition's batches, then wait for the fsync when acks=all.
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/handlers/handlers.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook {
namespace asio = boost::asio;
namespace {

// Waits until every append so far is fsynced, or `timeout`. Returns the sync's status, or
// REQUEST_TIMED_OUT.
asio::awaitable<absl::Status> WaitDurable(storage::LogStore& store,
                                          std::chrono::milliseconds timeout) {
  struct State {
    explicit State(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    std::optional<absl::Status> result;
  };
  auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<State>(executor);
  state->timer.expires_after(timeout);
  store.SyncWal([state, executor](absl::Status status) mutable {
    asio::post(executor, [state, status = std::move(status)]() mutable {
      state->result = std::move(status);
      state->timer.cancel();
    });
  });
  if (!state->result) co_await state->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!state->result) {
    co_return MakeError(ErrorCode::kRequestTimedOut,
                        "the fsync did not finish within timeout_ms; the records may still "
                        "become durable");
  }
  co_return *state->result;
}

}  // namespace

HandlerResult<ProduceResponse> HandleProduce(BrokerContext& ctx, const ProduceRequest& request,
                                             RequestScope& scope) {
  if (request.acks != kAcksNone && request.acks != kAcksLeader && request.acks != kAcksAll) {
    co_return MakeError(ErrorCode::kInvalidRequiredAcks,
                        fmt::format("acks={} is not valid: use 0, 1 or -1 (all)", request.acks));
  }
  ProduceResponse response;
  bool appended = false;
  for (const ProduceRequest::Topic& topic : request.topics) {
    ProduceResponse::Topic& out = response.topics.emplace_back();
    out.name = topic.name;
    for (const ProduceRequest::Partition& partition : topic.partitions) {
      ProduceResponse::Partition& result = out.partitions.emplace_back();
      result.partition = partition.partition;
      absl::StatusOr<storage::AppendResult> append =
          ctx.store.Append(topic.name, PartitionId(partition.partition), partition.records);
      if (!append.ok()) {
        result.error_code = CodeOf(append.status());
        result.error_message = std::string(MessageOf(append.status()));
        continue;
      }
      appended = true;
      result.base_offset = append->base_offset.value;
      result.log_start_offset = append->log_start.value;
    }
  }
  if (request.acks == kAcksAll && appended) {
    absl::Status durable = co_await WaitDurable(
        ctx.store, std::chrono::milliseconds(request.timeout_ms > 0 ? request.timeout_ms : 30000));
    if (!durable.ok()) {
      for (ProduceResponse::Topic& topic : response.topics) {
        for (ProduceResponse::Partition& partition : topic.partitions) {
          if (partition.error_code != ErrorCode::kNone) continue;
          partition.error_code = CodeOf(durable);
          partition.error_message = std::string(MessageOf(durable));
        }
      }
    }
  }
  co_return response;
}

}  // namespace brook
