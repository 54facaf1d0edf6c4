#include "storage/log_store.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "protocol/error_codes.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using testing::MakeBatch;
using testing::TempDir;
using testing::ValuesOf;

std::unique_ptr<LogStore> OpenStore(const std::string& dir) {
  auto store = LogStore::Open(StoreOptions{.data_dir = dir});
  REQUIRE(store.ok());
  return *std::move(store);
}

TEST_CASE("offsets are contiguous from zero and reads return what was appended") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("orders", 2, {}).ok());
  auto first = store->Append("orders", PartitionId(0), MakeBatch({"a", "b", "c"}));
  REQUIRE(first.ok());
  CHECK(first->base_offset == Offset(0));
  auto second = store->Append("orders", PartitionId(0), MakeBatch({"d"}));
  REQUIRE(second.ok());
  CHECK(second->base_offset == Offset(3));
  CHECK(second->log_end == Offset(4));

  auto read = store->Read("orders", PartitionId(0), Offset(0), 1 << 20);
  REQUIRE(read.ok());
  CHECK(ValuesOf(read->records) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(read->log_end == Offset(4));
  auto other = store->Read("orders", PartitionId(1), Offset(0), 1 << 20);
  REQUIRE(other.ok());
  CHECK(other->records.empty());
}

TEST_CASE("a read from the middle of a batch starts at the batch holding the offset") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"a", "b", "c"})).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"d", "e"})).ok());
  auto read = store->Read("t", PartitionId(0), Offset(4), 1 << 20);
  REQUIRE(read.ok());
  CHECK(ValuesOf(read->records) == std::vector<std::string>{"d", "e"});
  auto header = ParseBatchHeader(read->records);
  REQUIRE(header.ok());
  CHECK(header->base_offset == 3);
}

TEST_CASE("max_bytes bounds a read but one batch is always returned") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  for (int i = 0; i < 5; ++i) {
    REQUIRE(store->Append("t", PartitionId(0), MakeBatch({std::string(100, 'x')})).ok());
  }
  auto one = store->Read("t", PartitionId(0), Offset(0), 10);
  REQUIRE(one.ok());
  CHECK(ValuesOf(one->records).size() == 1);
  auto none = store->Read("t", PartitionId(0), Offset(0), 10, /*min_one_batch=*/false);
  REQUIRE(none.ok());
  CHECK(none->records.empty());
  auto all = store->Read("t", PartitionId(0), Offset(0), 1 << 20);
  CHECK(ValuesOf(all->records).size() == 5);
}

TEST_CASE("batches are looked up by where they end; elsewhere, or outside the log, nothing") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"a", "b", "c"})).ok());  // 0-2
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"d"})).ok());            // 3
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"e", "f"})).ok());       // 4-5
  const int64_t ends[] = {5, 1, 2, -1, 3, 6, 99};
  auto lookup = store->ReadBatchesEndingAt("t", PartitionId(0), ends);
  REQUIRE(lookup.ok());
  const std::vector<std::string>& batches = lookup->batches;
  REQUIRE(batches.size() == 7);
  CHECK(ValuesOf(batches[0]) == std::vector<std::string>{"e", "f"});
  CHECK(batches[1].empty());  // Offset 1 is inside a batch, not where one ends.
  CHECK(ValuesOf(batches[2]) == std::vector<std::string>{"a", "b", "c"});
  CHECK(batches[3].empty());
  CHECK(ValuesOf(batches[4]) == std::vector<std::string>{"d"});
  CHECK(batches[5].empty());  // The log end.
  CHECK(batches[6].empty());
  CHECK(lookup->log_start == 0);
  // As Read returns them: the same bytes.
  auto read = store->Read("t", PartitionId(0), Offset(3), 1);
  REQUIRE(read.ok());
  CHECK(read->records == batches[4]);
  CHECK(CodeOf(store->ReadBatchesEndingAt("nope", PartitionId(0), ends).status()) ==
        ErrorCode::kUnknownTopicOrPartition);
  // DeleteRecords inside the first batch: the batch is still found, with the new log start,
  // below which its records are no longer the log's; a batch wholly below it is not.
  REQUIRE(store->DeleteRecords("t", PartitionId(0), Offset(1)).ok());
  auto cut = store->ReadBatchesEndingAt("t", PartitionId(0), std::vector<int64_t>{2});
  REQUIRE(cut.ok());
  CHECK(ValuesOf(cut->batches[0]) == std::vector<std::string>{"a", "b", "c"});
  CHECK(cut->log_start == 1);
  REQUIRE(store->DeleteRecords("t", PartitionId(0), Offset(4)).ok());
  auto gone = store->ReadBatchesEndingAt("t", PartitionId(0), std::vector<int64_t>{2, 3, 5});
  REQUIRE(gone.ok());
  CHECK(gone->batches[0].empty());
  CHECK(gone->batches[1].empty());
  CHECK(ValuesOf(gone->batches[2]) == std::vector<std::string>{"e", "f"});
}

