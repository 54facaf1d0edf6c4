// Log compaction through LogStore: a model-based test, crash safety, the lag rules, the
// scheduler's decision, and records deleted (DeleteRecords) on a compacted topic.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>

#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "storage/keys.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using ::brook::testing::TempDir;
using testing::CheckSegments;
using testing::FakeClock;
using testing::OpenStore;
using testing::ReadAll;
using testing::StoredRecord;

struct Op {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone.
};

std::string Batch(const std::vector<Op>& ops, int64_t timestamp,
                  Compression compression = Compression::kNone) {
  RecordBatchBuilder builder(compression);
  for (const Op& op : ops) {
    builder.Append(timestamp, op.key,
                   op.value ? std::optional<std::string_view>(*op.value) : std::nullopt);
  }
  return builder.Finish();
}

// The log as a consumer rebuilds state: the latest value per key, tombstones delete.
std::map<std::string, std::string> Replay(const std::vector<StoredRecord>& records) {
  std::map<std::string, std::string> state;
  for (const StoredRecord& r : records) {
    if (r.value) {
      state[*r.key] = *r.value;
    } else {
      state.erase(*r.key);
    }
  }
  return state;
}

// After a compaction that cleaned below `cleaned_up_to` with tombstone horizon `horizon`:
// each key appears at most once there, and no tombstone there is older than the horizon.
void CheckCleaned(const std::vector<StoredRecord>& records, int64_t cleaned_up_to,
                  int64_t horizon) {
  std::set<std::string> seen;
  for (const StoredRecord& r : records) {
    if (r.offset >= cleaned_up_to) break;
    CHECK_MESSAGE(seen.insert(*r.key).second, "key " << *r.key << " twice below " << cleaned_up_to);
    if (!r.value) CHECK(r.timestamp >= horizon);
  }
}

struct Model {
  std::map<std::string, std::string> live;
  std::map<std::string, int64_t> deleted_at;  // Key -> time of its latest tombstone.
  std::vector<std::pair<int64_t, int64_t>> appended;  // (offset, timestamp) of every record.
  int64_t max_horizon = INT64_MIN;  // Tombstones at or after this were never removable.

  void Apply(const Op& op, int64_t offset, int64_t timestamp) {
    appended.emplace_back(offset, timestamp);
    if (op.value) {
      live[op.key] = *op.value;
      deleted_at.erase(op.key);
    } else {
      live.erase(op.key);
      deleted_at[op.key] = timestamp;
    }
  }

  void Check(const LogStore& store) const {
    const std::vector<StoredRecord> records = ReadAll(store, "c");
    auto offsets = store.Offsets("c", PartitionId(0));
    REQUIRE(offsets.ok());
    if (!appended.empty()) {  // The log end is kept, even if its last records were removed.
      CHECK(offsets->log_end.value == appended.back().first + 1);
    }
    CHECK(Replay(records) == live);
    std::map<std::string, bool> last_is_tombstone;
    for (const StoredRecord& r : records) last_is_tombstone[*r.key] = !r.value;
    for (const auto& key_time : deleted_at) {
      const auto& key = key_time.first;  // clang 14 cannot capture a structured binding.
      const auto t = key_time.second;
      if (t >= max_horizon) CHECK_MESSAGE(last_is_tombstone[key], "tombstone of " << key << " lost");
    }
    CheckSegments(store, "c");
  }
};

