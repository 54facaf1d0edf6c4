// broker/handlers/cleaner_wait.h: how a handler waits for a job it gave the log cleaner
// (log_cleaner.h) without blocking its io thread. Internal to broker/handlers/*.cc: it
// includes Asio.
//
//   std::optional<DeletionResults> results = co_await AwaitCleaner<DeletionResults>(
//       [&](LogCleaner::DeletionsDone done) { ctx.cleaner.SubmitDeletions(jobs, done); },
//       deadline);
//
// `submit` is called at once with a `done` that the cleaner calls (once, on its thread); the
// result is posted to the coroutine's executor (the connection's thread), which a timer wakes.
// Returns the result, or nullopt when `deadline` passed first (the job stays queued and runs
// later; its result is then dropped).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace brook {

template <class Result, class Submit>
boost::asio::awaitable<std::optional<Result>> AwaitCleaner(
    Submit submit,
    boost::asio::steady_timer::time_point deadline = boost::asio::steady_timer::time_point::max()) {
  // Set, then the timer cancelled, on the timer's executor: the coroutine reads it without a
  // lock.
  struct Wait {
    explicit Wait(boost::asio::any_io_executor executor) : timer(std::move(executor)) {}
    boost::asio::steady_timer timer;
    std::optional<Result> result;
  };
  auto wait = std::make_shared<Wait>(co_await boost::asio::this_coro::executor);
  submit([wait](Result result) {
    boost::asio::post(wait->timer.get_executor(), [wait, result = std::move(result)]() mutable {
      wait->result = std::move(result);
      wait->timer.cancel();
    });
  });
  while (!wait->result && boost::asio::steady_timer::clock_type::now() < deadline) {
    wait->timer.expires_at(deadline);
    co_await wait->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  co_return std::move(wait->result);
}

}  // namespace brook
