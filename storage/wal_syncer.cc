#include "storage/wal_syncer.h"

namespace brook::storage {

WalSyncer::WalSyncer(std::function<absl::Status()> sync)
    : sync_(std::move(sync)), thread_([this] { Run(); }) {}

WalSyncer::~WalSyncer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void WalSyncer::RequestSync(Done done) {
  absl::MutexLock lock(&mu_);
  pending_.push_back(std::move(done));
}

uint64_t WalSyncer::sync_count() const {
  absl::MutexLock lock(&mu_);
  return sync_count_;
}

void WalSyncer::Run() {
  for (;;) {
    std::vector<Done> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WalSyncer* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->pending_.empty();
          },
          this));
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
    }
    absl::Status status = sync_();
    {
      absl::MutexLock lock(&mu_);
      ++sync_count_;
    }
    for (Done& done : batch) std::move(done)(status);
  }
}

}  // namespace brook::storage
