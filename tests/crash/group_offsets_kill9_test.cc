// Crash safety of committed offsets: `brook serve` killed with SIGKILL while a tool commits a
// group's offsets keeps every acknowledged commit, and a commit of several partitions is all
// or nothing.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "tests/support/child_broker.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using testing::ChildBroker;
using testing::DecodeReply;
using testing::RawClient;
using testing::TempDir;

constexpr int kPartitions = 3;

// Commits `offset` to every partition of "t" for group "g" from outside the group.
OffsetCommitRequest CommitAll(int64_t offset) {
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.topics.push_back({"t", {}});
  for (int32_t p = 0; p < kPartitions; ++p) {
    commit.topics[0].partitions.push_back({p, offset, "m" + std::to_string(offset)});
  }
  return commit;
}

TEST_CASE("acknowledged offset commits survive kill -9, all partitions of a commit together") {
  TempDir dir;
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  {
    RawClient client(broker.bootstrap());
    REQUIRE(testing::CreateTopic(client, "t", kPartitions));
  }

  std::atomic<int64_t> last_acked{-1};
  std::thread committer([&] {
    RawClient client(broker.bootstrap());
    for (int64_t offset = 1; offset < 10'000'000; ++offset) {
      if (!client.Send(CommitAll(offset), static_cast<int32_t>(offset))) return;
      auto payload = client.ReadFrame(2000);
      if (!payload) return;  // The broker died: this commit is not acknowledged.
      auto reply = DecodeReply<OffsetCommitResponse>(*payload);
      if (!reply || reply->first.error_code != ErrorCode::kNone) return;
      for (const auto& p : reply->second.topics.at(0).partitions) {
        if (p.error_code != ErrorCode::kNone) return;
      }
      last_acked = offset;
    }
  });
  for (int i = 0; i < 2000 && last_acked.load() < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  broker.Kill();
  committer.join();
  REQUIRE(last_acked.load() >= 500);

  REQUIRE(broker.Start());
  RawClient client(broker.bootstrap());
  OffsetFetchRequest fetch;
  fetch.group_id = "g";
  REQUIRE(client.Send(fetch, 1));
  auto reply = DecodeReply<OffsetFetchResponse>(*client.ReadFrame());
  REQUIRE(reply);
  REQUIRE(reply->first.error_code == ErrorCode::kNone);
  REQUIRE(reply->second.topics.size() == 1);
  const auto& partitions = reply->second.topics[0].partitions;
  REQUIRE(partitions.size() == kPartitions);
  // The last acknowledged commit, or the one in flight when the broker died; the same for
  // every partition (one atomic write).
  const int64_t committed = partitions[0].committed_offset;
  CHECK((committed == last_acked.load() || committed == last_acked.load() + 1));
  for (const auto& p : partitions) {
    CHECK(p.committed_offset == committed);
    CHECK(p.metadata == "m" + std::to_string(committed));
  }
  CHECK(broker.Terminate() == 0);
}

}  // namespace
}  // namespace brook
