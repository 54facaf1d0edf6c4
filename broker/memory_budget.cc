#include "broker/memory_budget.h"

#include <algorithm>
#include <utility>

namespace brook {

int64_t MemoryBudget::Available() const { return std::max<int64_t>(0, limit_ - used()); }

bool MemoryBudget::TryCharge(int64_t bytes) {
  int64_t used = used_.load(std::memory_order_relaxed);
  while (used == 0 || used + bytes <= limit_) {
    if (used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed)) return true;
  }
  return false;
}

void MemoryBudget::Release(int64_t bytes) {
  used_.fetch_sub(bytes, std::memory_order_relaxed);
  std::vector<std::function<void()>> wake;
  {
    absl::MutexLock lock(&mu_);
    if (waiting_.empty()) return;
    wake.swap(waiting_);
  }
  for (std::function<void()>& w : wake) w();
}

void MemoryBudget::OnRelease(std::function<void()> wake) {
  absl::MutexLock lock(&mu_);
  waiting_.push_back(std::move(wake));
}

}  // namespace brook
