// Idempotent producers through LogStore: producer ids, duplicates answered with their original
// offsets, sequence and epoch errors, the state's persistence (reopen, kill -9), expiry,
// compaction, record deletion and topic deletion. The rules themselves: producer_state_test.cc.
#include <doctest/doctest.h>

#include <set>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "storage/batch_rewrite.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using ::brook::testing::TempDir;
using ::brook::testing::ValuesOf;
using testing::CopyAsIfKilled;
using testing::FakeClock;
using testing::OpenStore;
using testing::ReadAll;

constexpr int64_t kDay = 86'400'000;

// A batch of `count` records "<tag>-<i>" keyed "k<i>", from producer `id` at `epoch`, whose
// first record has sequence `sequence`.
std::string IdempotentBatch(int64_t id, int16_t epoch, int32_t sequence, int count = 2,
                            const std::string& tag = "v") {
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) values.push_back(fmt::format("{}-{}", tag, i));
  std::string batch = ::brook::testing::MakeBatch(values);
  StampProducer(batch, {ProducerId(id), ProducerEpoch(epoch), sequence});
  return batch;
}

ErrorCode AppendCode(LogStore& store, const std::string& batch) {
  return CodeOf(store.Append("t", PartitionId(0), batch).status());
}

int64_t LogEnd(const LogStore& store) { return store.Offsets("t", PartitionId(0))->log_end.value; }

// A store in a fresh directory, with topic "t" of one partition.
struct TopicT {
  TopicT() { REQUIRE(store->CreateTopic("t", 1, {}).ok()); }
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<LogStore> store = OpenStore(dir.path(), clock);
};

TEST_CASE("producer ids are new on every call, across reopens and a kill -9") {
  TempDir dir;
  FakeClock clock;
  std::set<int64_t> seen;
  auto take = [&](LogStore& store, int n) {
    for (int i = 0; i < n; ++i) {
      auto id = store.InitProducerId();
      REQUIRE(id.ok());
      CHECK(id->epoch == ProducerEpoch(0));
      CHECK(id->producer_id.value >= 0);
      CHECK_MESSAGE(seen.insert(id->producer_id.value).second, "id given twice: ", id->producer_id.value);
    }
  };
  auto store = OpenStore(dir.path(), clock);
  take(*store, 3);
  store.reset();
  store = OpenStore(dir.path(), clock);
  take(*store, 1500);  // More than a reserved block.
  TempDir killed;
  CopyAsIfKilled(dir.path(), killed.path() + "/data");
  take(*store, 2);
  auto after_crash = OpenStore(killed.path() + "/data", clock);
  take(*after_crash, 3);
  CHECK(*seen.rbegin() > 1500);
}

TEST_CASE_FIXTURE(TopicT, "a retry of each of the last five batches returns its original offsets") {
  std::vector<int64_t> bases;
  for (int b = 0; b < 7; ++b) {
    auto appended = store->Append("t", PartitionId(0), IdempotentBatch(5, 0, 2 * b, 2, fmt::format("b{}", b)));
    REQUIRE(appended.ok());
    CHECK_FALSE(appended->duplicate);
    bases.push_back(appended->base_offset.value);
  }
  CHECK(LogEnd(*store) == 14);
  for (int b = 2; b < 7; ++b) {
    CAPTURE(b);
    auto retry = store->Append("t", PartitionId(0), IdempotentBatch(5, 0, 2 * b, 2, fmt::format("b{}", b)));
    REQUIRE(retry.ok());
    CHECK(retry->duplicate);
    CHECK(retry->base_offset.value == bases[static_cast<size_t>(b)]);
    CHECK(retry->log_end == Offset(14));
  }
  CHECK(LogEnd(*store) == 14);  // Nothing appended.
  // The sixth-newest is no longer known: Kafka answers OUT_OF_ORDER_SEQUENCE_NUMBER.
  CHECK(AppendCode(*store, IdempotentBatch(5, 0, 2)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(AppendCode(*store, IdempotentBatch(5, 0, 0)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(LogEnd(*store) == 14);
  CHECK(ReadAll(*store, "t").size() == 14);
  // Another producer is independent.
  CHECK(AppendCode(*store, IdempotentBatch(6, 0, 2)) == ErrorCode::kNone);
  CHECK(LogEnd(*store) == 16);
}

TEST_CASE_FIXTURE(TopicT, "gaps are out of order, older epochs are fenced, a new epoch starts at 0") {
  // Unknown producer: any first sequence (KIP-360).
  CHECK(AppendCode(*store, IdempotentBatch(9, 1, 40)) == ErrorCode::kNone);  // 40..41.
  CHECK(AppendCode(*store, IdempotentBatch(9, 1, 43)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(AppendCode(*store, IdempotentBatch(9, 1, 41)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(AppendCode(*store, IdempotentBatch(9, 1, 42)) == ErrorCode::kNone);
  CHECK(AppendCode(*store, IdempotentBatch(9, 0, 44)) == ErrorCode::kInvalidProducerEpoch);
  CHECK(AppendCode(*store, IdempotentBatch(9, 2, 44)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(AppendCode(*store, IdempotentBatch(9, 2, 0)) == ErrorCode::kNone);
  CHECK(AppendCode(*store, IdempotentBatch(9, 1, 44)) == ErrorCode::kInvalidProducerEpoch);
  CHECK(AppendCode(*store, IdempotentBatch(9, 2, 2)) == ErrorCode::kNone);
  CHECK(AppendCode(*store, IdempotentBatch(9, 2, -1)) == ErrorCode::kInvalidRecord);
  CHECK(LogEnd(*store) == 8);  // Four batches of two.
  // A batch without a producer id is appended as always.
  CHECK(AppendCode(*store, ::brook::testing::MakeBatch({"plain"})) == ErrorCode::kNone);
  CHECK(AppendCode(*store, ::brook::testing::MakeBatch({"plain"})) == ErrorCode::kNone);
  CHECK(LogEnd(*store) == 10);
}

TEST_CASE_FIXTURE(TopicT, "sequences wrap from INT32_MAX to 0") {
  CHECK(AppendCode(*store, IdempotentBatch(3, 0, INT32_MAX - 2, 2)) == ErrorCode::kNone);
  auto wrapping = store->Append("t", PartitionId(0), IdempotentBatch(3, 0, INT32_MAX, 3));  // MAX, 0, 1.
  REQUIRE(wrapping.ok());
  CHECK(AppendCode(*store, IdempotentBatch(3, 0, 3)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(AppendCode(*store, IdempotentBatch(3, 0, 2)) == ErrorCode::kNone);
  auto retry = store->Append("t", PartitionId(0), IdempotentBatch(3, 0, INT32_MAX, 3));
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->base_offset == wrapping->base_offset);
}

TEST_CASE_FIXTURE(TopicT, "a record set mixing a retried batch with a new one is refused whole") {
  const std::string first = IdempotentBatch(4, 0, 0);
  const std::string second = IdempotentBatch(4, 0, 2);
  REQUIRE(store->Append("t", PartitionId(0), first + second).ok());
  auto both = store->Append("t", PartitionId(0), first + second);
  REQUIRE(both.ok());
  CHECK(both->duplicate);
  CHECK(both->base_offset == Offset(0));
  CHECK(AppendCode(*store, second + IdempotentBatch(4, 0, 4)) == ErrorCode::kDuplicateSequenceNumber);
  CHECK(LogEnd(*store) == 4);
  CHECK(AppendCode(*store, IdempotentBatch(4, 0, 4) + IdempotentBatch(4, 0, 6)) == ErrorCode::kNone);
  CHECK(LogEnd(*store) == 8);
}

// Appends five batches of producer 8, then checks what a store opened on the same data knows.
void CheckStateKept(LogStore& store, const std::vector<AppendResult>& appended) {
  for (size_t b = 0; b < appended.size(); ++b) {
    auto retry = store.Append("t", PartitionId(0), IdempotentBatch(8, 0, static_cast<int32_t>(2 * b)));
    REQUIRE(retry.ok());
    CHECK(retry->duplicate);
    CHECK(retry->base_offset == appended[b].base_offset);
  }
  CHECK(AppendCode(store, IdempotentBatch(8, 0, 11)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(AppendCode(store, IdempotentBatch(8, 0, 10)) == ErrorCode::kNone);
}

TEST_CASE("producer state survives a reopen and a kill -9, exactly with the data") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("t", 2, {}).ok());
  std::vector<AppendResult> appended;
  for (int b = 0; b < 5; ++b) {
    auto result = store->Append("t", PartitionId(0), IdempotentBatch(8, 0, 2 * b));
    REQUIRE(result.ok());
    appended.push_back(*result);
  }
  REQUIRE(store->Append("t", PartitionId(1), IdempotentBatch(8, 0, 100)).ok());
  TempDir killed;
  auto after_crash = testing::ReopenAndRecoverCopy(store, dir.path(), killed.path() + "/data", clock);
  for (LogStore* s : {store.get(), after_crash.get()}) {
    CheckStateKept(*s, appended);
    auto producers = s->Producers("t", PartitionId(1));
    REQUIRE(producers.ok());
    REQUIRE(producers->size() == 1);
    CHECK(producers->at(ProducerId(8)).batches.back().first_sequence == 100);
  }
}

TEST_CASE("a producer's state expires after producer.id.expiration.ms without an append") {
  TempDir dir;
  FakeClock clock;
  auto opened = LogStore::Open(StoreOptions{.data_dir = dir.path(), .clock = clock.fn()});
  REQUIRE(opened.ok());
  auto& store = *opened;
  CHECK(store->options().producer_id_expiration_ms == kDay);
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(1, 0, 0)).ok());
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(2, 0, 0)).ok());
  clock.now += kDay - 1;
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(2, 0, 2)).ok());  // 2 stays active.
  CHECK(*store->ExpireProducers(clock.now) == 0);
  CHECK(store->Append("t", PartitionId(0), IdempotentBatch(1, 0, 0))->duplicate);
  clock.now += 1;
  // Producer 1 expired: its retry is a new batch (an unknown producer starts anywhere).
  auto retried = store->Append("t", PartitionId(0), IdempotentBatch(1, 0, 0));
  REQUIRE(retried.ok());
  CHECK_FALSE(retried->duplicate);
  clock.now += kDay;
  CHECK(*store->ExpireProducers(clock.now) == 2);
  CHECK(store->Producers("t", PartitionId(0))->empty());
  store.reset();
  store = OpenStore(dir.path(), clock);
  CHECK(store->Producers("t", PartitionId(0))->empty());  // Removed from disk too.
  CHECK(AppendCode(*store, IdempotentBatch(2, 0, 77)) == ErrorCode::kNone);
}

TEST_CASE("compaction keeps the last record of each producer's newest batch") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("t", 1, {{"cleanup.policy", "compact"}}).ok());
  // Producer 5's newest batch holds k0 and k1; later plain batches overwrite both keys.
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(5, 2, 0, 2, "old")).ok());
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(5, 2, 2, 2, "p5")).ok());  // 2..3.
  REQUIRE(store->Append("t", PartitionId(0), ::brook::testing::MakeBatch({"new0", "new1"})).ok());
  auto stats = store->Compact("t", PartitionId(0), clock.now);
  REQUIRE(stats.ok());
  const std::vector<testing::StoredRecord> records = ReadAll(*store, "t");
  REQUIRE(records.size() == 3);
  CHECK(records[0].offset == 3);  // p5-1: superseded, but ends the producer's newest batch.
  CHECK(*records[0].value == "p5-1");
  CHECK(records[1].offset == 4);
  CHECK(records[2].offset == 5);
  // The kept run is still the producer's: its id, epoch and sequence.
  auto read = store->Read("t", PartitionId(0), Offset(3), 1 << 20);
  REQUIRE(read.ok());
  auto header = ParseBatchHeader(read->records);
  REQUIRE(header.ok());
  CHECK(header->base_offset == 3);
  CHECK(header->producer_id == 5);
  CHECK(header->producer_epoch == 2);
  CHECK(header->base_sequence == 3);
  // A retry is still recognised; once the producer moves on, the record can go.
  CHECK(store->Append("t", PartitionId(0), IdempotentBatch(5, 2, 2, 2, "p5"))->duplicate);
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(5, 2, 4, 1, "later")).ok());  // k0.
  REQUIRE(store->Append("t", PartitionId(0), ::brook::testing::MakeBatch({"newer0", "newer1"})).ok());
  REQUIRE(store->Compact("t", PartitionId(0), clock.now).ok());
  std::vector<std::string> values;
  for (const auto& r : ReadAll(*store, "t")) values.push_back(*r.value);
  CHECK(values == std::vector<std::string>{"later-0", "newer0", "newer1"});
}