TEST_CASE("reads outside the log are OFFSET_OUT_OF_RANGE; at the end they are empty") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"a"})).ok());
  auto at_end = store->Read("t", PartitionId(0), Offset(1), 1 << 20);
  REQUIRE(at_end.ok());
  CHECK(at_end->records.empty());
  CHECK(CodeOf(store->Read("t", PartitionId(0), Offset(2), 100).status()) ==
        ErrorCode::kOffsetOutOfRange);
  CHECK(CodeOf(store->Read("t", PartitionId(0), Offset(-1), 100).status()) ==
        ErrorCode::kOffsetOutOfRange);
}

TEST_CASE("a reader at the log end gets the last batch exactly as stored, small or large") {
  // A small last batch is served from memory, a large one from RocksDB; both must read the
  // same as the batch inside a longer read, which always comes from RocksDB.
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  const std::string large(PartitionLog::kMaxTailBatchBytes, 'x');
  const std::vector<std::vector<std::string>> appends = {
      {"a", "b", "c"}, {"d", "e"}, {large}, {"f"}, {large, "g"}, {"h", "i"}};
  std::string all;
  int64_t base = 0;
  for (const std::vector<std::string>& values : appends) {
    REQUIRE(store->Append("t", PartitionId(0), MakeBatch(values)).ok());
    const int64_t end = base + static_cast<int64_t>(values.size());
    for (int64_t from = base; from < end; ++from) {  // Any offset of the last batch.
      auto tail = store->Read("t", PartitionId(0), Offset(from), 1 << 20);
      REQUIRE(tail.ok());
      CHECK(ValuesOf(tail->records) == values);
      CHECK(tail->log_end == Offset(end));
      auto whole = store->Read("t", PartitionId(0), Offset(0), 16 << 20);
      REQUIRE(whole.ok());
      CHECK(whole->records == all + tail->records);
    }
    auto first = store->Read("t", PartitionId(0), Offset(0), 16 << 20);
    REQUIRE(first.ok());
    all = first->records;
    base = end;
  }
  // max_bytes still bounds a read at the end unless one batch must be returned.
  auto bounded = store->Read("t", PartitionId(0), Offset(base - 1), 1, /*min_one_batch=*/false);
  REQUIRE(bounded.ok());
  CHECK(bounded->records.empty());
}

TEST_CASE("unknown topics and partitions are reported by name") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 2, {}).ok());
  auto missing = store->Append("nope", PartitionId(0), MakeBatch({"a"}));
  CHECK(CodeOf(missing.status()) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(std::string(missing.status().message()).find("'nope'") != std::string::npos);
  auto bad_partition = store->Read("t", PartitionId(2), Offset(0), 100);
  CHECK(CodeOf(bad_partition.status()) == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE("topic creation validates name, partitions and config") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  CHECK(CodeOf(store->CreateTopic("bad name", 1, {})) == ErrorCode::kInvalidTopic);
  CHECK(CodeOf(store->CreateTopic("", 1, {})) == ErrorCode::kInvalidTopic);
  CHECK(CodeOf(store->CreateTopic("t", 0, {})) == ErrorCode::kInvalidPartitions);
  CHECK(CodeOf(store->CreateTopic("t", 1, {{"retention.ms", "soon"}})) ==
        ErrorCode::kInvalidConfig);
  CHECK(CodeOf(store->CreateTopic("t", 1, {{"no.such.key", "1"}})) == ErrorCode::kInvalidConfig);
  CHECK(CodeOf(store->CreateTopic("t", 1, {{"cleanup.policy", "sometimes"}})) ==
        ErrorCode::kInvalidConfig);
  CHECK(store->CreateTopic("t", 1, {}, /*validate_only=*/true).ok());
  CHECK(store->ListTopics().empty());
  REQUIRE(store->CreateTopic("t", 1, {{"retention.ms", "1000"}}).ok());
  CHECK(CodeOf(store->CreateTopic("t", 1, {})) == ErrorCode::kTopicAlreadyExists);
  auto info = store->DescribeTopic("t");
  REQUIRE(info.ok());
  CHECK(info->config.retention_ms == 1000);
  CHECK(info->overrides.at("retention.ms") == "1000");
}

TEST_CASE("corrupt, oversized and keyless-on-compacted batches are refused and append nothing") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {{"max.message.bytes", "200"}}).ok());
  REQUIRE(store->CreateTopic("c", 1, {{"cleanup.policy", "compact"}}).ok());
  std::string batch = MakeBatch({"hello"});
  batch.back() ^= 0x1;
  CHECK(CodeOf(store->Append("t", PartitionId(0), batch).status()) == ErrorCode::kCorruptMessage);
  CHECK(CodeOf(store->Append("t", PartitionId(0), MakeBatch({std::string(300, 'x')})).status()) ==
        ErrorCode::kMessageTooLarge);
  CHECK(CodeOf(store->Append("t", PartitionId(0), "").status()) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf(store->Append("c", PartitionId(0), MakeBatch({"v"}, 0, /*keyed=*/false)).status()) ==
        ErrorCode::kInvalidRecord);
  CHECK(store->Append("c", PartitionId(0), MakeBatch({"v"})).ok());
  CHECK(store->Offsets("t", PartitionId(0))->log_end == Offset(0));
}