TEST_CASE("model: puts, overwrites and tombstones survive compaction and reopen exactly") {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
    const int64_t min_lag = std::vector<int64_t>{0, 300, 2000}[seed % 3];
    const int64_t delete_retention = std::vector<int64_t>{0, 500, 5000}[pick(3)];
    TempDir dir;
    FakeClock clock;
    auto store = OpenStore(dir.path(), clock);
    REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"},
                                        {"segment.bytes", "2048"},
                                        {"min.compaction.lag.ms", std::to_string(min_lag)},
                                        {"delete.retention.ms", std::to_string(delete_retention)}})
                .ok());
    Model model;
    int compactions = 0;
    for (int step = 0; step < 300; ++step) {
      clock.now += pick(100);
      const int action = pick(100);
      if (action < 80) {
        std::vector<Op> ops(static_cast<size_t>(1 + pick(8)));
        for (Op& op : ops) {
          op.key = "key" + std::to_string(pick(300));
          if (pick(100) >= 15) op.value = fmt::format("v{}-{}", step, pick(1000));
        }
        const int64_t ts = clock.now;
        auto appended = store->Append("c", PartitionId(0),
                                      Batch(ops, ts, pick(2) ? Compression::kZstd : Compression::kNone));
        REQUIRE(appended.ok());
        for (size_t i = 0; i < ops.size(); ++i) {
          model.Apply(ops[i], appended->base_offset.value + static_cast<int64_t>(i), ts);
        }
      } else if (action < 95) {
        CompactionLimits limits;
        limits.chunk_bytes = std::vector<size_t>{256, 4096, 1 << 20}[pick(3)];
        limits.max_key_map_bytes = std::vector<size_t>{1500, 1 << 20}[pick(2)];
        const int64_t now = clock.now;
        auto stats = store->Compact("c", PartitionId(0), now, limits);
        REQUIRE(stats.ok());
        CHECK(stats->finished);
        ++compactions;
        model.max_horizon = std::max(model.max_horizon, now - delete_retention);
        const std::vector<StoredRecord> records = ReadAll(*store, "c");
        CheckCleaned(records, stats->cleaned_up_to.value, now - delete_retention);
        // Nothing younger than min.compaction.lag.ms was touched.
        std::set<int64_t> present;
        for (const StoredRecord& r : records) present.insert(r.offset);
        for (const auto& offset_time : model.appended) {
          const auto offset = offset_time.first;  // clang 14 cannot capture a structured binding.
          const auto ts = offset_time.second;
          if (ts > now - min_lag) CHECK_MESSAGE(present.contains(offset), "young offset " << offset);
        }
      } else {
        store.reset();
        store = OpenStore(dir.path(), clock);
      }
      model.Check(*store);
    }
    CHECK(compactions > 10);

    // Long after the last write, a compaction removes every expired tombstone up to the log
    // end, and reading still yields the model's map.
    clock.now += min_lag + delete_retention + 1;
    auto stats = store->Compact("c", PartitionId(0), clock.now);
    REQUIRE(stats.ok());
    model.max_horizon = clock.now - delete_retention;
    model.Check(*store);
    const std::vector<StoredRecord> records = ReadAll(*store, "c");
    CheckCleaned(records, stats->cleaned_up_to.value, clock.now - delete_retention);
    CHECK(stats->cleaned_up_to == store->Offsets("c", PartitionId(0))->log_end);  // All clean.
    REQUIRE(!records.empty());
    CHECK(records.back().offset == model.appended.back().first);  // The last record stays.
    for (size_t i = 0; i + 1 < records.size(); ++i) CHECK(records[i].value.has_value());
    store.reset();
    store = OpenStore(dir.path(), clock);
    model.Check(*store);
  }
}

TEST_CASE("a compaction stopped mid-way leaves a consistent log and a re-run finishes it") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}, {"segment.bytes", "1024"}}).ok());
  Model model;
  for (int i = 0; i < 200; ++i) {
    std::vector<Op> ops{{"key" + std::to_string(i % 20), "value" + std::to_string(i)}};
    auto appended = store->Append("c", PartitionId(0), Batch(ops, clock.now));
    REQUIRE(appended.ok());
    model.Apply(ops[0], appended->base_offset.value, clock.now);
  }
  CompactionLimits stop_early;
  stop_early.chunk_bytes = 1024;
  stop_early.stop_after_chunks = 2;
  auto partial = store->Compact("c", PartitionId(0), clock.now, stop_early);
  REQUIRE(partial.ok());
  CHECK_FALSE(partial->finished);
  CHECK(partial->chunks_written == 2);
  CHECK(partial->records_removed > 0);
  model.Check(*store);
  const size_t partial_count = ReadAll(*store, "c").size();
  CHECK(partial_count < 200);

  store.reset();  // "Crash" and restart.
  store = OpenStore(dir.path(), clock);
  model.Check(*store);
  CHECK(ReadAll(*store, "c").size() == partial_count);

  auto rest = store->Compact("c", PartitionId(0), clock.now);
  REQUIRE(rest.ok());
  CHECK(rest->finished);
  model.Check(*store);
  const std::vector<StoredRecord> records = ReadAll(*store, "c");
  CheckCleaned(records, rest->cleaned_up_to.value, INT64_MIN);
  CHECK(records.size() == 20);  // One per key: the last batch is compacted too.
  CHECK(rest->cleaned_up_to == Offset(200));

  auto again = store->Compact("c", PartitionId(0), clock.now);
  REQUIRE(again.ok());
  CHECK(again->records_removed == 0);
  CHECK(again->bytes_written == 0);
  CHECK(ReadAll(*store, "c").size() == 20);

  std::atomic<bool> cancel{true};
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"key0", "x"}}, clock.now)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"key1", "y"}}, clock.now)).ok());
  CompactionLimits cancelled;
  cancelled.cancel = &cancel;
  auto none = store->Compact("c", PartitionId(0), clock.now, cancelled);
  REQUIRE(none.ok());
  CHECK_FALSE(none->finished);
  CHECK(none->records_removed == 0);
}

