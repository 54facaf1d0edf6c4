// Crash safety of CreatePartitions and DeleteRecords: once answered, a topic's added partitions
// and a partition's new log start survive `brook serve` killed with SIGKILL, and the log goes
// on from there.
#include <doctest/doctest.h>

#include <string>

#include "tests/broker/call.h"
#include "tests/support/batches.h"
#include "tests/support/child_broker.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using testing::Call;
using testing::ChildBroker;
using testing::MakeBatch;
using testing::RawClient;
using testing::TempDir;

// Appends one batch of `values`; returns its base offset.
int64_t Append(RawClient& client, int32_t partition, const std::vector<std::string>& values) {
  ProduceRequest produce;
  const std::string batch = MakeBatch(values);
  produce.topics.push_back({"t", {{partition, batch}}});
  const auto reply = Call(client, produce);
  const auto& p = reply.second.topics.at(0).partitions.at(0);
  REQUIRE(p.error_code == ErrorCode::kNone);
  return p.base_offset;
}

TEST_CASE("added partitions and a moved log start survive kill -9") {
  TempDir dir;
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  {
    RawClient client(broker.bootstrap());
    REQUIRE(testing::CreateTopic(client, "t", 1));
    Append(client, 0, {"a", "b", "c", "d"});
    CreatePartitionsRequest grow;
    grow.topics.push_back({"t", 3});
    REQUIRE(Call(client, grow).second.topics.at(0).error_code == ErrorCode::kNone);
    Append(client, 2, {"new"});
    DeleteRecordsRequest del;
    del.topics.push_back({"t", {{0, 2}}});
    REQUIRE(Call(client, del).second.topics.at(0).partitions.at(0).low_watermark == 2);
  }
  broker.Kill();
  REQUIRE(broker.Start());

  RawClient client(broker.bootstrap());
  const auto metadata = Call(client, MetadataRequest{std::vector<std::string>{"t"}});
  const auto& partitions = metadata.second.topics.at(0).partitions;
  REQUIRE(partitions.size() == 3);
  CHECK(partitions[0].log_start_offset == 2);
  CHECK(partitions[0].log_end_offset == 4);
  CHECK(partitions[1].log_end_offset == 0);
  CHECK(partitions[2].log_end_offset == 1);
  FetchRequest below;
  below.topics.push_back({"t", {{0, 1, 1 << 20}}});
  CHECK(Call(client, below).second.topics.at(0).partitions.at(0).error_code ==
        ErrorCode::kOffsetOutOfRange);
  FetchRequest from_start;
  from_start.topics.push_back({"t", {{0, 2, 1 << 20}}});
  const auto fetched = Call(client, from_start);
  const auto& p0 = fetched.second.topics.at(0).partitions.at(0);
  REQUIRE(p0.error_code == ErrorCode::kNone);
  // The batch holding the log start comes whole.
  CHECK(testing::ValuesOf(p0.records) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(Append(client, 0, {"e"}) == 4);
  CHECK(Append(client, 1, {"x"}) == 0);
  CHECK(Append(client, 2, {"y"}) == 1);
}

}  // namespace
}  // namespace brook