TEST_CASE("everything survives a reopen: topics, configs, records and offsets") {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    REQUIRE(store->CreateTopic("t", 3, {{"retention.bytes", "12345"}}).ok());
    REQUIRE(store->Append("t", PartitionId(1), MakeBatch({"a", "b"})).ok());
    REQUIRE(store->Append("t", PartitionId(1), MakeBatch({"c"})).ok());
  }
  auto store = OpenStore(dir.path());
  auto info = store->DescribeTopic("t");
  REQUIRE(info.ok());
  CHECK(info->partitions.size() == 3);
  CHECK(info->config.retention_bytes == 12345);
  CHECK(info->partitions[1].log_end == Offset(3));
  auto next = store->Append("t", PartitionId(1), MakeBatch({"d"}));
  REQUIRE(next.ok());
  CHECK(next->base_offset == Offset(3));
  auto read = store->Read("t", PartitionId(1), Offset(0), 1 << 20);
  CHECK(ValuesOf(read->records) == std::vector<std::string>{"a", "b", "c", "d"});
}

TEST_CASE("an in-memory store appends, reads and syncs without a file, and is empty when reopened") {
  TempDir dir;
  const std::string unused = dir.path() + "/data";  // Not made: in memory, data_dir is unused.
  for (int open = 0; open < 2; ++open) {
    auto store = LogStore::Open(StoreOptions{.data_dir = unused, .in_memory = true});
    REQUIRE(store.ok());
    CHECK((*store)->ListTopics().empty());
    REQUIRE((*store)->CreateTopic("t", 1, {}).ok());
    REQUIRE((*store)->Append("t", PartitionId(0), MakeBatch({"a", "b"})).ok());
    std::promise<absl::Status> synced;
    (*store)->SyncWal([&synced](absl::Status s) { synced.set_value(s); });
    CHECK(synced.get_future().get().ok());
    auto read = (*store)->Read("t", PartitionId(0), Offset(0), 1 << 20);
    REQUIRE(read.ok());
    CHECK(ValuesOf(read->records) == std::vector<std::string>{"a", "b"});
  }
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("a deleted topic is gone, and a new topic of the same name starts empty") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"old"})).ok());
  REQUIRE(store->DeleteTopic("t").ok());
  CHECK(CodeOf(store->DeleteTopic("t")) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(store->ListTopics().empty());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  auto read = store->Read("t", PartitionId(0), Offset(0), 1 << 20);
  REQUIRE(read.ok());
  CHECK(read->records.empty());
  CHECK(read->log_end == Offset(0));
}

TEST_CASE("offset for timestamp finds the first record at or after T") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"a", "b", "c"}, 1000)).ok());  // 1000..1002
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"d", "e"}, 2000)).ok());       // 2000..2001
  auto at = [&](int64_t t) { return *store->OffsetForTimestamp("t", PartitionId(0), TimestampMs(t)); };
  CHECK(at(0).offset == Offset(0));
  CHECK(at(1001).offset == Offset(1));
  CHECK(at(1001).timestamp == TimestampMs(1001));
  CHECK(at(1003).offset == Offset(3));
  CHECK(at(2001).offset == Offset(4));
  CHECK(at(5000).offset == Offset(5));
  CHECK(at(5000).timestamp == TimestampMs(-1));
}

