// broker/io_pool.h: the broker's network threads, one io_context per thread.
//
// Each connection lives on one thread for its whole life: its reads, handlers and writes run
// there with no strand and no hand-off between threads, so a request that is answered at
// once costs no thread wake-up inside the broker. New connections go to the thread serving
// the fewest (ties to the lowest index).
// `on_thread_start` (if set) runs first on each thread.
// Concurrency: Place/Release are thread-safe; Main and Context return contexts that live as
// long as the pool. Lifecycle: construct -> Start() -> ... -> Stop() (idempotent, also by the
// destructor), which stops every context (work still queued is dropped) and joins the threads.
// REQUIRES: Stop() is not called on one of the pool's threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace brook {

class IoPool {
 public:
  explicit IoPool(int threads, std::function<void()> on_thread_start = {});
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  void Start();
  void Stop();

  int size() const { return static_cast<int>(contexts_.size()); }
  // Thread 0's context: the acceptor's and background timers'.
  boost::asio::io_context& Main() { return Context(0); }
  boost::asio::io_context& Context(int index);
  // Picks the thread for a new connection and counts it there; Release(index) uncounts it.
  int Place();
  void Release(int index);

 private:
  struct Thread;
  std::function<void()> on_thread_start_;
  std::vector<std::unique_ptr<Thread>> contexts_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace brook
