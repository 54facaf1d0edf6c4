// broker/faults/fault_delay.h: waits out a delay fault without blocking the connection's
// thread (a timer on the calling coroutine's executor), so other requests keep being served.
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>

namespace brook::faults {

// Completes after `delay` of real time (the broker's clock does not apply: a delay stands for
// a slow network or disk).
boost::asio::awaitable<void> SleepFor(std::chrono::milliseconds delay);

}  // namespace brook::faults
