// LogStore's dead-letter appends: the copy, the group's commit, the mark and the counter land
// in one write, once; replays happen once; deleting a topic forgets its marks and counters.
#include <doctest/doctest.h>

#include "protocol/error_codes.h"
#include "storage/log_store.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using testing::FakeClock;
using testing::OpenStore;

DeadLetterEntry EntryFor(int64_t offset, const std::string& group = "billing") {
  TopicPartition source{"orders", PartitionId(1)};
  return DeadLetterEntry{group, source, Offset(offset),
                         CommittedOffset{source, Offset(offset + 1), "", 5}};
}

struct DlqFixture {
  brook::testing::TempDir dir;
  FakeClock clock;
  std::unique_ptr<LogStore> store = OpenStore(dir.path(), clock);
  DlqFixture() {
    REQUIRE(store->CreateTopic("orders", 2, {}).ok());
    REQUIRE(store->CreateTopic("orders.dlq", 2, {}).ok());
    REQUIRE(store->Append("orders", PartitionId(1), brook::testing::MakeBatch({"a", "b", "c"})).ok());
  }
  absl::StatusOr<MarkedAppend> AppendDeadLetter(const std::string& dlq_topic, int32_t partition,
                                                const std::string& value,
                                                const DeadLetterEntry& entry) {
    return store->AppendDeadLetter(entry, [&]() -> absl::StatusOr<LogStore::DeadLetterCopy> {
      ++copies_made;
      return LogStore::DeadLetterCopy{dlq_topic, PartitionId(partition),
                                      brook::testing::MakeBatch({value})};
    });
  }
  int copies_made = 0;
  int64_t Committed(const std::string& group = "billing") {
    auto commit = store->offsets().Fetch(group, {"orders", PartitionId(1)});
    REQUIRE(commit.ok());
    return commit->has_value() ? (*commit)->offset.value : -1;
  }
};

TEST_CASE("a dead letter appends the copy and commits past the record, once") {
  DlqFixture f;
  auto first = f.AppendDeadLetter("orders.dlq", 0, "copy-of-b", EntryFor(1));
  REQUIRE(first.ok());
  CHECK_FALSE(first->duplicate);
  CHECK(first->location.partition == TopicPartition{"orders.dlq", PartitionId(0)});
  CHECK(first->location.offset == Offset(0));
  CHECK(f.Committed() == 2);

  // The same request again (a retry after a timeout): nothing new, the same location.
  auto again = f.AppendDeadLetter("orders.dlq", 0, "copy-of-b", EntryFor(1));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->location.offset == Offset(0));
  CHECK(f.copies_made == 1);  // The copy is not even built again.
  CHECK(f.store->Offsets("orders.dlq", PartitionId(0))->log_end == Offset(1));

  auto found = f.store->FindDeadLetter({"orders", PartitionId(1)}, Offset(1), "billing");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->offset == Offset(0));
  // Another group's copy of the same record is its own.
  CHECK_FALSE(f.store->FindDeadLetter({"orders", PartitionId(1)}, Offset(1), "audit")->has_value());

  auto counters = f.store->DeadLetterCounters(std::nullopt);
  REQUIRE(counters.ok());
  REQUIRE(counters->size() == 1);
  CHECK((*counters)[0].topic == "orders");
  CHECK((*counters)[0].group == "billing");
  CHECK((*counters)[0].dead_lettered == 1);
  CHECK((*counters)[0].replayed == 0);
}

TEST_CASE("a repeated dead letter restores a commit that fell behind, and never moves it back") {
  DlqFixture f;
  REQUIRE(f.AppendDeadLetter("orders.dlq", 0, "x", EntryFor(1)).ok());
  TopicPartition tp{"orders", PartitionId(1)};
  CommittedOffset back{tp, Offset(0), "", 6};
  REQUIRE(f.store->offsets().Commit("billing", {&back, 1}).ok());
  REQUIRE(f.AppendDeadLetter("orders.dlq", 0, "x", EntryFor(1)).ok());
  CHECK(f.Committed() == 2);
  CommittedOffset ahead{tp, Offset(3), "", 7};
  REQUIRE(f.store->offsets().Commit("billing", {&ahead, 1}).ok());
  REQUIRE(f.AppendDeadLetter("orders.dlq", 0, "x", EntryFor(1)).ok());
  CHECK(f.Committed() == 3);
}

