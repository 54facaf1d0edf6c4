// A full disk: produce fails with STORAGE_ERROR and a clear message, nothing acknowledged is
// lost, reads keep working, the broker keeps running, and writes resume once space is freed.
// The disk is a small tmpfs, so this test needs root (as in CI); elsewhere it says so and
// checks nothing.
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <filesystem>
#include <map>

#include "tests/support/batches.h"
#include "tests/support/child_broker.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using testing::ChildBroker;
using testing::DecodeReply;
using testing::MakeBatch;
using testing::RawClient;
using testing::TempDir;
using testing::ValuesOf;

// A tmpfs of `megabytes` at `path`, unmounted at scope exit.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, int megabytes) : path_(path) {
    std::filesystem::create_directories(path);
    const std::string options = "size=" + std::to_string(megabytes) + "m";
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  bool Grow(int megabytes) {
    const std::string options = "size=" + std::to_string(megabytes) + "m";
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

ProduceResponse::Partition ProduceOnce(RawClient& client, const std::string& batch, int id) {
  ProduceRequest produce;
  produce.topics.push_back({"t", {{0, batch}}});
  REQUIRE(client.Send(produce, id));
  auto payload = client.ReadFrame(10000);
  REQUIRE(payload);
  auto reply = DecodeReply<ProduceResponse>(*payload);
  REQUIRE(reply);
  return reply->second.topics.at(0).partitions.at(0);
}

TEST_CASE("a full disk refuses writes cleanly and the broker recovers when space returns") {
  TempDir dir;
  SmallDisk disk(dir.path() + "/disk", 24);
  if (!disk.mounted()) {
    MESSAGE("not run: mounting a tmpfs needs root");
    return;
  }
  ChildBroker broker(dir.path() + "/disk/data");
  REQUIRE(broker.Start());
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  std::map<int64_t, std::string> acked;  // base offset -> first value of the batch
  ProduceResponse::Partition failure;
  for (int i = 0; i < 2000; ++i) {
    const std::string value = std::to_string(i) + std::string(60000, 'x');
    const auto result = ProduceOnce(client, MakeBatch({value}), i);
    if (result.error_code != ErrorCode::kNone) {
      failure = result;
      break;
    }
    acked[result.base_offset] = value;
  }
  REQUIRE(failure.error_code == ErrorCode::kKafkaStorageError);
  REQUIRE(failure.error_message);
  CHECK(failure.error_message->find("No space left") != std::string::npos);
  REQUIRE(acked.size() > 10);

  // Still serving: reads return every acknowledged record.
  FetchRequest fetch;
  fetch.max_wait_ms = 0;
  fetch.topics.push_back({"t", {{0, 0, 64 << 20}}});
  REQUIRE(client.Send(fetch, 9000));
  const auto fetched_payload = client.ReadFrame();  // The reply's views point into it.
  REQUIRE(fetched_payload);
  auto fetched = DecodeReply<FetchResponse>(*fetched_payload);
  REQUIRE(fetched);
  auto values = ValuesOf(fetched->second.topics[0].partitions[0].records);
  REQUIRE(values.size() >= acked.size());
  for (const auto& [offset, value] : acked) CHECK(values[static_cast<size_t>(offset)] == value);

  // Space comes back: writes resume without a restart.
  REQUIRE(disk.Grow(256));
  bool resumed = false;
  for (int i = 0; i < 100 && !resumed; ++i) {
    resumed = ProduceOnce(client, MakeBatch({"after"}), 10000 + i).error_code == ErrorCode::kNone;
    if (!resumed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(resumed);

  // And everything acknowledged survives a crash.
  broker.Kill();
  REQUIRE(broker.Start());
  RawClient after(broker.bootstrap());
  REQUIRE(after.Send(fetch, 1));
  const auto again_payload = after.ReadFrame();
  REQUIRE(again_payload);
  auto again = DecodeReply<FetchResponse>(*again_payload);
  REQUIRE(again);
  auto stored = ValuesOf(again->second.topics[0].partitions[0].records);
  for (const auto& [offset, value] : acked) CHECK(stored.at(static_cast<size_t>(offset)) == value);
}

}  // namespace
}  // namespace brook
