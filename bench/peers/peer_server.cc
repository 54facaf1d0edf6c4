#include "bench/peers/peer_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(10);
constexpr const char* kLogName = "server.log";

// `name` on PATH, or in the sbin directories a non-root PATH often lacks (Debian installs
// nats-server in /usr/sbin).
std::optional<std::filesystem::path> FindBinary(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream in(path);
    for (std::string dir; std::getline(in, dir, ':');) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  for (const char* dir : {"/usr/local/sbin", "/usr/sbin", "/sbin"}) dirs.emplace_back(dir);
  for (const std::string& dir : dirs) {
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// A blocking TCP socket bound to 127.0.0.1:port (bind_it) or connected to it; -1 on failure.
int LoopbackSocket(int port, bool bind_it) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto* sa = reinterpret_cast<const sockaddr*>(&addr);
  if ((bind_it ? bind(fd, sa, sizeof addr) : connect(fd, sa, sizeof addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// A loopback port that was free a moment ago (the kernel's pick), or an INTERNAL error.
absl::StatusOr<int> FreePort() {
  const int fd = LoopbackSocket(0, /*bind_it=*/true);
  if (fd < 0) return absl::InternalError(fmt::format("no free loopback port: {}", strerror(errno)));
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  const int rc = getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  if (rc != 0) return absl::InternalError(fmt::format("getsockname: {}", strerror(errno)));
  return ntohs(addr.sin_port);
}

// The last `max_bytes` of the file (whole lines where possible), for error messages.
std::string Tail(const std::filesystem::path& file, size_t max_bytes = 1500) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) {
    text = text.substr(text.size() - max_bytes);
    if (size_t nl = text.find('\n'); nl != std::string::npos) text = text.substr(nl + 1);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "(empty log)" : text;
}

// Who a child runs as; nullopt: as the bench.
struct RunAs {
  uid_t uid;
  gid_t gid;
};

// `user`'s ids when the bench runs as root and `user` is set; nullopt otherwise.
absl::StatusOr<std::optional<RunAs>> ResolveUser(const std::string& user) {
  if (user.empty() || geteuid() != 0) return std::nullopt;
  const passwd* entry = getpwnam(user.c_str());
  if (entry == nullptr) {
    return absl::NotFoundError(fmt::format("no system user '{}' to run the server as", user));
  }
  return RunAs{entry->pw_uid, entry->pw_gid};
}

// Forks and execs args (args[0] a path) with stdout and stderr to log_fd, as `run_as`. The
// child dies with the thread that started it (PR_SET_PDEATHSIG). Returns its pid.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args, int log_fd,
                            std::optional<RunAs> run_as) {
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);  // The parent died before prctl took effect.
    signal(SIGPIPE, SIG_DFL);             // An ignored signal would stay ignored across exec.
    dup2(log_fd, STDOUT_FILENO);          // dup2 clears close-on-exec on the copies.
    dup2(log_fd, STDERR_FILENO);
    // Inherit none of the bench's sockets or files (an embedded broker's listener among them).
    if (close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 4096; ++fd) close(fd);
    }
    if (run_as && (setgroups(0, nullptr) != 0 || setgid(run_as->gid) != 0 ||
                   setuid(run_as->uid) != 0)) {
      _exit(125);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (pid < 0) return absl::InternalError(fmt::format("fork: {}", strerror(errno)));
  return pid;
}

// The newest PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<version>/bin).
std::optional<std::filesystem::path> FindPostgresBin() {
  std::optional<std::filesystem::path> newest;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ignored)) {
    const std::filesystem::path bin = entry.path() / "bin";
    if (access((bin / "postgres").c_str(), X_OK) == 0 && (!newest || bin > *newest)) newest = bin;
  }
  return newest;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::StartRedis(RedisFsync fsync) {
  return Start("redis-server", "redis-server", [fsync](int port, const std::filesystem::path& dir) {
    return std::vector<std::string>{
        "--port", std::to_string(port), "--bind", "127.0.0.1", "--dir", dir.string(),
        "--appendonly", "yes",
        "--appendfsync", fsync == RedisFsync::kAlways ? "always" : "everysec",
        "--auto-aof-rewrite-percentage", "0",
        "--save", "", "--protected-mode", "no", "--daemonize", "no", "--logfile", ""};
  });
}

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::StartNatsJetStream() {
  return Start("nats-server", "nats-server", [](int port, const std::filesystem::path& dir) {
    return std::vector<std::string>{"-js", "-a", "127.0.0.1", "-p", std::to_string(port),
                                    "-sd", (dir / "jetstream").string()};
  });
}

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::StartBrook() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return absl::InternalError(fmt::format("/proc/self/exe: {}", error.message()));
  absl::StatusOr<int> kafka_port = FreePort();
  if (!kafka_port.ok()) return kafka_port.status();
  absl::StatusOr<std::unique_ptr<PeerServer>> server =
      Launch("brook", self, [kafka_port = *kafka_port](int port, const std::filesystem::path& dir) {
        return std::vector<std::string>{
            "serve", "--listen", fmt::format("127.0.0.1:{}", port), "--kafka-listen",
            fmt::format("127.0.0.1:{}", kafka_port), "--http-listen", "off", "--data-dir", (dir / "data").string(),
            "--log-level", "warn"};
      });
  if (!server.ok()) return server.status();
  (*server)->kafka_port_ = *kafka_port;
  if (absl::Status ready = (*server)->WaitUntilAccepting(*kafka_port); !ready.ok()) return ready;
  return server;
}

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::StartPostgres(bool synchronous_commit) {
  const std::optional<std::filesystem::path> bin = FindPostgresBin();
  if (!bin) {
    return absl::NotFoundError("postgres not found; install it with apt-get install postgresql");
  }
  LaunchOptions options;
  options.user = "postgres";
  options.prepare = [&](const std::filesystem::path& dir) -> absl::Status {
    absl::StatusOr<std::optional<RunAs>> run_as = ResolveUser(options.user);
    if (!run_as.ok()) return run_as.status();
    const std::filesystem::path log = dir / "initdb.log";
    const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) return absl::InternalError(fmt::format("cannot create {}", log.string()));
    absl::StatusOr<pid_t> pid =
        Spawn({(*bin / "initdb").string(), "-D", (dir / "data").string(), "-U", "brook",
               "--auth=trust", "-E", "UTF8", "--no-sync"},
              log_fd, *run_as);
    close(log_fd);
    if (!pid.ok()) return pid.status();
    int status = 0;
    waitpid(*pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return absl::UnavailableError(fmt::format("initdb failed; its log ends:\n{}", Tail(log)));
    }
    return absl::OkStatus();
  };
  return Launch(
      "postgres", *bin / "postgres",
      [synchronous_commit](int port, const std::filesystem::path& dir) {
        return std::vector<std::string>{
            "-D", (dir / "data").string(), "-p", std::to_string(port),
            "-k", dir.string(), "-c", "listen_addresses=127.0.0.1",
            "-c", "fsync=on",
            "-c", fmt::format("synchronous_commit={}", synchronous_commit ? "on" : "off"),
            "-c", "shared_buffers=512MB", "-c", "max_connections=300"};
      },
      options);
}

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::Start(const std::string& binary,
                                                              const std::string& package,
                                                              ArgsFn make_args) {
  const std::optional<std::filesystem::path> path = FindBinary(binary);
  if (!path) {
    return absl::NotFoundError(
        fmt::format("{} not found; install it with apt-get install {}", binary, package));
  }
  return Launch(binary, *path, std::move(make_args));
}

