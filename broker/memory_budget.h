// broker/memory_budget.h: the broker-wide budget of bytes that requests and answers hold in
// memory (internal to broker/).
//
// Every connection of every listener charges it: a request's payload from when its frame is
// buffered until its handler returns, an answer from when it is queued until it is written.
// A connection about to buffer a frame larger than `free_frame_bytes` first waits until the
// budget has room for it, so large requests wait for memory while small ones (produce acks,
// heartbeats, metadata) always go through and are charged without waiting; Fetch sizes its
// answer to what is left (Available(), at least one batch). Memory held therefore stays near
// `limit`, whatever clients send or leave unread. As Kafka's queued.max.request.bytes and
// Redpanda's memory semaphore.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace brook {

class MemoryBudget {
 public:
  MemoryBudget(int64_t limit, int64_t free_frame_bytes)
      : limit_(limit), free_frame_bytes_(free_frame_bytes) {}

  int64_t limit() const { return limit_; }
  int64_t free_frame_bytes() const { return free_frame_bytes_; }
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  // Bytes left before the limit (0 when over it).
  int64_t Available() const;

  // Charges `bytes` if they fit under the limit (or nothing else is charged, so one request
  // larger than the limit still proceeds alone); false otherwise.
  bool TryCharge(int64_t bytes);
  // Charges `bytes` whether or not they fit.
  void Charge(int64_t bytes) { used_.fetch_add(bytes, std::memory_order_relaxed); }
  // Returns `bytes`, and runs (once) every wake-up registered since the last release.
  void Release(int64_t bytes);
  // Registers `wake` to run at the next Release (on the releasing thread: it must only post
  // work to its own thread).
  void OnRelease(std::function<void()> wake);

 private:
  const int64_t limit_;
  const int64_t free_frame_bytes_;
  std::atomic<int64_t> used_{0};
  std::atomic<bool> has_waiting_{false};  // Lets Release skip mu_ when nobody waits.
  absl::Mutex mu_;
  std::vector<std::function<void()>> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook
