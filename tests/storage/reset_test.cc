// LogStore::Reset: every topic, committed offset, dead-letter mark and counter and producer
// state goes in one write, durably; ids are not reused; the store works on as new.
#include <doctest/doctest.h>

#include "protocol/error_codes.h"
#include "protocol/record_batch.h"
#include "storage/log_store.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using testing::FakeClock;
using testing::OpenStore;

// A store with two topics holding records, a group's commits, a dead letter with its mark and
// counter, and an idempotent producer's state.
struct FilledStore {
  brook::testing::TempDir dir;
  FakeClock clock;
  std::unique_ptr<LogStore> store = OpenStore(dir.path(), clock);
  uint32_t orders_id = 0;

  FilledStore() {
    REQUIRE(store->CreateTopic("orders", 2, {}).ok());
    REQUIRE(store->CreateTopic("orders.dlq", 1, {}).ok());
    orders_id = store->DescribeTopic("orders")->topic_id;
    REQUIRE(store->Append("orders", PartitionId(0), brook::testing::MakeBatch({"a", "b"})).ok());
    std::string idempotent = brook::testing::MakeBatch({"c"});
    StampProducer(idempotent, {ProducerId(7), ProducerEpoch(0), 0});
    REQUIRE(store->Append("orders", PartitionId(1), idempotent).ok());
    const TopicPartition source{"orders", PartitionId(0)};
    REQUIRE(store->offsets().Commit("billing", {{CommittedOffset{source, Offset(1), "", 5}}}).ok());
    DeadLetterEntry entry{"audit", source, Offset(0), CommittedOffset{source, Offset(1), "", 5}};
    REQUIRE(store
                ->AppendDeadLetter(entry,
                                   [] {
                                     return absl::StatusOr<LogStore::DeadLetterCopy>(
                                         LogStore::DeadLetterCopy{
                                             "orders.dlq", PartitionId(0),
                                             brook::testing::MakeBatch({"copy"})});
                                   })
                .ok());
  }
};

void CheckEmpty(LogStore& store) {
  CHECK(store.ListTopics().empty());
  CHECK(CodeOf(store.Read("orders", PartitionId(0), Offset(0), 1 << 20).status()) ==
        ErrorCode::kUnknownTopicOrPartition);
  auto groups = store.offsets().Groups();
  REQUIRE(groups.ok());
  CHECK(groups->empty());
  auto counters = store.DeadLetterCounters(std::nullopt);
  REQUIRE(counters.ok());
  CHECK(counters->empty());
}

TEST_CASE("Reset removes topics, commits, dead-letter marks and counters, and reports them") {
  FilledStore f;
  auto reset = f.store->Reset();
  REQUIRE(reset.ok());
  CHECK(reset->topics == 2);
  CHECK(reset->groups == std::vector<std::string>{"audit", "billing"});
  CheckEmpty(*f.store);
  CHECK(CodeOf(f.store->Append("orders", PartitionId(0), brook::testing::MakeBatch({"x"}))
                   .status()) == ErrorCode::kUnknownTopicOrPartition);

  // A store with nothing in it resets too.
  auto again = f.store->Reset();
  REQUIRE(again.ok());
  CHECK(again->topics == 0);
  CHECK(again->groups.empty());
}

TEST_CASE("after Reset a topic of the same name is new: empty, a fresh id, no producer state") {
  FilledStore f;
  REQUIRE(f.store->Reset().ok());
  REQUIRE(f.store->CreateTopic("orders", 2, {}).ok());
  auto info = f.store->DescribeTopic("orders");
  REQUIRE(info.ok());
  CHECK(info->topic_id > f.orders_id);  // Kafka topic ids are never seen twice.
  CHECK(info->partitions[0].log_end == Offset(0));
  CHECK(info->partitions[1].log_end == Offset(0));
  auto producers = f.store->Producers("orders", PartitionId(1));
  REQUIRE(producers.ok());
  CHECK(producers->empty());
  // The dead letter's mark is gone: the group may dead-letter the record again.
  REQUIRE(f.store->Append("orders", PartitionId(0), brook::testing::MakeBatch({"a"})).ok());
  auto mark = f.store->FindDeadLetter({"orders", PartitionId(0)}, Offset(0), "audit");
  REQUIRE(mark.ok());
  CHECK_FALSE(mark->has_value());
  auto appended = f.store->Append("orders", PartitionId(0), brook::testing::MakeBatch({"b"}));
  REQUIRE(appended.ok());
  CHECK(appended->base_offset == Offset(1));
  // Producer ids are not reused either.
  auto id = f.store->InitProducerId();
  REQUIRE(id.ok());
  auto next = f.store->InitProducerId();
  REQUIRE(next.ok());
  CHECK(next->producer_id > id->producer_id);
}

TEST_CASE("Reset is durable: a reopened store is still empty and keeps numbering topics") {
  FilledStore f;
  REQUIRE(f.store->Reset().ok());
  f.store.reset();
  f.store = OpenStore(f.dir.path(), f.clock);
  CheckEmpty(*f.store);
  REQUIRE(f.store->CreateTopic("orders", 1, {}).ok());
  CHECK(f.store->DescribeTopic("orders")->topic_id > f.orders_id);
}

}  // namespace
}  // namespace brook::storage
