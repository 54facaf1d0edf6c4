// tests/storage/store_fixture.h: a LogStore with a fake clock, and whole-partition reads, for
// the retention and compaction tests.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/record_batch.h"
#include "rocksdb/db.h"
#include "storage/column_families.h"
#include "storage/db_options.h"
#include "storage/log_store.h"

namespace brook::storage::testing {

// Milliseconds since the epoch, moved by the test.
struct FakeClock {
  std::atomic<int64_t> now{1'000'000'000};
  std::function<int64_t()> fn() {
    return [this] { return now.load(); };
  }
};

inline std::unique_ptr<LogStore> OpenStore(const std::string& dir, FakeClock& clock,
                                           size_t write_buffer_bytes = 64 << 20) {
  auto store = LogStore::Open(StoreOptions{.data_dir = dir,
                                           .write_buffer_bytes = write_buffer_bytes,
                                           .clock = clock.fn()});
  REQUIRE(store.ok());
  return *std::move(store);
}

struct StoredRecord {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: a tombstone.
};

// Every record from the log start; checks that every batch validates (CRC, structure) and
// that offsets strictly increase.
inline std::vector<StoredRecord> ReadAll(const LogStore& store, std::string_view topic,
                                         PartitionId partition = PartitionId(0)) {
  std::vector<StoredRecord> out;
  auto offsets = store.Offsets(topic, partition);
  REQUIRE(offsets.ok());
  int64_t next = offsets->log_start.value;
  int64_t last = -1;
  while (next < offsets->log_end.value) {
    auto read = store.Read(topic, partition, Offset(next), 1 << 20);
    REQUIRE(read.ok());
    if (read->records.empty()) break;
    auto batches = SplitBatches(read->records);
    REQUIRE(batches.ok());
    for (std::string_view batch : *batches) {
      auto summary = ValidateBatch(batch);
      REQUIRE_MESSAGE(summary.ok(), summary.status().ToString());
      CHECK(summary->header.base_offset > last);
      std::string scratch;
      std::vector<RecordView> records;
      REQUIRE(DecodeRecords(batch, &scratch, &records).ok());
      for (const RecordView& r : records) {
        CHECK(r.offset > last);
        last = r.offset;
        out.push_back(StoredRecord{r.offset, r.timestamp,
                                   r.key ? std::optional<std::string>(*r.key) : std::nullopt,
                                   r.value ? std::optional<std::string>(*r.value) : std::nullopt});
      }
      next = summary->header.last_offset() + 1;
    }
  }
  return out;
}

inline int64_t TotalBytes(const std::vector<Segment>& segments) {
  int64_t total = 0;
  for (const Segment& s : segments) total += s.bytes;
  return total;
}

// Segments are contiguous, cover [log_start, log_end) and are sized by their batches.
inline void CheckSegments(const LogStore& store, std::string_view topic) {
  auto segments = store.Segments(topic, PartitionId(0));
  REQUIRE(segments.ok());
  auto offsets = store.Offsets(topic, PartitionId(0));
  REQUIRE(!segments->empty());
  CHECK(segments->front().base_offset == offsets->log_start.value);
  CHECK(segments->back().last_offset == offsets->log_end.value - 1);
  for (size_t i = 1; i < segments->size(); ++i) {
    CHECK((*segments)[i].base_offset == (*segments)[i - 1].last_offset + 1);
  }
  auto read = store.Read(topic, PartitionId(0), offsets->log_start, 64 << 20);
  REQUIRE(read.ok());
  CHECK(TotalBytes(*segments) == static_cast<int64_t>(read->records.size()));
}

// Runs `change` on a closed store's RocksDB, to leave it as an older brook (or another
// version of the code) might have.
inline void ChangeDb(const std::string& dir, const std::function<void(const ColumnFamilies&)>& change) {
  StoreOptions options{.data_dir = dir};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(MakeDbOptions(options, /*memory_env=*/nullptr), dir, MakeColumnFamilies(options), &handles, &db).ok());
  change(ColumnFamilies{db, handles[0], handles[1], handles[2], handles[3], handles[4]});
  for (auto* handle : handles) CHECK(db->DestroyColumnFamilyHandle(handle).ok());
  CHECK(db->Close().ok());
  delete db;
}

// Removes every meta record with key tag `tag` from a closed store, as if an older brook
// had written the data.
inline void EraseMetaTag(const std::string& dir, char tag) {
  ChangeDb(dir, [tag](const ColumnFamilies& cfs) {
    const std::string begin(1, tag), end(1, static_cast<char>(tag + 1));
    CHECK(cfs.db->DeleteRange(rocksdb::WriteOptions(), cfs.meta, begin, end).ok());
  });
}

// Copies the data directory of a store that is still open to `to`: the files as a process
// killed now (kill -9) would leave them, with no flush, WAL sync or close. Opening the copy is
// recovering from that crash. REQUIRES: no write in progress.
inline void CopyAsIfKilled(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

// Copies the data directory `dir` of `store` to `copy_dir` as if the process were killed now
// (CopyAsIfKilled), then closes and reopens `store` cleanly. Returns the store recovered from
// the copy: both must hold the same.
inline std::unique_ptr<LogStore> ReopenAndRecoverCopy(std::unique_ptr<LogStore>& store,
                                                      const std::string& dir,
                                                      const std::string& copy_dir,
                                                      FakeClock& clock) {
  CopyAsIfKilled(dir, copy_dir);
  store.reset();
  store = OpenStore(dir, clock);
  return OpenStore(copy_dir, clock);
}

// Bytes of every file under `dir`.
inline uintmax_t DirSize(const std::string& dir) {
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

}  // namespace brook::storage::testing