absl::StatusOr<std::unique_ptr<PeerServer>> PeerServer::Launch(const std::string& binary,
                                                               const std::filesystem::path& path,
                                                               ArgsFn make_args,
                                                               const LaunchOptions& options) {
  std::string dir_template =
      (std::filesystem::temp_directory_path() / fmt::format("brook-bench-{}-XXXXXX", binary))
          .string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    return absl::InternalError(fmt::format("cannot make a temp dir for {}: {}", binary, strerror(errno)));
  }
  // From here the destructor removes the dir (and stops the child once it exists).
  std::unique_ptr<PeerServer> server(new PeerServer(binary, dir_template));
  absl::StatusOr<int> port = FreePort();
  if (!port.ok()) return port.status();
  server->port_ = *port;

  absl::StatusOr<std::optional<RunAs>> run_as = ResolveUser(options.user);
  if (!run_as.ok()) return run_as.status();
  if (*run_as && chown(server->dir_.c_str(), (*run_as)->uid, (*run_as)->gid) != 0) {
    return absl::InternalError(fmt::format("cannot hand {} to {}: {}", server->dir_.string(),
                                           options.user, strerror(errno)));
  }
  if (options.prepare) {
    if (absl::Status s = options.prepare(server->dir_); !s.ok()) return s;
  }
  std::vector<std::string> args = make_args(server->port_, server->dir_);
  args.insert(args.begin(), path.string());
  const std::filesystem::path log = server->dir_ / kLogName;
  const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(fmt::format("cannot create {}: {}", log.string(), strerror(errno)));
  }
  absl::StatusOr<pid_t> pid = Spawn(args, log_fd, *run_as);
  close(log_fd);
  if (!pid.ok()) {
    return absl::InternalError(
        fmt::format("cannot start {}: {}", binary, MessageOf(pid.status())));
  }
  server->pid_ = *pid;
  server->cpu_ = std::make_unique<ServerCpu>(*pid);
  if (absl::Status ready = server->WaitUntilAccepting(server->port_); !ready.ok()) return ready;
  return server;
}

absl::Status PeerServer::WaitUntilAccepting(int port) {
  const auto deadline = Clock::now() + kStartTimeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(fmt::format(
          "{} exited at start ({}); its log ends:\n{}", name_,
          WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                            : fmt::format("signal {}", WTERMSIG(status)),
          Tail(dir_ / kLogName)));
    }
    if (const int fd = LoopbackSocket(port, /*bind_it=*/false); fd >= 0) {
      close(fd);
      return absl::OkStatus();
    }
    if (Clock::now() > deadline) {
      return absl::UnavailableError(fmt::format(
          "{} does not accept connections on 127.0.0.1:{} after {} s; its log ends:\n{}", name_,
          port, std::chrono::duration_cast<std::chrono::seconds>(kStartTimeout).count(),
          Tail(dir_ / kLogName)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

PeerServer::~PeerServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + kStopTimeout;
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace brook::bench
