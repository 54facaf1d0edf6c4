#include "bench/server_cpu.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

#include "fmt/format.h"

namespace brook::bench {

ServerCpu::ServerCpu(pid_t pid) { valid_ = clock_getcpuclockid(pid, &clock_) == 0; }

double ServerCpu::Seconds() const {
  timespec now{};
  if (!valid_ || clock_gettime(clock_, &now) != 0) return -1;
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

void ServerCpu::WaitUntilIdle() const {
  constexpr auto kWindow = std::chrono::milliseconds(50);
  constexpr double kIdleSeconds = 0.005;  // 10% of kWindow.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (double before = Seconds(); before >= 0 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(kWindow);
    const double after = Seconds();
    if (after < 0 || after - before < kIdleSeconds) return;
    before = after;
  }
}

namespace {

// Busy and total jiffies of all CPUs since boot (/proc/stat's first line), time stolen by
// the hypervisor left out (it is not this machine's work); false when unread.
bool ReadMachineCpu(uint64_t* busy, uint64_t* total) {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq) ||
      cpu != "cpu") {
    return false;
  }
  *busy = user + nice + system + irq + softirq;
  *total = *busy + idle + iowait;
  return true;
}

}  // namespace

void WaitUntilMachineIdle(std::chrono::milliseconds at_most) {
  constexpr auto kWindow = std::chrono::milliseconds(200);
  const auto deadline = std::chrono::steady_clock::now() + at_most;
  uint64_t busy = 0, total = 0;
  if (!ReadMachineCpu(&busy, &total)) return;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kWindow);
    uint64_t busy_now = 0, total_now = 0;
    if (!ReadMachineCpu(&busy_now, &total_now)) return;
    // Jiffies of all CPUs: a fifth of one CPU is a fifth of the total over the CPU count.
    const uint64_t cpus = std::max(1u, std::thread::hardware_concurrency());
    if (total_now > total && (busy_now - busy) * 5 * cpus < total_now - total) return;
    busy = busy_now;
    total = total_now;
  }
  fmt::print(stderr, "the machine was not idle after {} s; going on\n",
             std::chrono::duration_cast<std::chrono::seconds>(at_most).count());
}

double CpuInterval::Seconds() const {
  if (cpu_ == nullptr || start_ < 0) return -1;
  const double now = cpu_->Seconds();
  return now < 0 ? -1 : now - start_;
}

}  // namespace brook::bench
