#include "broker/memory_budget.h"

#include <algorithm>
#include <utility>

namespace brook {

int64_t MemoryBudget::Available() const { return std::max<int64_t>(0, limit_ - used()); }

bool MemoryBudget::TryCharge(int64_t bytes) {
  int64_t used = used_.load();
  while (used == 0 || used + bytes <= limit_) {
    if (used_.compare_exchange_weak(used, used + bytes)) return true;
  }
  return false;
}

void MemoryBudget::Release(int64_t bytes) {
  // Sequentially consistent with OnRelease's store and its caller's TryCharge: a waiter
  // either sees these bytes free, or this sees it registered.
  used_.fetch_sub(bytes);
  if (!has_waiting_.load()) return;
  std::vector<std::function<void()>> wake;
  {
    absl::MutexLock lock(&mu_);
    wake.swap(waiting_);
    has_waiting_.store(false);
  }
  for (std::function<void()>& w : wake) w();
}

void MemoryBudget::OnRelease(std::function<void()> wake) {
  absl::MutexLock lock(&mu_);
  waiting_.push_back(std::move(wake));
  has_waiting_.store(true);
}

}  // namespace brook
