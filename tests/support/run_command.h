// tests/support/run_command.h: runs the `brook` binary (or another program: kcat, python3)
// like a person at a shell would, with stdin text, and captures stdout, stderr and the exit
// code.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_broker.h"
#include "tests/support/temp_dir.h"

namespace brook::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `PROGRAM ARGS...` (argv[0] is the program) with `input` on stdin and `env` (e.g.
// "BROOK_BOOTSTRAP=...") set.
inline CommandResult RunProgram(const std::vector<std::string>& argv,
                                const std::string& input = "", const std::string& env = "") {
  TempDir dir;
  const std::string in = dir.path() + "/in", out = dir.path() + "/out", err = dir.path() + "/err";
  std::ofstream(in) << input;
  std::string command = env;
  for (const std::string& arg : argv) command += " " + ShellQuote(arg);
  command += " <" + in + " >" + out + " 2>" + err;
  const int status = std::system(command.c_str());
  return CommandResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
}

// Runs `brook ARGS...` with `input` on stdin and `env` (e.g. "BROOK_BOOTSTRAP=...") set.
inline CommandResult RunBrook(const std::vector<std::string>& args, const std::string& input = "",
                              const std::string& env = "") {
  std::vector<std::string> argv = {BrookBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, input, env);
}

}  // namespace brook::testing
