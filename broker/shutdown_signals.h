// broker/shutdown_signals.h: SIGINT and SIGTERM as a request to stop gracefully.
//
//   ShutdownSignals signals;                 // before the broker starts listening
//   auto broker = Broker::Start(config);
//   signals.Wait();                          // then (*broker)->Stop()
//
// Construction installs the handlers at once, so a signal that arrives between then and Wait()
// (say while the broker opens its store, or just after it starts listening) is kept and ends
// Wait() immediately, instead of killing the process with the signal's default action.
// Thread-safety: one thread constructs and waits. Lifecycle: the default actions come back
// when it is destroyed.
#pragma once

#include <memory>

namespace brook {

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Blocks until SIGINT or SIGTERM (returns at once if one came already); returns it.
  int Wait();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace brook
