#include "bench/server_cpu.h"

namespace brook::bench {

ServerCpu::ServerCpu(pid_t pid) { valid_ = clock_getcpuclockid(pid, &clock_) == 0; }

double ServerCpu::Seconds() const {
  timespec now{};
  if (!valid_ || clock_gettime(clock_, &now) != 0) return -1;
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double CpuInterval::Seconds() const {
  if (cpu_ == nullptr || start_ < 0) return -1;
  const double now = cpu_->Seconds();
  return now < 0 ? -1 : now - start_;
}

}  // namespace brook::bench
