// client/sync.h: the mutex and condition variable of client/, with lock annotations.
//
// Thin wrappers over std::mutex and std::condition_variable that carry abseil's thread-safety
// attributes, so ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED document (and, under clang's
// -Wthread-safety, check) the lock rules. Why not absl::Mutex: Debian ships abseil prebuilt
// without ThreadSanitizer instrumentation, so TSAN cannot see absl::Mutex's synchronization
// and reports every guarded access as a race; with std::mutex a -fsanitize=thread build of
// the client's tests is a real check. Deadlines are std::chrono::steady_clock time points.
//
// Thread-safety: these are synchronization primitives; see each method.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"

namespace brook::client {

class ABSL_LOCKABLE Mutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` for its scope, or until Release().
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() {
    if (mu_ != nullptr) mu_->Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Unlocks before the end of the scope. REQUIRES: not released already.
  void Release() ABSL_UNLOCK_FUNCTION() {
    mu_->Unlock();
    mu_ = nullptr;
  }

 private:
  Mutex* mu_;
};

class CondVar {
 public:
  // Atomically releases *mu and waits for a signal (or a spurious wake-up); holds *mu again
  // on return. REQUIRES: *mu is held.
  void Wait(Mutex* mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // As Wait, but returns by `deadline` at the latest.
  void WaitUntil(Mutex* mu, std::chrono::steady_clock::time_point deadline)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait_until(lock, deadline);
    lock.release();
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace brook::client