TEST_CASE("compaction never touches records younger than min.compaction.lag.ms") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"},
                                      {"min.compaction.lag.ms", "1000"}}).ok());
  const int64_t t0 = clock.now;
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"k", "v1"}}, t0)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"k", "v2"}}, t0 + 2000)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"k", "v3"}}, t0 + 2000)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"other", "x"}}, t0 + 2000)).ok());

  auto young = store->Compact("c", PartitionId(0), t0 + 2500);
  REQUIRE(young.ok());
  CHECK(young->cleaned_up_to == Offset(1));  // Only the first batch was old enough.
  CHECK(ReadAll(*store, "c").size() == 4);

  auto old = store->Compact("c", PartitionId(0), t0 + 3000);
  REQUIRE(old.ok());
  CHECK(old->cleaned_up_to == Offset(4));  // Up to the log end.
  auto records = ReadAll(*store, "c");
  REQUIRE(records.size() == 2);
  CHECK(records[0].offset == 2);
  CHECK(*records[0].value == "v3");
  CHECK(records[1].offset == 3);
}

TEST_CASE("a topic written in one batch compacts to one record per key, the latest") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}}).ok());
  constexpr int kRecords = 4000;
  constexpr int kKeys = 200;
  std::vector<Op> ops;
  for (int i = 0; i < kRecords; ++i) {
    ops.push_back({fmt::format("key{}", i % kKeys), fmt::format("value{}", i)});
  }
  REQUIRE(store->Append("c", PartitionId(0), Batch(ops, clock.now, Compression::kZstd)).ok());
  CHECK(*store->NeedsCompaction("c", PartitionId(0), clock.now));

  auto stats = store->Compact("c", PartitionId(0), clock.now);
  REQUIRE(stats.ok());
  CHECK(stats->finished);
  CHECK(stats->records_removed == kRecords - kKeys);
  CHECK(stats->cleaned_up_to == Offset(kRecords));
  auto check = [&](const LogStore& s) {
    const std::vector<StoredRecord> records = ReadAll(s, "c");
    REQUIRE(records.size() == kKeys);
    for (size_t i = 0; i < records.size(); ++i) {  // The last kKeys records, one per key.
      const int64_t offset = kRecords - kKeys + static_cast<int64_t>(i);
      CHECK(records[i].offset == offset);
      CHECK(*records[i].value == fmt::format("value{}", offset));
    }
    auto offsets = s.Offsets("c", PartitionId(0));
    CHECK(offsets->log_start == Offset(0));
    CHECK(offsets->log_end == Offset(kRecords));
    CheckSegments(s, "c");
  };
  check(*store);
  CHECK_FALSE(*store->NeedsCompaction("c", PartitionId(0), clock.now));
  auto again = store->Compact("c", PartitionId(0), clock.now);
  REQUIRE(again.ok());
  CHECK(again->bytes_written == 0);
  store.reset();
  store = OpenStore(dir.path(), clock);
  check(*store);
  auto next = store->Append("c", PartitionId(0), Batch({{"key0", "after"}}, clock.now));
  REQUIRE(next.ok());
  CHECK(next->base_offset == Offset(kRecords));
}

