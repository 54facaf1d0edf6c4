#include "client/admin.h"

#include <doctest/doctest.h>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"
#include "tests/client/mini_broker.h"

namespace brook {
namespace {

using testing::MiniBroker;

std::unique_ptr<Admin> MakeAdmin(const MiniBroker& broker) {
  AdminOptions options;
  options.bootstrap = broker.address();
  auto admin = Admin::Create(options);
  REQUIRE(admin.ok());
  return *std::move(admin);
}

TEST_CASE("Create fails clearly without a broker") {
  AdminOptions options;
  options.bootstrap = "127.0.0.1:" + std::to_string(testing::UnusedPort());
  auto admin = Admin::Create(options);
  CHECK(CodeOf(admin.status()) == ErrorCode::kNetworkException);
  CHECK(MessageOf(admin.status()).find("connection refused") != std::string_view::npos);
}

TEST_CASE("create, list, describe and delete topics") {
  MiniBroker broker;
  auto admin = MakeAdmin(broker);
  REQUIRE(admin->CreateTopic({.name = "b", .partitions = 3}).ok());
  REQUIRE(admin->CreateTopic({.name = "a"}).ok());
  CHECK(admin->CreateTopic({.name = "v", .partitions = 1}, /*validate_only=*/true).ok());

  absl::Status exists = admin->CreateTopic({.name = "a"});
  CHECK(CodeOf(exists) == ErrorCode::kTopicAlreadyExists);
  CHECK(MessageOf(exists) == "topic 'a' already exists");
  CHECK(CodeOf(admin->CreateTopic({.name = "z", .partitions = 0})) ==
        ErrorCode::kInvalidPartitions);

  auto names = admin->ListTopics();
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"a", "b"});  // validate_only created nothing.

  broker.Append("b", 1, {{"k", "v"}, {"k", "w"}});
  auto b = admin->DescribeTopic("b");
  REQUIRE(b.ok());
  CHECK(b->name == "b");
  REQUIRE(b->partitions.size() == 3);
  CHECK(b->partitions[1].partition == 1);
  CHECK(b->partitions[1].log_end_offset == 2);
  CHECK(b->configs.at("cleanup.policy") == "delete");

  auto all = admin->DescribeTopics();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].name == "a");

  auto missing = admin->DescribeTopic("nope");
  CHECK(CodeOf(missing.status()) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(MessageOf(missing.status()) == "topic 'nope' does not exist");

  REQUIRE(admin->DeleteTopic("a").ok());
  absl::Status gone = admin->DeleteTopic("a");
  CHECK(CodeOf(gone) == ErrorCode::kUnknownTopicOrPartition);
  CHECK(MessageOf(gone) == "topic 'a' does not exist");
}

TEST_CASE("ListOffsets answers earliest, latest and by timestamp") {
  MiniBroker broker;
  broker.CreateTopic("t", 1);
  broker.Append("t", 0, {{"k", "a"}, {"k", "b"}, {"k", "c"}}, /*timestamp_ms=*/500);
  auto admin = MakeAdmin(broker);
  const TopicPartition tp{"t", PartitionId(0)};
  CHECK(admin->ListOffsets(tp, kEarliestTimestamp)->offset == 0);
  CHECK(admin->ListOffsets(tp, kLatestTimestamp)->offset == 3);
  auto at = admin->ListOffsets(tp, 501);
  REQUIRE(at.ok());
  CHECK(at->offset == 1);
  CHECK(at->timestamp_ms == 501);
  auto none = admin->ListOffsets(tp, 9999);
  CHECK(none->offset == 3);
  CHECK(none->timestamp_ms == -1);
  auto bad = admin->ListOffsets({"t", PartitionId(4)}, kLatestTimestamp);
  CHECK(CodeOf(bad.status()) == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE("ApiVersions lists every API the fake broker serves") {
  MiniBroker broker;
  auto admin = MakeAdmin(broker);
  auto versions = admin->ApiVersions();
  REQUIRE(versions.ok());
  CHECK(versions->broker_version == "fake");
  CHECK(versions->apis.size() == std::tuple_size_v<AllRequests>);
}

TEST_CASE("after Close, calls fail with NETWORK_EXCEPTION") {
  MiniBroker broker;
  auto admin = MakeAdmin(broker);
  admin->Close();
  CHECK(CodeOf(admin->ListTopics().status()) == ErrorCode::kNetworkException);
}

}  // namespace
}  // namespace brook