TEST_CASE("a failed dead letter writes nothing: no copy, no commit, no mark") {
  DlqFixture f;
  DeadLetterEntry bad = EntryFor(1);
  bad.commit.metadata = std::string(kMaxCommitMetadataBytes + 1, 'm');
  auto result = f.AppendDeadLetter("orders.dlq", 0, "x", bad);
  CHECK_FALSE(result.ok());
  CHECK(f.store->Offsets("orders.dlq", PartitionId(0))->log_end == Offset(0));
  CHECK(f.Committed() == -1);
  CHECK_FALSE(f.store->FindDeadLetter({"orders", PartitionId(1)}, Offset(1), "billing")->has_value());
  CHECK(f.store->DeadLetterCounters("orders")->empty());

  CHECK(CodeOf(f.AppendDeadLetter("nope.dlq", 0, "x", EntryFor(1))
                   .status()) == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE("a record is replayed once, however many groups dead-lettered it") {
  DlqFixture f;
  REQUIRE(f.AppendDeadLetter("orders.dlq", 0, "x", EntryFor(1)).ok());
  REQUIRE(f.AppendDeadLetter("orders.dlq", 0, "x", EntryFor(1, "audit")).ok());
  TopicPartition to{"orders", PartitionId(1)};
  ReplayEntry entry{{"orders", PartitionId(1)}, Offset(1), "billing"};
  auto replayed = f.store->AppendReplay(to, brook::testing::MakeBatch({"x"}), entry);
  REQUIRE(replayed.ok());
  CHECK_FALSE(replayed->duplicate);
  CHECK(replayed->location.offset == Offset(3));
  // The audit group's copy of the same record: already replayed.
  auto again = f.store->AppendReplay(to, brook::testing::MakeBatch({"x"}),
                                     {{"orders", PartitionId(1)}, Offset(1), "audit"});
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->location.offset == Offset(3));
  CHECK(f.store->Offsets("orders", PartitionId(1))->log_end == Offset(4));
  auto counters = f.store->DeadLetterCounters("orders");
  REQUIRE(counters->size() == 2);
  CHECK((*counters)[0].group == "audit");  // Sorted by name.
  CHECK((*counters)[0].replayed == 0);
  CHECK((*counters)[1].group == "billing");
  CHECK((*counters)[1].dead_lettered == 1);
  CHECK((*counters)[1].replayed == 1);
}

TEST_CASE("a record that fails again after its replay, or whose copy is gone, is copied again") {
  DlqFixture f;
  REQUIRE(f.AppendDeadLetter("orders.dlq", 0, "first", EntryFor(1)).ok());
  REQUIRE(f.store->AppendReplay({"orders", PartitionId(1)}, brook::testing::MakeBatch({"x"}),
                                {{"orders", PartitionId(1)}, Offset(1), "billing"})
              .ok());
  // The group reprocesses (say after reset-offsets) and the record fails again.
  auto second = f.AppendDeadLetter("orders.dlq", 0, "second", EntryFor(1));
  REQUIRE(second.ok());
  CHECK_FALSE(second->duplicate);
  CHECK(second->location.offset == Offset(1));
  // ...and can be replayed again.
  CHECK_FALSE(f.store->FindReplay({"orders", PartitionId(1)}, Offset(1))->has_value());

  REQUIRE(f.store->DeleteTopic("orders.dlq").ok());
  REQUIRE(f.store->CreateTopic("orders.dlq", 2, {}).ok());
  auto third = f.AppendDeadLetter("orders.dlq", 0, "third", EntryFor(1));
  REQUIRE(third.ok());
  CHECK_FALSE(third->duplicate);
  CHECK(f.copies_made == 3);
}

TEST_CASE("a dead letter never moves the group's commit back") {
  DlqFixture f;
  TopicPartition tp{"orders", PartitionId(1)};
  CommittedOffset ahead{tp, Offset(3), "", 6};
  REQUIRE(f.store->offsets().Commit("billing", {&ahead, 1}).ok());
  REQUIRE(f.AppendDeadLetter("orders.dlq", 0, "x", EntryFor(0)).ok());
  CHECK(f.Committed() == 3);
}

TEST_CASE("marks and counters survive a reopen; deleting a topic forgets them") {
  DlqFixture f;
  REQUIRE(f.AppendDeadLetter("orders.dlq", 1, "x", EntryFor(2)).ok());
  REQUIRE(f.store->AppendReplay({"orders", PartitionId(1)}, brook::testing::MakeBatch({"x"}),
                                {{"orders", PartitionId(1)}, Offset(2), "billing"})
              .ok());
  f.store.reset();
  f.store = OpenStore(f.dir.path(), f.clock);
  CHECK(f.store->FindDeadLetter({"orders", PartitionId(1)}, Offset(2), "billing")->has_value());
  CHECK(f.store->FindReplay({"orders", PartitionId(1)}, Offset(2))->has_value());
  CHECK(f.store->DeadLetterCounters("orders")->size() == 1);

  REQUIRE(f.store->DeleteTopic("orders").ok());
  REQUIRE(f.store->DeleteTopic("orders.dlq").ok());
  REQUIRE(f.store->CreateTopic("orders", 2, {}).ok());
  REQUIRE(f.store->CreateTopic("orders.dlq", 2, {}).ok());
  CHECK_FALSE(f.store->FindDeadLetter({"orders", PartitionId(1)}, Offset(2), "billing")->has_value());
  CHECK_FALSE(f.store->FindReplay({"orders", PartitionId(1)}, Offset(2))->has_value());
  CHECK(f.store->DeadLetterCounters(std::nullopt)->empty());
}

}  // namespace
}  // namespace brook::storage
