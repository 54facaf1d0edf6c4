#include "bench/startup_workload.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "broker/ready_line.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "fmt/format.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kReadyTimeout = std::chrono::seconds(10);
constexpr auto kConsumeTimeout = std::chrono::seconds(10);

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The broker being measured. Whatever happens to the cycle, it is killed and reaped.
struct Child {
  pid_t pid = -1;
  int out = -1;  // Read end of its stdout.
  ~Child() {
    if (out >= 0) ::close(out);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// A fresh temp dir for an on-disk broker, removed at scope exit; none in memory.
struct DataDir {
  std::filesystem::path path;
  ~DataDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

// Forks and execs `brook args...` with stdout into a pipe (child->out).
// Errors: INTERNAL when the pipe or the fork fails.
absl::Status Spawn(const std::filesystem::path& brook, const std::vector<std::string>& args,
                   Child* child) {
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  const std::string path = brook.string();
  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(fmt::format("pipe: {}", std::strerror(errno)));
  }
  child->out = pipe_fds[0];
  child->pid = ::fork();
  if (child->pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);  // dup2 clears close-on-exec on the copy.
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(pipe_fds[1]);
  if (child->pid < 0) {
    return absl::InternalError(fmt::format("fork: {}", std::strerror(fork_errno)));
  }
  return absl::OkStatus();
}

// Reads the child's stdout up to the end of its first line. Errors: UNAVAILABLE when it closes
// stdout (exits) first or prints nothing within kReadyTimeout.
absl::StatusOr<std::string> ReadLine(int fd) {
  const auto deadline = Clock::now() + kReadyTimeout;
  std::string text;
  char buffer[512];
  while (text.find('\n') == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd readable{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&readable, 1, static_cast<int>(left)) == 0) {
      return absl::UnavailableError("brook serve printed no ready line within 10 s");
    }
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError("brook serve exited before it was ready");
    text.append(buffer, static_cast<size_t>(n));
  }
  return text.substr(0, text.find('\n'));
}

// Creates a topic, produces one record and consumes it from `bootstrap`.
absl::Status ProduceAndConsume(const std::string& bootstrap) {
  absl::StatusOr<std::unique_ptr<Admin>> admin = Admin::Create({.bootstrap = bootstrap});
  if (!admin.ok()) return admin.status();
  if (absl::Status s = (*admin)->CreateTopic({.name = "startup"}); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<Producer>> producer =
      Producer::Create({.bootstrap = bootstrap, .linger = std::chrono::milliseconds(0)});
  if (!producer.ok()) return producer.status();
  absl::StatusOr<RecordMetadata> sent =
      (*producer)->Send({.topic = "startup", .key = "k", .value = "v"}).get();
  if (!sent.ok()) return sent.status();
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create({.bootstrap = bootstrap, .auto_offset_reset = OffsetReset::kEarliest});
  if (!consumer.ok()) return consumer.status();
  if (absl::Status s = (*consumer)->Assign({{"startup", PartitionId(0)}}); !s.ok()) return s;
  const auto deadline = Clock::now() + kConsumeTimeout;
  while (Clock::now() < deadline) {
    absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(std::chrono::milliseconds(100));
    if (!records.ok()) return records.status();
    if (!records->empty()) return absl::OkStatus();
  }
  return absl::UnavailableError("the record produced was not consumed within 10 s");
}

}  // namespace

absl::StatusOr<StartupCycle> RunStartupCycle(const std::filesystem::path& brook, bool in_memory) {
  std::vector<std::string> args = {"serve",          "--listen",    "127.0.0.1:0",
                                   "--kafka-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--exit-with-parent",
                                   "--log-level",    "warn"};
  DataDir data;
  if (in_memory) {
    args.emplace_back("--in-memory");
  } else {
    std::string dir =
        (std::filesystem::temp_directory_path() / "brook-bench-startup-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) {
      return absl::InternalError(fmt::format("cannot make a temp dir: {}", std::strerror(errno)));
    }
    data.path = dir;
    args.insert(args.end(), {"--data-dir", (data.path / "data").string()});
  }

  Child child;
  const Clock::time_point start = Clock::now();
  if (absl::Status s = Spawn(brook, args, &child); !s.ok()) return s;
  absl::StatusOr<std::string> line = ReadLine(child.out);
  if (!line.ok()) return line.status();
  StartupCycle cycle;
  cycle.ready_ms = MillisSince(start);
  absl::StatusOr<ReadyLine> ready = ParseReadyLine(*line);
  if (!ready.ok()) return ready.status();
  if (absl::Status s = ProduceAndConsume(ready->native); !s.ok()) return s;

  ::kill(child.pid, SIGTERM);
  int status = 0;
  rusage usage{};
  const pid_t reaped = ::wait4(child.pid, &status, 0, &usage);
  cycle.cycle_ms = MillisSince(start);
  cycle.broker_cpu_ms = (static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
                         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3);
  child.pid = -1;
  if (reaped < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::UnavailableError(fmt::format("brook serve did not stop cleanly (status {:#x})",
                                              status));
  }
  return cycle;
}

}  // namespace brook::bench
