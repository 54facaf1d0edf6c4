#include "bench/server_cpu.h"

#include <chrono>
#include <thread>

namespace brook::bench {

ServerCpu::ServerCpu(pid_t pid) { valid_ = clock_getcpuclockid(pid, &clock_) == 0; }

double ServerCpu::Seconds() const {
  timespec now{};
  if (!valid_ || clock_gettime(clock_, &now) != 0) return -1;
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void ServerCpu::WaitUntilIdle(std::chrono::milliseconds at_most) const {
  constexpr auto kWindow = std::chrono::milliseconds(50);
  constexpr double kIdleSeconds = 0.005;  // 10% of kWindow.
  const auto deadline = std::chrono::steady_clock::now() + at_most;
  for (double before = Seconds(); before >= 0 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(kWindow);
    const double after = Seconds();
    if (after < 0 || after - before < kIdleSeconds) return;
    before = after;
  }
}

double CpuInterval::Seconds() const {
  if (cpu_ == nullptr || start_ < 0) return -1;
  const double now = cpu_->Seconds();
  return now < 0 ? -1 : now - start_;
}

}  // namespace brook::bench
