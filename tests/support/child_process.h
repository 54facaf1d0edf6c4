// tests/support/child_process.h: the `brook` binary ($BROOK_BINARY, set by ctest) run as a
// child process, for tests that crash it (SIGKILL) or stop it (SIGTERM).
//
//   ChildProcess consumer;
//   consumer.Spawn({"consume", "t", "--group", "g"}, dir + "/out");
//   ...
//   consumer.Signal(SIGKILL);
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace brook::testing {

inline std::string BrookBinary() {
  const char* path = std::getenv("BROOK_BINARY");
  return path != nullptr ? path : "brook";
}

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Signal(SIGKILL); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts `brook ARGS...` with stdout and stderr appended to the given files (empty: the
  // test's own), in directory `cwd` (empty: the test's). Returns false if it cannot fork (a
  // failing exec shows as exit code 127).
  bool Spawn(const std::vector<std::string>& args, const std::string& stdout_path = "",
             const std::string& stderr_path = "", const std::string& cwd = "") {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
      Redirect(stdout_path, STDOUT_FILENO);
      Redirect(stderr_path, STDERR_FILENO);
      const std::string binary = BrookBinary();
      std::vector<char*> argv{const_cast<char*>(binary.c_str())};
      for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      ::_exit(127);
    }
    return pid_ > 0;
  }

  pid_t pid() const { return pid_; }  // -1 when there is no child.

  // True (and forgets the child) when it has exited.
  bool Exited() {
    int status = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) != pid_) return pid_ <= 0;
    pid_ = -1;
    return true;
  }

  // Sends `signal` and waits for the child; returns its exit code, or 128 + the signal that
  // ended it; -1 when there is no child.
  int Signal(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  static void Redirect(const std::string& path, int fd) {
    if (path.empty()) return;
    const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (file >= 0) ::dup2(file, fd);
  }

  pid_t pid_ = -1;
};

}  // namespace brook::testing
