// broker/fetch_waiters.h: wakes long-poll fetches when data arrives (no busy polling).
//
// Operation: a fetch that has too little data registers a FetchWait for its partitions, then
// re-reads, then (if still short) waits on the FetchWait's timer until its deadline. Notify(),
// called by the store after every append, wakes every wait registered on that partition by
// posting to the wait's executor; NotifyTopic(), called after a topic is deleted, wakes every
// wait on any of its partitions; WakeAll() wakes every wait (shutdown).
// Concurrency: Register/Notify/WakeAll are thread-safe; a FetchWait's `notified` flag and timer
// are touched only on its executor (the connection's thread). Unregistration is automatic
// when the FetchWait's Registration is destroyed.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "protocol/types.h"

namespace brook {

struct FetchWait {
  explicit FetchWait(boost::asio::any_io_executor executor) : timer(executor) {}
  boost::asio::steady_timer timer;
  bool notified = false;                   // Only on the executor.
  std::atomic<bool> wake_posted{false};    // Coalesces bursts of notifications.
};

class FetchWaiters {
 public:
  // Removes its wait from every partition when destroyed.
  class Registration {
   public:
    Registration(FetchWaiters* owner, std::shared_ptr<FetchWait> wait,
                 std::vector<TopicPartition> partitions)
        : owner_(owner), wait_(std::move(wait)), partitions_(std::move(partitions)) {}
    ~Registration() { owner_->Unregister(*this); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    friend class FetchWaiters;
    FetchWaiters* owner_;
    std::shared_ptr<FetchWait> wait_;
    std::vector<TopicPartition> partitions_;
  };

  std::unique_ptr<Registration> Register(std::shared_ptr<FetchWait> wait,
                                         std::vector<TopicPartition> partitions);
  void Notify(std::string_view topic, PartitionId partition);
  void NotifyTopic(std::string_view topic);
  void WakeAll();
  // Wakes one wait (thread-safe; bursts coalesce into one wake-up).
  static void Wake(const std::shared_ptr<FetchWait>& wait);
  // Sleeps until `wait` is notified (or was, since the last call) or `deadline` passes, then
  // clears the notification. REQUIRES: on the wait's executor.
  static boost::asio::awaitable<void> Sleep(FetchWait& wait,
                                            std::chrono::steady_clock::time_point deadline);

 private:
  using PartitionWaits = absl::flat_hash_map<int32_t, std::vector<std::shared_ptr<FetchWait>>>;

  void Unregister(const Registration& registration);

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, PartitionWaits> waits_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> registered_{0};
};

}  // namespace brook
