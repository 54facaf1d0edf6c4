#include "broker/io_pool.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace brook {
namespace asio = boost::asio;

struct IoPool::Thread {
  // The hint tells Asio that one thread runs this context (posts from others stay safe).
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      io.get_executor()};
  std::thread thread;
  std::atomic<int> connections{0};
};

IoPool::IoPool(int threads, std::function<void()> on_thread_start)
    : on_thread_start_(std::move(on_thread_start)) {
  for (int i = 0; i < std::max(threads, 1); ++i) contexts_.push_back(std::make_unique<Thread>());
}

IoPool::~IoPool() { Stop(); }

void IoPool::Start() {
  if (started_) return;
  started_ = true;
  for (auto& t : contexts_) {
    t->thread = std::thread([this, io = &t->io] {
      if (on_thread_start_) on_thread_start_();
      io->run();
    });
  }
}

void IoPool::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& t : contexts_) {
    t->work.reset();
    t->io.stop();
  }
  for (auto& t : contexts_) {
    if (t->thread.joinable()) t->thread.join();
  }
}

asio::io_context& IoPool::Context(int index) { return contexts_.at(static_cast<size_t>(index))->io; }

int IoPool::Place() {
  int best = 0;
  int fewest = contexts_[0]->connections.load(std::memory_order_relaxed);
  for (int i = 1; i < size(); ++i) {
    const int n = contexts_[static_cast<size_t>(i)]->connections.load(std::memory_order_relaxed);
    if (n < fewest) {
      best = i;
      fewest = n;
    }
  }
  contexts_[static_cast<size_t>(best)]->connections.fetch_add(1, std::memory_order_relaxed);
  return best;
}

void IoPool::Release(int index) {
  contexts_.at(static_cast<size_t>(index))->connections.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace brook
