#include "broker/io_pool.h"

#include <doctest/doctest.h>

#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace brook {
namespace {

TEST_CASE("connections go to the thread serving the fewest, and leave room when released") {
  IoPool pool(3);
  CHECK(pool.size() == 3);
  CHECK(pool.Place() == 0);
  CHECK(pool.Place() == 1);
  CHECK(pool.Place() == 2);
  CHECK(pool.Place() == 0);
  pool.Release(1);
  CHECK(pool.Place() == 1);  // The one with room.
  CHECK(pool.Place() == 1);  // A tie (1 and 2 serve one each) goes to the lowest index.
}

TEST_CASE("each thread runs its own context; Stop joins them") {
  IoPool pool(2);
  pool.Start();
  std::promise<std::thread::id> first, second;
  boost::asio::post(pool.Context(0), [&] { first.set_value(std::this_thread::get_id()); });
  boost::asio::post(pool.Context(1), [&] { second.set_value(std::this_thread::get_id()); });
  const std::thread::id a = first.get_future().get();
  const std::thread::id b = second.get_future().get();
  CHECK(a != b);
  CHECK(a != std::this_thread::get_id());
  CHECK(&pool.Main() == &pool.Context(0));
  pool.Stop();
  pool.Stop();  // Idempotent.
}

}  // namespace
}  // namespace brook
