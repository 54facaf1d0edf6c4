#include "broker/fetch_waiters.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "protocol/absl_compat.h"

namespace brook {

std::unique_ptr<FetchWaiters::Registration> FetchWaiters::Register(
    std::shared_ptr<FetchWait> wait, std::vector<TopicPartition> partitions) {
  // Counted before the caller re-reads the log; with the fence in Notify, an append either
  // sees this count or its data is visible to that re-read (no lost wake-up).
  registered_.fetch_add(1, std::memory_order_seq_cst);
  absl::MutexLock lock(&mu_);
  for (const TopicPartition& tp : partitions) waits_[tp.topic][tp.partition.value].push_back(wait);
  return std::make_unique<Registration>(this, std::move(wait), std::move(partitions));
}

void FetchWaiters::Unregister(const Registration& registration) {
  absl::MutexLock lock(&mu_);
  registered_.fetch_sub(1, std::memory_order_relaxed);
  for (const TopicPartition& tp : registration.partitions_) {
    auto topic = waits_.find(tp.topic);
    if (topic == waits_.end()) continue;
    auto partition = topic->second.find(tp.partition.value);
    if (partition == topic->second.end()) continue;
    auto& list = partition->second;
    list.erase(std::remove(list.begin(), list.end(), registration.wait_), list.end());
    if (list.empty()) topic->second.erase(partition);
    if (topic->second.empty()) waits_.erase(topic);
  }
}

void FetchWaiters::Wake(const std::shared_ptr<FetchWait>& wait) {
  if (wait->wake_posted.exchange(true)) return;
  boost::asio::post(wait->timer.get_executor(), [wait] {
    wait->wake_posted.store(false);
    wait->notified = true;
    wait->timer.cancel();
  });
}

void FetchWaiters::Notify(std::string_view topic, PartitionId partition) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (registered_.load(std::memory_order_relaxed) == 0) return;
  absl::MutexLock lock(&mu_);
  auto t = waits_.find(ToAbsl(topic));
  if (t == waits_.end()) return;
  auto p = t->second.find(partition.value);
  if (p == t->second.end()) return;
  for (const auto& wait : p->second) Wake(wait);
}

void FetchWaiters::NotifyTopic(std::string_view topic) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (registered_.load(std::memory_order_relaxed) == 0) return;
  absl::MutexLock lock(&mu_);
  auto t = waits_.find(ToAbsl(topic));
  if (t == waits_.end()) return;
  for (const auto& [partition, list] : t->second) {
    for (const auto& wait : list) Wake(wait);
  }
}

void FetchWaiters::WakeAll() {
  absl::MutexLock lock(&mu_);
  for (auto& [topic, partitions] : waits_) {
    for (auto& [partition, list] : partitions) {
      for (const auto& wait : list) Wake(wait);
    }
  }
}

boost::asio::awaitable<void> FetchWaiters::Sleep(FetchWait& wait,
                                                 std::chrono::steady_clock::time_point deadline) {
  if (!wait.notified) {
    wait.timer.expires_at(deadline);
    co_await wait.timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
  wait.notified = false;
}

}  // namespace brook
