// tests/support/scoped_env.h: sets an environment variable for one scope (e.g. TMPDIR, to see
// where a broker would put files), and puts back what was there. Not thread-safe: the test's
// own threads and children started meanwhile see the change.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace brook::testing {

class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace brook::testing
