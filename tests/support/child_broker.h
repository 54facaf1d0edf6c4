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

#include "tests/support/child_process.h"

namespace brook::testing {

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
  explicit ChildBroker(std::string data_dir)
      : data_dir_(std::move(data_dir)), port_(FreePort()), kafka_port_(FreePort()) {}

  // Starts `brook serve` with `extra_flags`; false if it does not accept connections within
  // 20 s.
  bool Start(const std::vector<std::string>& extra_flags = {}) {
    std::vector<std::string> args = {"serve",        "--listen",       bootstrap(),
                                     "--kafka-listen", kafka_bootstrap(), "--http-listen", "127.0.0.1:0", "--data-dir",
                                     data_dir_,      "--log-level",    "warn"};
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    // Its ready line (stdout) is not needed: the port was picked beforehand.
    if (!process_.Spawn(args, "/dev/null")) return false;
    for (int i = 0; i < 400; ++i) {
      if (CanConnect(port_)) return true;
      if (process_.Exited()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  void Kill() { process_.Signal(SIGKILL); }
  // Returns the exit status of a graceful stop (0 expected).
  int Terminate() { return process_.Signal(SIGTERM); }

  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  // The Kafka listener's address.
  std::string kafka_bootstrap() const { return "127.0.0.1:" + std::to_string(kafka_port_); }

 private:
  std::string data_dir_;
  uint16_t port_;
  uint16_t kafka_port_;
  ChildProcess process_;
};

}  // namespace brook::testing
