#include "broker/handlers/wait_durable.h"

#include <memory>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "protocol/error_codes.h"

namespace brook {
namespace asio = boost::asio;

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

}  // namespace brook