TEST_CASE("compaction keeps the log's last record; the log end survives a reopen and a kill -9") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"},
                                      {"delete.retention.ms", "100"}}).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"a", "1"}, {"b", "2"}}, clock.now)).ok());
  // The last batch deletes both keys. Once the tombstones expire, only the last one is left:
  // a consumer reaches the log end by receiving it.
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"a", std::nullopt}, {"b", std::nullopt}}, clock.now)).ok());
  clock.now += 1000;
  auto stats = store->Compact("c", PartitionId(0), clock.now);
  REQUIRE(stats.ok());
  CHECK(stats->tombstones_removed == 1);
  auto check = [](const LogStore& s) {
    const std::vector<StoredRecord> records = ReadAll(s, "c");
    REQUIRE(records.size() == 1);
    CHECK(records[0].offset == 3);
    CHECK(*records[0].key == "b");
    CHECK_FALSE(records[0].value.has_value());
    CHECK(s.Offsets("c", PartitionId(0))->log_end == Offset(4));
  };
  check(*store);

  TempDir killed;
  auto after_crash = testing::ReopenAndRecoverCopy(store, dir.path(), killed.path() + "/data", clock);
  for (LogStore* s : {store.get(), after_crash.get()}) {
    check(*s);
    auto appended = s->Append("c", PartitionId(0), Batch({{"a", "3"}}, clock.now));
    REQUIRE(appended.ok());
    CHECK(appended->base_offset == Offset(4));  // Offsets 0..3 are never given again.
  }
  // The next run may drop the old last tombstone: it is not the last record any more.
  clock.now += 1000;
  REQUIRE(store->Compact("c", PartitionId(0), clock.now).ok());
  const std::vector<StoredRecord> records = ReadAll(*store, "c");
  REQUIRE(records.size() == 1);
  CHECK(records[0].offset == 4);
}

TEST_CASE("the log end is recovered from the active segment when the last batches are gone") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}}).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"a", "1"}}, clock.now)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"b", "1"}, {"c", "1"}}, clock.now)).ok());
  store.reset();
  // As if compaction had removed the last batch (it never does: it keeps the last record).
  testing::ChangeDb(dir.path(), [](const ColumnFamilies& cfs) {
    constexpr uint32_t kTopicId = 1;  // The first topic's.
    CHECK(cfs.db->Delete(rocksdb::WriteOptions(), cfs.log, LogKey(kTopicId, 0, 2)).ok());
  });
  store = OpenStore(dir.path(), clock);
  CHECK(store->Offsets("c", PartitionId(0))->log_end == Offset(3));
  auto appended = store->Append("c", PartitionId(0), Batch({{"d", "1"}}, clock.now));
  REQUIRE(appended.ok());
  CHECK(appended->base_offset == Offset(3));
}

TEST_CASE("a stored batch whose bytes rot is read as stored and refused where it is decoded") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}}).ok());
  // A value RocksDB keeps in a blob file (>= 512 bytes), then one it keeps inline.
  const std::string big(600, 'v');
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"a", big}, {"a", big}}, clock.now)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"b", "1"}}, clock.now)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"b", "2"}}, clock.now)).ok());
  store.reset();
  // A byte of each batch's last value flips ('v' to 'V', '1' to 0x11: the records still
  // parse), behind RocksDB's back (its own checksums are not checked when the log is read:
  // the batch's CRC-32C is). A batch ends with its last record's value, then a header count.
  testing::ChangeDb(dir.path(), [](const ColumnFamilies& cfs) {
    std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(rocksdb::ReadOptions(), cfs.log));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string value = it->value().ToString();
      value[value.size() - 2] ^= 0x20;
      CHECK(cfs.db->Put(rocksdb::WriteOptions(), cfs.log, it->key(), value).ok());
    }
  });
  store = OpenStore(dir.path(), clock);
  // Fetch serves the bytes as stored; whoever decodes them finds the mismatch.
  for (int64_t offset : {0, 2}) {
    absl::StatusOr<ReadResult> read = store->Read("c", PartitionId(0), Offset(offset), 1);
    REQUIRE(read.ok());
    std::string scratch;
    std::vector<RecordView> records;
    const absl::Status decoded = DecodeRecords(read->records, &scratch, &records);
    CHECK(CodeOf(decoded) == ErrorCode::kCorruptMessage);
    CHECK(MessageOf(decoded).find(fmt::format("the batch at offset {} fails its CRC-32C check",
                                              offset)) != std::string_view::npos);
    CHECK(records.empty());
  }
  // Compaction stops at the first batch instead of resealing its records under a fresh CRC.
  clock.now += 1000;
  CHECK(CodeOf(store->Compact("c", PartitionId(0), clock.now).status()) ==
        ErrorCode::kCorruptMessage);
  absl::StatusOr<ReadResult> after = store->Read("c", PartitionId(0), Offset(0), 1 << 20);
  REQUIRE(after.ok());
  CHECK(SplitBatches(after->records)->size() == 3);  // Nothing was rewritten.
}

