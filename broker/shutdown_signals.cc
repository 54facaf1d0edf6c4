#include "broker/shutdown_signals.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "fmt/format.h"

namespace brook {

struct ShutdownSignals::State {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};  // Signals that come early are queued.
};

ShutdownSignals::ShutdownSignals() : state_(std::make_unique<State>()) {}
ShutdownSignals::~ShutdownSignals() = default;

int ShutdownSignals::Wait() {
  int received = 0;
  state_->signals.async_wait(
      [&](const boost::system::error_code&, int signal) { received = signal; });
  state_->io.run();
  return received;
}

absl::Status ShutdownSignals::WatchParent(pid_t parent) {
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
    return absl::InternalError(fmt::format("prctl(PR_SET_PDEATHSIG): {}", std::strerror(errno)));
  }
  // Checked after the request: a parent that exits later sends SIGTERM.
  if (::getppid() != parent) {
    return absl::FailedPreconditionError(
        fmt::format("the parent process ({}) has exited already", parent));
  }
  return absl::OkStatus();
}

}  // namespace brook