TEST_CASE("concurrent appends to one partition get distinct contiguous offsets") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"x", "y"})).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(store->Offsets("t", PartitionId(0))->log_end == Offset(kThreads * kPerThread * 2));
  auto read = store->Read("t", PartitionId(0), Offset(0), 64 << 20);
  auto batches = SplitBatches(read->records);
  REQUIRE(batches.ok());
  int64_t expected = 0;
  for (std::string_view batch : *batches) {
    CHECK(ParseBatchHeader(batch)->base_offset == expected);
    CHECK(ValidateBatch(batch).ok());
    expected += 2;
  }
  CHECK(expected == kThreads * kPerThread * 2);
}

TEST_CASE("SyncWal completes every request and shares fsyncs") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"a"})).ok());
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    store->SyncWal([&](absl::Status s) {
      CHECK(s.ok());
      done.fetch_add(1);
    });
  }
  for (int i = 0; i < 500 && done.load() < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(done.load() == 100);
}

TEST_CASE("a second store on the same data dir is refused with a clear error") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  auto second = LogStore::Open(StoreOptions{.data_dir = dir.path()});
  REQUIRE_FALSE(second.ok());
  CHECK(std::string(second.status().message()).find("another brook") != std::string::npos);
}

TEST_CASE("AlterTopicConfig validates, persists and applies at once") {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    REQUIRE(store->CreateTopic("t", 1, {{"retention.ms", "1000"}, {"segment.bytes", "2048"}}).ok());
    CHECK(CodeOf(store->AlterTopicConfig("nope", {{"retention.ms", "5"}}, {})) ==
          ErrorCode::kUnknownTopicOrPartition);
    CHECK(CodeOf(store->AlterTopicConfig("t", {{"retention.ms", "soon"}}, {})) ==
          ErrorCode::kInvalidConfig);
    CHECK(CodeOf(store->AlterTopicConfig("t", {{"no.such.key", "1"}}, {})) ==
          ErrorCode::kInvalidConfig);
    CHECK(CodeOf(store->AlterTopicConfig("t", {}, {"no.such.key"})) == ErrorCode::kInvalidConfig);
    CHECK(CodeOf(store->AlterTopicConfig("t", {{"retention.ms", "5"}}, {"retention.ms"})) ==
          ErrorCode::kInvalidConfig);
    CHECK(store->AlterTopicConfig("t", {{"retention.ms", "5"}}, {}, /*validate_only=*/true).ok());
    CHECK(store->DescribeTopic("t")->config.retention_ms == 1000);

    REQUIRE(store->AlterTopicConfig("t", {{"cleanup.policy", "compact"}, {"retention.ms", "5"}},
                                    {"segment.bytes"}).ok());
    auto info = store->DescribeTopic("t");
    CHECK(info->config.retention_ms == 5);
    CHECK(info->config.segment_bytes == TopicConfig{}.segment_bytes);
    CHECK(info->overrides == ConfigOverrides{{"cleanup.policy", "compact"}, {"retention.ms", "5"}});
    // Effective immediately: the topic is compacted now, keyless records are refused.
    CHECK(CodeOf(store->Append("t", PartitionId(0), MakeBatch({"v"}, 0, /*keyed=*/false)).status()) ==
          ErrorCode::kInvalidRecord);
    CHECK(store->Append("t", PartitionId(0), MakeBatch({"v"})).ok());
  }
  auto store = OpenStore(dir.path());
  auto info = store->DescribeTopic("t");
  REQUIRE(info.ok());
  CHECK(info->config.cleanup_policy == CleanupPolicy::kCompact);
  CHECK(info->config.retention_ms == 5);
  CHECK(info->overrides.size() == 2);
  CHECK(info->partitions[0].log_end == Offset(1));
}

TEST_CASE("a read racing with retention returns the batch holding the offset or out of range") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 1, {{"segment.bytes", "1024"}, {"retention.bytes", "0"}}).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 400; ++i) {
      REQUIRE(store->Append("t", PartitionId(0), MakeBatch({std::string(300, 'x'), "y"})).ok());
      if (i % 8 == 0) REQUIRE(store->EnforceRetention(0).ok());
    }
    stop = true;
  });
  int served = 0;
  while (!stop) {
    const Offset from = store->Offsets("t", PartitionId(0))->log_start;
    auto read = store->Read("t", PartitionId(0), from, 1 << 20);
    if (!read.ok()) {
      CHECK(CodeOf(read.status()) == ErrorCode::kOffsetOutOfRange);
      continue;
    }
    if (read->records.empty()) continue;
    auto header = ParseBatchHeader(read->records);
    REQUIRE(header.ok());
    CHECK(header->base_offset <= from.value);
    CHECK(header->last_offset() >= from.value);
    ++served;
  }
  writer.join();
  CHECK(served > 0);
}

}  // namespace
}  // namespace brook::storage