TEST_CASE("a reader at the log end gets the compacted last batch, not the copy in memory") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}}).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"a", "1"}}, clock.now)).ok());
  // A small last batch: served from memory until compaction rewrites it.
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"a", "2"}, {"b", "1"}, {"a", "3"}}, clock.now)).ok());
  auto before = store->Read("c", PartitionId(0), Offset(3), 1 << 20);
  REQUIRE(before.ok());
  CHECK(::brook::testing::ValuesOf(before->records) == std::vector<std::string>{"2", "1", "3"});

  REQUIRE(store->Compact("c", PartitionId(0), clock.now).ok());
  for (int64_t from = 1; from < 4; ++from) {
    CAPTURE(from);
    auto read = store->Read("c", PartitionId(0), Offset(from), 1 << 20);
    REQUIRE(read.ok());  // One batch, offsets 2..3: b's value and a's latest.
    CHECK(::brook::testing::ValuesOf(read->records) == std::vector<std::string>{"1", "3"});
  }
  // Appends go on being served from memory.
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"b", "2"}}, clock.now)).ok());
  auto last = store->Read("c", PartitionId(0), Offset(4), 1 << 20);
  REQUIRE(last.ok());
  CHECK(::brook::testing::ValuesOf(last->records) == std::vector<std::string>{"2"});
}

TEST_CASE("DeleteRecords on a compact,delete topic: into a compaction gap, and compacted after") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact,delete"},
                                      {"retention.ms", "-1"}}).ok());
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"a", "1"}, {"b", "1"}, {"a", "2"}, {"c", "1"}, {"a", "3"}}) {
    REQUIRE(store->Append("c", PartitionId(0), Batch({{key, value}}, clock.now)).ok());
  }
  REQUIRE(store->Compact("c", PartitionId(0), clock.now).ok());  // Offsets 0 and 2 go.
  auto offsets_of = [](const LogStore& s) {
    std::vector<int64_t> offsets;
    for (const StoredRecord& r : ReadAll(s, "c")) offsets.push_back(r.offset);
    return offsets;
  };
  REQUIRE(offsets_of(*store) == std::vector<int64_t>{1, 3, 4});

  // Offset 2 is in a gap: b's record at 1 goes, a read at 2 gets the batch at 3.
  absl::StatusOr<RetentionResult> deleted = store->DeleteRecords("c", PartitionId(0), Offset(2));
  REQUIRE(deleted.ok());
  CHECK(deleted->new_log_start == Offset(2));
  CHECK(offsets_of(*store) == std::vector<int64_t>{3, 4});
  auto read = store->Read("c", PartitionId(0), Offset(2), 1 << 20);
  REQUIRE(read.ok());
  CHECK(ParseBatchHeader(read->records)->base_offset == 3);

  // Compaction starts at the new log start: the deleted b never comes back, c's old value goes.
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"b", "2"}, {"c", "2"}}, clock.now)).ok());
  auto stats = store->Compact("c", PartitionId(0), clock.now);
  REQUIRE(stats.ok());
  CHECK(stats->cleaned_up_to == Offset(7));
  auto check = [&](const LogStore& s) {
    CHECK(s.Offsets("c", PartitionId(0))->log_start == Offset(2));
    CHECK(offsets_of(s) == std::vector<int64_t>{4, 5, 6});
    CHECK(Replay(ReadAll(s, "c")) ==
          std::map<std::string, std::string>{{"a", "3"}, {"b", "2"}, {"c", "2"}});
  };
  check(*store);
  store.reset();
  store = OpenStore(dir.path(), clock);
  check(*store);
}

