// storage/disk_guard.h: keeps the store's disk from filling up, and takes writes again after
// it did. Internal to storage/ (LogStore owns one); its .cc includes RocksDB.
//
// Operation, two states:
// - Short of space: the file system holding the data dir has less free space than the
//   memtables will take when flushed plus min_free_bytes. Appends are refused with
//   STORAGE_ERROR saying how much is free and how much is kept free, and where; every other
//   write (deleting topics and records, commits, metadata) goes on, so an operator frees space
//   through brook. Appends resume by themselves once the space is back (the free space is
//   looked at again at most every 10 ms).
// - Stopped: RocksDB failed a write (the disk was filled by someone else, or min_free_bytes
//   is 0) and refuses every write until resumed. RocksDB's own recovery is turned off: it
//   waits for its reserved buffer (the largest write_buffer_size, 64 MiB here) whatever the
//   memtables hold. Instead, at most once a second, a write (or the log cleaner's round)
//   resumes the database once the free space covers the memtables (a resume flushes them)
//   plus kResumeMarginBytes; until then writes fail with STORAGE_ERROR saying what is needed
//   and where. While stopped, the WAL must not be synced: RocksDB asserts (and so aborts
//   the process) when a WAL writer that failed a write is synced.
//
// Concurrency: every method is thread-safe. RocksDB calls the listener from its threads.
// Lifecycle: the guard outlives the database (the database holds its listener).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "storage/log_store.h"

namespace rocksdb {
class DB;
class EventListener;
}  // namespace rocksdb

namespace brook::storage {

class DiskGuard {
 public:
  // Free space a resume needs beyond the memtables: a new WAL, MANIFEST and OPTIONS file.
  static constexpr uint64_t kResumeMarginBytes = 8 << 20;

  // `path`: the data dir; with `in_memory` nothing is measured and appends are never
  // refused for space.
  DiskGuard(std::string path, bool in_memory, uint64_t min_free_bytes, StoreLogSink log_sink);
  ~DiskGuard();
  DiskGuard(const DiskGuard&) = delete;
  DiskGuard& operator=(const DiskGuard&) = delete;

  // The listener to add to DBOptions::listeners before the database opens: it marks the
  // guard stopped on RocksDB's background errors and turns RocksDB's own recovery off.
  std::shared_ptr<rocksdb::EventListener> listener();
  // REQUIRES: called once, after the database opened, before the calls below.
  void Attach(rocksdb::DB* db);

  // Before an append. OK; or STORAGE_ERROR when writes are stopped and cannot resume yet, or
  // when the disk is short of space (both messages name the data dir and the bytes).
  absl::Status CheckAppend();
  // Before any other write: resumes stopped writes if the space allows. OK; or STORAGE_ERROR
  // when writes are stopped and cannot resume yet.
  absl::Status CheckWrite();
  // Whether appends are refused for space, or writes stopped (as last seen): deletions then
  // flush every memtable, so the WAL files holding what they removed are deleted too.
  bool short_of_space() const;
  // Whether RocksDB refuses writes (then the WAL must not be synced).
  bool stopped() const { return stopped_.load(std::memory_order_acquire); }
  // STORAGE_ERROR saying writes are stopped, why, and what a resume needs.
  absl::Status StoppedError() const;

 private:
  class Listener;
  struct Space {
    bool known = false;        // False when the file system could not be asked.
    uint64_t free = 0;         // Bytes available to brook on the data dir's file system.
    uint64_t memtables = 0;    // Bytes the memtables hold (written to disk when flushed).
  };
  Space Measure() const;
  // Resumes stopped writes when the space allows (at most once a second). Returns whether
  // writes are going.
  bool TryResume();
  void OnBackgroundError(bool stops_writes, std::string reason);
  void OnRecovered();

  const std::string path_;
  const bool in_memory_;
  const uint64_t min_free_bytes_;
  const StoreLogSink log_sink_;
  rocksdb::DB* db_ = nullptr;
  std::shared_ptr<Listener> listener_;

  std::atomic<bool> stopped_{false};       // RocksDB refuses writes.
  std::atomic<bool> needs_resume_{false};  // A background error is set (stopped or not).
  std::atomic<bool> short_{false};         // Appends refused for space, as last measured.
  std::atomic<int64_t> measured_at_ms_{0}; // When short_ was last measured (steady clock).

  mutable absl::Mutex mu_;
  std::string stop_reason_ ABSL_GUARDED_BY(mu_);
  Space last_ ABSL_GUARDED_BY(mu_);  // The measure short_ was computed from.

  absl::Mutex resume_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // One resume at a time.
  int64_t resume_tried_ms_ ABSL_GUARDED_BY(resume_mu_) = 0;
};

}  // namespace brook::storage
