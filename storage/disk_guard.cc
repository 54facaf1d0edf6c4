#include "storage/disk_guard.h"

#include <sys/statvfs.h>

#include <chrono>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"

namespace brook::storage {
namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Mib(uint64_t bytes) {
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

}  // namespace

// Never throws into RocksDB: its calls only store flags and a copy of a message.
class DiskGuard::Listener : public rocksdb::EventListener {
 public:
  explicit Listener(DiskGuard* guard) : guard_(guard) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    guard_->OnBackgroundError(error->severity() >= rocksdb::Status::Severity::kHardError,
                              error->ToString());
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;  // The guard resumes (see the header).
  }
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    if (info.new_bg_error.ok()) guard_->OnRecovered();
  }

 private:
  DiskGuard* guard_;
};

DiskGuard::DiskGuard(std::string path, bool in_memory, uint64_t min_free_bytes,
                     StoreLogSink log_sink)
    : path_(std::move(path)),
      in_memory_(in_memory),
      min_free_bytes_(min_free_bytes),
      log_sink_(std::move(log_sink)),
      listener_(std::make_shared<Listener>(this)) {}

DiskGuard::~DiskGuard() = default;

std::shared_ptr<rocksdb::EventListener> DiskGuard::listener() { return listener_; }

void DiskGuard::Attach(rocksdb::DB* db) { db_ = db; }

DiskGuard::Space DiskGuard::Measure() const {
  Space space;
  struct statvfs fs {};
  if (in_memory_ || ::statvfs(path_.c_str(), &fs) != 0) return space;
  space.known = true;
  space.free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (db_ != nullptr) {
    db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables,
                                  &space.memtables);
  }
  return space;
}

void DiskGuard::OnBackgroundError(bool stops_writes, std::string reason) {
  needs_resume_.store(true, std::memory_order_release);
  if (stops_writes) stopped_.store(true, std::memory_order_release);
  absl::MutexLock lock(&mu_);
  stop_reason_ = std::move(reason);
}

void DiskGuard::OnRecovered() {
  stopped_.store(false, std::memory_order_release);
  needs_resume_.store(false, std::memory_order_release);
}

bool DiskGuard::TryResume() {
  if (!needs_resume_.load(std::memory_order_acquire)) return true;
  absl::MutexLock lock(&resume_mu_);
  const int64_t now = SteadyMs();
  if (!needs_resume_.load(std::memory_order_acquire) || now - resume_tried_ms_ < 1000) {
    return !stopped();
  }
  resume_tried_ms_ = now;
  const Space space = Measure();
  if (space.known && space.free < space.memtables + kResumeMarginBytes) return !stopped();
  // Resume calls the listener's OnErrorRecoveryEnd (no lock of ours is held but resume_mu_).
  rocksdb::Status s = db_->Resume();
  if (s.ok()) {
    OnRecovered();
    if (log_sink_) log_sink_(false, fmt::format("writes resumed ('{}' has {} free)", path_, Mib(space.free)));
  } else if (log_sink_) {
    log_sink_(true, fmt::format("resuming writes failed: {}", s.ToString()));
  }
  return !stopped();
}

absl::Status DiskGuard::StoppedError() const {
  const Space space = Measure();
  std::string reason;
  {
    absl::MutexLock lock(&mu_);
    reason = stop_reason_;
  }
  return MakeError(
      ErrorCode::kKafkaStorageError,
      fmt::format("writes are stopped since a write failed ({}); brook takes writes again "
                  "by itself once '{}' has {} free (its memtables, flushed on resume, plus "
                  "{}) and has {} now: free space there",
                  reason, path_, Mib(space.memtables + kResumeMarginBytes),
                  Mib(kResumeMarginBytes), space.known ? Mib(space.free) : "unknown"));
}

absl::Status DiskGuard::CheckWrite() {
  return TryResume() ? absl::OkStatus() : StoppedError();
}

absl::Status DiskGuard::CheckAppend() {
  if (absl::Status s = CheckWrite(); !s.ok()) return s;
  if (in_memory_ || min_free_bytes_ == 0) return absl::OkStatus();
  const int64_t now = SteadyMs();
  int64_t at = measured_at_ms_.load(std::memory_order_relaxed);
  if (now - at >= 10 && measured_at_ms_.compare_exchange_strong(at, now)) {
    const Space space = Measure();
    absl::MutexLock lock(&mu_);
    last_ = space;
    short_.store(space.known && space.free < space.memtables + min_free_bytes_,
                 std::memory_order_release);
  }
  if (!short_.load(std::memory_order_acquire)) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  return MakeError(
      ErrorCode::kKafkaStorageError,
      fmt::format("the disk is almost full: '{}' has {} free, and brook keeps {} free there "
                  "besides the {} its memtables take when flushed, so appends are refused. "
                  "Delete topics or records, or free space there: appends resume by themselves",
                  path_, Mib(last_.free), Mib(min_free_bytes_), Mib(last_.memtables)));
}

bool DiskGuard::short_of_space() const {
  return short_.load(std::memory_order_acquire) || needs_resume_.load(std::memory_order_acquire);
}

}  // namespace brook::storage