TEST_CASE("version-1 to -3 data dirs open as before and are marked version 4; others are refused") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}}).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"a", "1"}, {"a", "2"}}, clock.now)).ok());
  store.reset();
  auto set_version = [&](uint32_t version) {
    testing::ChangeDb(dir.path(), [&](const ColumnFamilies& cfs) {
      CHECK(cfs.db->Put(rocksdb::WriteOptions(), cfs.meta, MetaVersionKey(), EncodeU32(version)).ok());
    });
  };
  auto version = [&] {
    std::string value;
    testing::ChangeDb(dir.path(), [&](const ColumnFamilies& cfs) {
      CHECK(cfs.db->Get(rocksdb::ReadOptions(), cfs.meta, MetaVersionKey(), &value).ok());
    });
    return DecodeU32(value);
  };
  CHECK(version() == 4);
  for (uint32_t old : {1u, 2u, 3u}) {
    set_version(old);
    store = OpenStore(dir.path(), clock);
    CHECK(store->Offsets("c", PartitionId(0))->log_end == Offset(2));
    CHECK(ReadAll(*store, "c").size() == 2);
    store.reset();
    CHECK(version() == 4);
  }
  for (uint32_t unknown : {0u, 5u}) {
    set_version(unknown);
    auto refused = LogStore::Open(StoreOptions{.data_dir = dir.path()});
    CHECK(refused.status().code() == absl::StatusCode::kDataLoss);
  }
}

TEST_CASE("NeedsCompaction follows the dirty ratio and the lag settings") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("d", 1, {}).ok());
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"},
                                      {"min.compaction.lag.ms", "100"},
                                      {"max.compaction.lag.ms", "10000"}}).ok());
  CHECK_FALSE(*store->NeedsCompaction("c", PartitionId(0), clock.now));  // Empty.
  for (int i = 0; i < 10; ++i) {
    REQUIRE(store->Append("c", PartitionId(0), Batch({{"k" + std::to_string(i % 2), "v"}}, clock.now)).ok());
    REQUIRE(store->Append("d", PartitionId(0), ::brook::testing::MakeBatch({"v"})).ok());
  }
  CHECK_FALSE(*store->NeedsCompaction("c", PartitionId(0), clock.now + 50));  // Too young.
  CHECK(*store->NeedsCompaction("c", PartitionId(0), clock.now + 100));       // All dirty.
  CHECK_FALSE(*store->NeedsCompaction("d", PartitionId(0), clock.now + 100));
  CHECK(CodeOf(store->Compact("d", PartitionId(0), clock.now).status()) == ErrorCode::kInvalidRequest);

  clock.now += 100;
  REQUIRE(store->Compact("c", PartitionId(0), clock.now).ok());
  CHECK_FALSE(*store->NeedsCompaction("c", PartitionId(0), clock.now));  // All clean.
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"k0", "w"}}, clock.now)).ok());
  REQUIRE(store->Append("c", PartitionId(0), Batch({{"k1", "w"}}, clock.now)).ok());
  // 2 dirty batches of 4: below ratio 1, until the oldest dirty one passes max lag.
  REQUIRE(store->AlterTopicConfig("c", {{"min.cleanable.dirty.ratio", "1"}}, {}).ok());
  CHECK_FALSE(*store->NeedsCompaction("c", PartitionId(0), clock.now + 200));
  CHECK(*store->NeedsCompaction("c", PartitionId(0), clock.now + 10000));
  REQUIRE(store->AlterTopicConfig("c", {{"min.cleanable.dirty.ratio", "0.1"}}, {}).ok());
  CHECK(*store->NeedsCompaction("c", PartitionId(0), clock.now + 200));
  // The checkpoint survives a restart.
  REQUIRE(store->Compact("c", PartitionId(0), clock.now + 200).ok());
  store.reset();
  store = OpenStore(dir.path(), clock);
  CHECK_FALSE(*store->NeedsCompaction("c", PartitionId(0), clock.now + 20000));
}

}  // namespace
}  // namespace brook::storage
