#include "broker/shutdown_signals.h"

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

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

}  // namespace brook
