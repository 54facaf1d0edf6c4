// tests/support/child_broker.h: `brook serve` as a child process, for crash and CLI tests.
//
// The binary is $BROOK_BINARY (set by ctest). Start() picks a free loopback port, starts the
// broker on `data_dir` and waits until it accepts connections. Kill() sends SIGKILL (a crash);
// Terminate() sends SIGTERM and waits (a graceful stop).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace brook::testing {

inline std::string BrookBinary() {
  const char* path = std::getenv("BROOK_BINARY");
  return path != nullptr ? path : "brook";
}

// A port that was free a moment ago.
inline uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool CanConnect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

class ChildBroker {
 public:
  explicit ChildBroker(std::string data_dir) : data_dir_(std::move(data_dir)), port_(FreePort()) {}
  ~ChildBroker() { Kill(); }

  // Starts `brook serve`; false if it does not accept connections within 20 s.
  bool Start() {
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string binary = BrookBinary();
      ::execl(binary.c_str(), binary.c_str(), "serve", "--listen", listen.c_str(), "--data-dir",
              data_dir_.c_str(), "--log-level", "warn", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 400; ++i) {
      if (CanConnect(port_)) return true;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  void Kill() { Signal(SIGKILL); }
  // Returns the exit status of a graceful stop (0 expected).
  int Terminate() { return Signal(SIGTERM); }

  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }

 private:
  int Signal(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string data_dir_;
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace brook::testing
