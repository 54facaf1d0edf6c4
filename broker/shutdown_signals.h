// broker/shutdown_signals.h: SIGINT and SIGTERM as a request to stop gracefully.
//
//   ShutdownSignals signals;                 // before the broker starts listening
//   auto broker = Broker::Start(config);
//   signals.Wait();                          // then (*broker)->Stop()
//
// Construction installs the handlers at once, so a signal that arrives between then and Wait()
// (say while the broker opens its store, or just after it starts listening) is kept and ends
// Wait() immediately, instead of killing the process with the signal's default action.
// WatchParent() adds a third cause, for test harnesses: the parent process exiting.
// Thread-safety: one thread constructs and waits. Lifecycle: the default actions come back
// when it is destroyed.
#pragma once

#include <sys/types.h>

#include <memory>

#include "absl/status/status.h"

namespace brook {

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Blocks until SIGINT or SIGTERM (returns at once if one came already); returns it.
  int Wait();

  // Asks Linux to send this process SIGTERM when its parent exits (PR_SET_PDEATHSIG), which
  // Wait() then returns like any SIGTERM. `parent` is the parent's pid read when the process
  // started: if the parent is gone already (getppid() differs once the request is in place),
  // no signal would ever come. Linux sends it when the *thread* that forked this process
  // ends, so the parent must start it from a thread that lives as long as it wants it to run.
  // Errors: FailedPrecondition when the parent has exited already; Internal when prctl fails.
  absl::Status WatchParent(pid_t parent);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace brook
