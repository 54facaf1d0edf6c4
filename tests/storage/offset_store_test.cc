#include "storage/offset_store.h"

#include <doctest/doctest.h>

#include "protocol/error_codes.h"
#include "storage/log_store.h"
#include "tests/support/temp_dir.h"

namespace brook::storage {
namespace {

using testing::TempDir;

std::unique_ptr<LogStore> OpenStore(const std::string& dir) {
  auto store = LogStore::Open(StoreOptions{.data_dir = dir});
  REQUIRE(store.ok());
  return *std::move(store);
}

CommittedOffset At(std::string topic, int32_t partition, int64_t offset, std::string meta = "") {
  return CommittedOffset{{std::move(topic), PartitionId(partition)}, Offset(offset), std::move(meta), 1234};
}

TEST_CASE("commits are fetched back per partition and per group") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  OffsetStore& offsets = store->offsets();
  const CommittedOffset commits[] = {At("orders", 0, 10, "m0"), At("orders", 1, 20), At("a", 3, 5)};
  REQUIRE(offsets.Commit("billing", commits).ok());
  const CommittedOffset other[] = {At("orders", 0, 99)};
  REQUIRE(offsets.Commit("shipping", other).ok());

  auto one = offsets.Fetch("billing", {"orders", PartitionId(0)});
  REQUIRE(one.ok());
  REQUIRE(one->has_value());
  CHECK((*one)->offset == Offset(10));
  CHECK((*one)->metadata == "m0");
  CHECK((*one)->commit_time_ms == 1234);
  auto none = offsets.Fetch("billing", {"orders", PartitionId(7)});
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  auto all = offsets.FetchAll("billing");
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].partition.topic == "a");
  CHECK((*all)[2].offset == Offset(20));
  CHECK(offsets.FetchAll("shipping")->size() == 1);
  CHECK(*offsets.Groups() == std::vector<std::string>{"billing", "shipping"});
}

TEST_CASE("a later commit replaces the earlier one") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  const CommittedOffset first[] = {At("t", 0, 1)};
  const CommittedOffset second[] = {At("t", 0, 7)};
  REQUIRE(store->offsets().Commit("g", first).ok());
  REQUIRE(store->offsets().Commit("g", second).ok());
  CHECK((*store->offsets().Fetch("g", {"t", PartitionId(0)}))->offset == Offset(7));
}

TEST_CASE("group names that prefix each other stay apart") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  const CommittedOffset a[] = {At("t", 0, 1)};
  const CommittedOffset b[] = {At("t", 0, 2)};
  REQUIRE(store->offsets().Commit("ab", a).ok());
  REQUIRE(store->offsets().Commit("abc", b).ok());
  CHECK(store->offsets().FetchAll("ab")->size() == 1);
  CHECK((*store->offsets().Fetch("ab", {"t", PartitionId(0)}))->offset == Offset(1));
}

TEST_CASE("invalid commits are refused and store nothing") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  const CommittedOffset bad[] = {At("t", 0, 5), At("t", 1, 6, std::string(5000, 'm'))};
  CHECK(CodeOf(store->offsets().Commit("g", bad)) == ErrorCode::kInvalidRequest);
  CHECK(store->offsets().FetchAll("g")->empty());
  const CommittedOffset ok[] = {At("t", 0, 5)};
  CHECK(CodeOf(store->offsets().Commit("", ok)) == ErrorCode::kInvalidRequest);
  const CommittedOffset big[] = {At("t", 0, 5, std::string(5000, 'm'))};
  CHECK(CodeOf(store->offsets().Commit("g", big)) == ErrorCode::kInvalidRequest);
}

TEST_CASE("negative offsets (Kafka clients' latest and earliest markers) are stored as given") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  const CommittedOffset markers[] = {At("t", 0, -2), At("t", 1, -1)};
  REQUIRE(store->offsets().Commit("g", markers).ok());
  CHECK((*store->offsets().Fetch("g", {"t", PartitionId(0)}))->offset == Offset(-2));
  CHECK((*store->offsets().Fetch("g", {"t", PartitionId(1)}))->offset == Offset(-1));
}

TEST_CASE("commits survive a reopen; a deleted group is gone") {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    const CommittedOffset commits[] = {At("t", 0, 42), At("t", 1, 43)};
    REQUIRE(store->offsets().Commit("g", commits).ok());
    const CommittedOffset other[] = {At("t", 0, 1)};
    REQUIRE(store->offsets().Commit("h", other).ok());
  }
  auto store = OpenStore(dir.path());
  CHECK((*store->offsets().Fetch("g", {"t", PartitionId(1)}))->offset == Offset(43));
  REQUIRE(store->offsets().DeleteGroup("g").ok());
  CHECK(store->offsets().FetchAll("g")->empty());
  CHECK(*store->offsets().Groups() == std::vector<std::string>{"h"});
}

TEST_CASE("deleting a topic deletes every group's commits of it, and only those") {
  TempDir dir;
  auto store = OpenStore(dir.path());
  REQUIRE(store->CreateTopic("t", 2, {}).ok());
  const CommittedOffset commits[] = {At("t", 0, 7), At("t", 1, 3), At("tt", 0, 5)};
  REQUIRE(store->offsets().Commit("g", commits).ok());
  const CommittedOffset other[] = {At("t", 0, 9)};
  REQUIRE(store->offsets().Commit("h", other).ok());
  REQUIRE(store->DeleteTopic("t").ok());
  REQUIRE(store->CreateTopic("t", 2, {}).ok());
  // The new topic starts without the old one's commits (its lag would be -7, and a group
  // resuming would skip its first 7 records).
  CHECK_FALSE(store->offsets().Fetch("g", {"t", PartitionId(0)})->has_value());
  CHECK_FALSE(store->offsets().Fetch("h", {"t", PartitionId(0)})->has_value());
  const auto kept = store->offsets().FetchAll("g");
  REQUIRE(kept->size() == 1);
  CHECK((*kept)[0].partition.topic == "tt");
}

}  // namespace
}  // namespace brook::storage
