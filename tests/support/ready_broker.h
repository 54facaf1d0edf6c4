// tests/support/ready_broker.h: `brook serve` as a child process started the way a test
// harness in any language starts it: every listener on port 0, its addresses read from the
// ready line it prints on stdout (broker/ready_line.h). No port is picked in advance, so
// tests running at the same time never collide.
//
//   TempDir dir;
//   ReadyBroker broker(dir.path());
//   REQUIRE(broker.Start({"--in-memory"}).ok());
//   RunBrook({"topic", "list", "--bootstrap", broker.ready().native});
//   CHECK(broker.Terminate() == 0);
//
// The child's stdout and stderr go to files in `dir` (Stdout(), Stderr()).
#pragma once

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "broker/ready_line.h"
#include "fmt/format.h"
#include "tests/support/child_process.h"
#include "tests/support/run_command.h"

namespace brook::testing {

class ReadyBroker {
 public:
  explicit ReadyBroker(std::string dir) : dir_(std::move(dir)) {}

  // Starts `brook serve FLAGS...` in `cwd` (empty: the test's directory), with --listen and
  // --kafka-listen and --http-listen 127.0.0.1:0 unless FLAGS set them, and waits up to 20 s for its ready line.
  // Errors: Unavailable when it exits or prints nothing in
  // time (the message quotes its stderr); those of ParseReadyLine.
  absl::Status Start(const std::vector<std::string>& flags, const std::string& cwd = "") {
    std::vector<std::string> args = {"serve"};
    for (const std::string listen : {"--listen", "--kafka-listen", "--http-listen"}) {
      if (std::find(flags.begin(), flags.end(), listen) == flags.end()) {
        args.insert(args.end(), {listen, "127.0.0.1:0"});
      }
    }
    args.insert(args.end(), flags.begin(), flags.end());
    if (!process_.Spawn(args, StdoutPath(), StderrPath(), cwd)) {
      return absl::UnavailableError("cannot fork");
    }
    pid_ = process_.pid();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string out = Stdout();
      if (const size_t end = out.find('\n'); end != std::string::npos) {
        line_ = out.substr(0, end);
        absl::StatusOr<ReadyLine> ready = ParseReadyLine(line_);
        if (!ready.ok()) return ready.status();
        ready_ = *ready;
        return absl::OkStatus();
      }
      if (process_.Exited()) {
        return absl::UnavailableError(fmt::format("brook serve exited: {}", Stderr()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return absl::UnavailableError(fmt::format("no ready line after 20 s: {}", Stderr()));
  }

  const std::string& line() const { return line_; }  // The ready line, without its newline.
  const ReadyLine& ready() const { return ready_; }
  pid_t pid() const { return pid_; }  // The child's pid, kept after it exits.
  std::string Stdout() const { return ReadFile(StdoutPath()); }
  std::string Stderr() const { return ReadFile(StderrPath()); }

  // SIGTERM, then waits: the exit code of a graceful stop (0 expected).
  int Terminate() { return process_.Signal(SIGTERM); }

 private:
  std::string StdoutPath() const { return dir_ + "/serve.out"; }
  std::string StderrPath() const { return dir_ + "/serve.err"; }

  std::string dir_;
  ChildProcess process_;
  pid_t pid_ = -1;
  std::string line_;
  ReadyLine ready_;
};

}  // namespace brook::testing
