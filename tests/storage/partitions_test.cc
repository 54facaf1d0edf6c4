// LogStore::CreatePartitions: a topic grows, the new partitions are empty and usable at once,
// the count survives a reopen and a kill -9, appends to the old partitions go on meanwhile,
// and bad counts are refused.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/batches.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using ::brook::testing::MakeBatch;
using ::brook::testing::TempDir;
using ::brook::testing::ValuesOf;
using testing::FakeClock;
using testing::OpenStore;

size_t PartitionCount(const LogStore& store, std::string_view topic) {
  absl::StatusOr<TopicInfo> info = store.DescribeTopic(topic);
  REQUIRE(info.ok());
  return info->partitions.size();
}

TEST_CASE("CreatePartitions grows a topic; the new partitions start empty and take appends") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("t", 2, {{"retention.ms", "3600000"}}).ok());
  REQUIRE(store->Append("t", PartitionId(1), MakeBatch({"a", "b"})).ok());
  CHECK(CodeOf(store->Append("t", PartitionId(4), MakeBatch({"x"})).status()) ==
        ErrorCode::kUnknownTopicOrPartition);

  REQUIRE(store->CreatePartitions("t", 5).ok());
  absl::StatusOr<TopicInfo> info = store->DescribeTopic("t");
  REQUIRE(info.ok());
  REQUIRE(info->partitions.size() == 5);
  CHECK(info->config.retention_ms == 3600000);  // The topic's settings stay.
  CHECK(info->partitions[1].log_end == Offset(2));
  for (int p = 2; p < 5; ++p) {
    CHECK(info->partitions[p].partition == PartitionId(p));
    CHECK(info->partitions[p].log_start == Offset(0));
    CHECK(info->partitions[p].log_end == Offset(0));
  }
  absl::StatusOr<AppendResult> appended = store->Append("t", PartitionId(4), MakeBatch({"x"}));
  REQUIRE(appended.ok());
  CHECK(appended->base_offset == Offset(0));
  absl::StatusOr<ReadResult> read = store->Read("t", PartitionId(4), Offset(0), 1 << 20);
  REQUIRE(read.ok());
  CHECK(ValuesOf(read->records) == std::vector<std::string>{"x"});
  // The old partitions are untouched.
  read = store->Read("t", PartitionId(1), Offset(0), 1 << 20);
  REQUIRE(read.ok());
  CHECK(ValuesOf(read->records) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("CreatePartitions refuses shrinking, the same count, too many and unknown topics") {
  TempDir dir;
  FakeClock clock;
  auto store = LogStore::Open({.data_dir = dir.path(), .max_partitions = 8, .clock = clock.fn()});
  REQUIRE(store.ok());
  REQUIRE((*store)->CreateTopic("t", 3, {}).ok());
  absl::Status same = (*store)->CreatePartitions("t", 3);
  CHECK(CodeOf(same) == ErrorCode::kInvalidPartitions);
  CHECK(MessageOf(same) == "topic 't' already has 3 partitions");
  absl::Status fewer = (*store)->CreatePartitions("t", 2);
  CHECK(CodeOf(fewer) == ErrorCode::kInvalidPartitions);
  CHECK(MessageOf(fewer).find("not removed") != std::string_view::npos);
  CHECK(CodeOf((*store)->CreatePartitions("t", 9)) == ErrorCode::kInvalidPartitions);
  CHECK(CodeOf((*store)->CreatePartitions("nope", 4)) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(PartitionCount(**store, "t") == 3);

  // validate_only checks, and changes nothing.
  CHECK((*store)->CreatePartitions("t", 8, /*validate_only=*/true).ok());
  CHECK(CodeOf((*store)->CreatePartitions("t", 3, true)) == ErrorCode::kInvalidPartitions);
  CHECK(PartitionCount(**store, "t") == 3);
  CHECK((*store)->CreatePartitions("t", 8).ok());
  CHECK(PartitionCount(**store, "t") == 8);
}

TEST_CASE("the new partition count and records survive a reopen and a kill -9") {
  TempDir dir;
  TempDir killed;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->Append("t", PartitionId(0), MakeBatch({"old"})).ok());
  REQUIRE(store->CreatePartitions("t", 3).ok());
  REQUIRE(store->Append("t", PartitionId(2), MakeBatch({"new-1", "new-2"})).ok());

  std::unique_ptr<LogStore> recovered =
      testing::ReopenAndRecoverCopy(store, dir.path(), killed.path() + "/copy", clock);
  for (LogStore* s : {store.get(), recovered.get()}) {
    REQUIRE(PartitionCount(*s, "t") == 3);
    CHECK(s->Offsets("t", PartitionId(0))->log_end == Offset(1));
    CHECK(s->Offsets("t", PartitionId(1))->log_end == Offset(0));
    absl::StatusOr<ReadResult> read = s->Read("t", PartitionId(2), Offset(0), 1 << 20);
    REQUIRE(read.ok());
    CHECK(ValuesOf(read->records) == std::vector<std::string>{"new-1", "new-2"});
    // Appends go on after the recovered log end.
    absl::StatusOr<AppendResult> appended = s->Append("t", PartitionId(2), MakeBatch({"more"}));
    REQUIRE(appended.ok());
    CHECK(appended->base_offset == Offset(2));
  }
}

TEST_CASE("appends and reads of the existing partitions go on while partitions are added") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("t", 2, {}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> appended{0};
  std::thread writer([&] {
    while (!stop.load()) {
      for (int p = 0; p < 2; ++p) {
        if (!store->Append("t", PartitionId(p), MakeBatch({"w"})).ok()) ++failures;
        if (!store->Read("t", PartitionId(p), Offset(0), 4096).ok()) ++failures;
      }
      ++appended;
    }
  });
  for (int count = 3; count <= 40; ++count) {
    REQUIRE(store->CreatePartitions("t", count).ok());
    REQUIRE(store->Append("t", PartitionId(count - 1), MakeBatch({"n"})).ok());
  }
  stop = true;
  writer.join();
  CHECK(failures.load() == 0);
  absl::StatusOr<TopicInfo> info = store->DescribeTopic("t");
  REQUIRE(info.ok());
  REQUIRE(info->partitions.size() == 40);
  CHECK(info->partitions[0].log_end == Offset(appended.load()));
  CHECK(info->partitions[1].log_end == Offset(appended.load()));
  for (size_t p = 2; p < 40; ++p) CHECK(info->partitions[p].log_end == Offset(1));
}

TEST_CASE("a deleted topic's added partitions go with it") {
  TempDir dir;
  FakeClock clock;
  auto store = OpenStore(dir.path(), clock);
  REQUIRE(store->CreateTopic("t", 1, {}).ok());
  REQUIRE(store->CreatePartitions("t", 2).ok());
  REQUIRE(store->Append("t", PartitionId(1), MakeBatch({"x"})).ok());
  REQUIRE(store->DeleteTopic("t").ok());
  REQUIRE(store->CreateTopic("t", 2, {}).ok());
  CHECK(store->Offsets("t", PartitionId(1))->log_end == Offset(0));
}

}  // namespace
}  // namespace brook::storage