TEST_CASE_FIXTURE(TopicT, "deleting records keeps the producers' state: sequences go on") {
  std::vector<AppendResult> appended;
  for (int b = 0; b < 3; ++b) {
    auto result = store->Append("t", PartitionId(0), IdempotentBatch(7, 0, 2 * b));
    REQUIRE(result.ok());
    appended.push_back(*result);
  }
  REQUIRE(store->DeleteRecords("t", PartitionId(0), kHighWatermark).ok());
  auto check = [&](LogStore& s) {
    // A retry of a deleted batch still gets its original offsets, and appends nothing.
    auto retry = s.Append("t", PartitionId(0), IdempotentBatch(7, 0, 4));
    REQUIRE(retry.ok());
    CHECK(retry->duplicate);
    CHECK(retry->base_offset == appended[2].base_offset);
    CHECK(LogEnd(s) == 6);
    // The producer goes on with its next sequence, not UNKNOWN_PRODUCER_ID or out of order.
    CHECK(AppendCode(s, IdempotentBatch(7, 0, 7)) == ErrorCode::kOutOfOrderSequenceNumber);
    auto next = s.Append("t", PartitionId(0), IdempotentBatch(7, 0, 6));
    REQUIRE(next.ok());
    CHECK(next->base_offset == Offset(6));
    CHECK(s.Producers("t", PartitionId(0))->at(ProducerId(7)).batches.size() == 4);
  };
  check(*store);
  store.reset();
  store = OpenStore(dir.path(), clock);
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(7, 0, 8)).ok());
  CHECK(LogEnd(*store) == 10);
  CHECK(store->Offsets("t", PartitionId(0))->log_start == Offset(6));
}

TEST_CASE_FIXTURE(TopicT, "deleting a topic forgets its producers") {
  REQUIRE(store->Append("t", PartitionId(0), IdempotentBatch(1, 0, 0)).ok());
  REQUIRE(store->DeleteTopic("t").ok());
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  auto again = store->Append("t", PartitionId(0), IdempotentBatch(1, 0, 0));
  REQUIRE(again.ok());
  CHECK_FALSE(again->duplicate);
  store.reset();
  int found = 0;
  testing::ChangeDb(dir.path(), [&](const ColumnFamilies& cfs) {
    std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(rocksdb::ReadOptions(), cfs.meta));
    for (it->Seek("Q"); it->Valid() && it->key().starts_with("Q"); it->Next()) ++found;
  });
  CHECK(found == 1);  // The new topic's only.
}

}  // namespace
}  // namespace brook::storage
