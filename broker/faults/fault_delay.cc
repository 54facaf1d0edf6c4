#include "broker/faults/fault_delay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace brook::faults {

boost::asio::awaitable<void> SleepFor(std::chrono::milliseconds delay) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
  // A cancelled wait (the broker stopping) ends the delay early; the request is then served.
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

}  // namespace brook::faults
