// storage/wal_syncer.h: group commit of fsyncs for acks=all.
//
// Operation: RequestSync(done) asks that every write completed before the call become durable;
// `done` runs once an fsync that started after the request has finished. One background
// thread performs the fsyncs; all requests that arrive while one fsync runs share the next
// one, so N concurrent producers cost about one fsync per round, not N.
//
// Concurrency: RequestSync is thread-safe. Callbacks run on the syncer's thread and must not
// block; they typically post to an event loop. Lifecycle: the destructor completes every
// pending request (with a final fsync) before joining the thread.
#pragma once

#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace brook::storage {

class WalSyncer {
 public:
  using Done = absl::AnyInvocable<void(absl::Status) &&>;

  // `sync` makes every completed write durable (RocksDB's SyncWAL).
  explicit WalSyncer(std::function<absl::Status()> sync);
  ~WalSyncer();
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  void RequestSync(Done done);
  // Number of fsyncs performed so far (for tests and stats).
  uint64_t sync_count() const;

 private:
  void Run();

  std::function<absl::Status()> sync_;
  mutable absl::Mutex mu_;
  std::vector<Done> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t sync_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace brook::storage
