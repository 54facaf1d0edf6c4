// CollectProcess (collectors.h): the standard process_* metrics, from /proc/self.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "broker/metrics/collectors.h"

namespace brook::metrics {
namespace {

struct ProcStat {
  double cpu_seconds = 0;
  double start_seconds = 0;  // Since the epoch.
  double virtual_bytes = 0;
  double resident_bytes = 0;
  double threads = 0;
};

// The system's boot time, seconds since the epoch (/proc/stat's btime), or 0.
double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

std::optional<ProcStat> ReadProcStat() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Fields after the command (in parentheses, which may hold spaces): state is field 3.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> f;
  for (std::string field; fields >> field;) f.push_back(field);
  // f[0] is field 3; field N is f[N - 3].
  if (f.size() < 22) return std::nullopt;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  ProcStat stat;
  stat.cpu_seconds = (std::stod(f[14 - 3]) + std::stod(f[15 - 3])) / ticks;  // utime + stime
  stat.threads = std::stod(f[20 - 3]);
  stat.start_seconds = BootTime() + std::stod(f[22 - 3]) / ticks;
  stat.virtual_bytes = std::stod(f[23 - 3]);
  stat.resident_bytes = std::stod(f[24 - 3]) * page;
  return stat;
}

double OpenFds() {
  std::error_code ec;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace

void CollectProcess(Families& out) {
  std::optional<ProcStat> stat = ReadProcStat();
  if (!stat) return;
  Families::Add(out.Counter("process_cpu_seconds_total", "User and system CPU time spent"), {},
                stat->cpu_seconds);
  Families::Add(out.Gauge("process_resident_memory_bytes", "Resident memory size"), {},
                stat->resident_bytes);
  Families::Add(out.Gauge("process_virtual_memory_bytes", "Virtual memory size"), {},
                stat->virtual_bytes);
  Families::Add(out.Gauge("process_start_time_seconds",
                          "When the process started, seconds since the Unix epoch"),
                {}, stat->start_seconds);
  Families::Add(out.Gauge("process_threads", "Threads of the process"), {}, stat->threads);
  Families::Add(out.Gauge("process_open_fds", "Open file descriptors"), {}, OpenFds());
}

}  // namespace brook::metrics
