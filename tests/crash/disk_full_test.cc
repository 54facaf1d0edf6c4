// A full disk, on a small tmpfs: a disk short of space refuses appends but not deletions, so
// deleting a topic frees space and appends resume; a disk filled up to the last byte stops
// writes cleanly (reads go on, nothing acknowledged is lost), every shutdown exits cleanly,
// starting on it says the disk is full, and writes resume without a restart once space
// returns. Mounting a tmpfs needs root (as in CI); elsewhere each case says so and checks
// nothing.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/mount.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "absl/synchronization/notification.h"
#include "broker/embedded_broker.h"
#include "protocol/absl_compat.h"
#include "storage/log_store.h"
#include "tests/support/batches.h"
#include "tests/support/child_broker.h"
#include "tests/support/raw_client.h"
#include "tests/support/run_command.h"
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

// Writes `path` until the disk is full; returns whether it filled up.
bool FillUp(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return false;
  const std::string chunk(1 << 16, 'f');
  while (std::fwrite(chunk.data(), 1, chunk.size(), file) == chunk.size() && std::fflush(file) == 0) {
  }
  std::fclose(file);
  return true;
}

ProduceResponse::Partition ProduceOnce(RawClient& client, const std::string& topic,
                                       const std::string& batch, int id,
                                       int16_t acks = kAcksLeader) {
  ProduceRequest produce;
  produce.acks = acks;
  produce.topics.push_back({topic, {{0, batch}}});
  REQUIRE(client.Send(produce, id));
  auto payload = client.ReadFrame(10000);
  REQUIRE(payload);
  auto reply = DecodeReply<ProduceResponse>(*payload);
  REQUIRE(reply);
  return reply->second.topics.at(0).partitions.at(0);
}

// Produces 60 KB records to `topic` until one is refused; returns the refusal and fills
// `acked` (base offset -> value).
ProduceResponse::Partition FillDisk(RawClient& client, const std::string& topic,
                                    std::map<int64_t, std::string>* acked) {
  for (int i = 0; i < 2000; ++i) {
    const std::string value = std::to_string(i) + std::string(60000, 'x');
    const auto result = ProduceOnce(client, topic, MakeBatch({value}), i);
    if (result.error_code != ErrorCode::kNone) return result;
    (*acked)[result.base_offset] = value;
  }
  FAIL("the disk never filled up");
  return {};
}

// The values of partition 0 of `topic`, from offset 0.
std::vector<std::string> ReadAll(RawClient& client, const std::string& topic) {
  FetchRequest fetch;
  fetch.max_wait_ms = 0;
  fetch.topics.push_back({topic, {{0, 0, 64 << 20}}});
  REQUIRE(client.Send(fetch, 9000));
  const auto payload = client.ReadFrame();  // The reply's views point into it.
  REQUIRE(payload);
  auto fetched = DecodeReply<FetchResponse>(*payload);
  REQUIRE(fetched);
  return ValuesOf(fetched->second.topics[0].partitions[0].records);
}

void CheckAcked(const std::vector<std::string>& values, const std::map<int64_t, std::string>& acked) {
  REQUIRE(values.size() >= acked.size());
  for (const auto& [offset, value] : acked) CHECK(values.at(static_cast<size_t>(offset)) == value);
}

// Whether a produce of a small record to `topic` succeeds within 10 s.
bool WritesResume(RawClient& client, const std::string& topic) {
  for (int i = 0; i < 100; ++i) {
    if (ProduceOnce(client, topic, MakeBatch({"after"}), 10000 + i).error_code ==
        ErrorCode::kNone) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A data dir on a tmpfs of `megabytes`, and a broker for it (not started).
struct DiskBroker {
  explicit DiskBroker(int megabytes)
      : disk(dir.path() + "/disk", megabytes), data_dir(dir.path() + "/disk/data") {
    if (!disk.mounted()) MESSAGE("not run: mounting a tmpfs needs root");
  }
  TempDir dir;
  SmallDisk disk;
  std::string data_dir;
  ChildBroker broker{data_dir};
};

TEST_CASE("a disk short of space refuses appends, and deleting a topic gets them going again") {
  DiskBroker setup(32);
  if (!setup.disk.mounted()) return;
  const std::string& data_dir = setup.data_dir;
  ChildBroker& broker = setup.broker;
  REQUIRE(broker.Start({"--min-free-bytes", std::to_string(8 << 20)}));
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "big", 1));
  REQUIRE(testing::CreateTopic(client, "t", 1));
  std::map<int64_t, std::string> acked;
  const auto refused = FillDisk(client, "big", &acked);
  REQUIRE(refused.error_code == ErrorCode::kKafkaStorageError);
  REQUIRE(refused.error_message);
  INFO(*refused.error_message);
  CHECK(refused.error_message->find("almost full") != std::string::npos);
  CHECK(refused.error_message->find(data_dir) != std::string::npos);
  CHECK(refused.error_message->find("8.0 MiB") != std::string::npos);
  REQUIRE(acked.size() > 10);
  CheckAcked(ReadAll(client, "big"), acked);
  // acks=all is refused the same way (nothing to sync), and so is another topic.
  CHECK(ProduceOnce(client, "t", MakeBatch({"x"}), 5000, kAcksAll).error_code ==
        ErrorCode::kKafkaStorageError);

  // The way out: deleting a topic works on this disk and hands its space back.
  DeleteTopicsRequest del;
  del.topics = {"big"};
  REQUIRE(client.Send(del, 6000));
  const auto deleted_payload = client.ReadFrame(30000);
  REQUIRE(deleted_payload);
  const auto deleted = DecodeReply<DeleteTopicsResponse>(*deleted_payload);
  REQUIRE(deleted);
  CHECK(deleted->second.topics.at(0).error_code == ErrorCode::kNone);
  CHECK(WritesResume(client, "t"));
  CHECK(broker.Terminate() == 0);
}

TEST_CASE("a full disk stops writes cleanly: SIGTERM exits 0 and a restart says the disk is full") {
  DiskBroker setup(24);
  if (!setup.disk.mounted()) return;
  const std::string& data_dir = setup.data_dir;
  ChildBroker& broker = setup.broker;
  REQUIRE(broker.Start({"--min-free-bytes", "0"}));
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  std::map<int64_t, std::string> acked;
  const auto failure = FillDisk(client, "t", &acked);
  REQUIRE(failure.error_code == ErrorCode::kKafkaStorageError);
  REQUIRE(failure.error_message);
  CHECK(failure.error_message->find("No space left") != std::string::npos);
  REQUIRE(acked.size() > 10);

  // An acks=all produce after the failure would sync the failed WAL, which RocksDB asserts
  // on: it is refused, saying what writes need.
  const auto synced = ProduceOnce(client, "t", MakeBatch({"y"}), 5000, kAcksAll);
  CHECK(synced.error_code == ErrorCode::kKafkaStorageError);
  REQUIRE(synced.error_message);
  INFO(*synced.error_message);
  CHECK(synced.error_message->find("writes are stopped") != std::string::npos);
  CHECK(synced.error_message->find(data_dir) != std::string::npos);
  CheckAcked(ReadAll(client, "t"), acked);
  CHECK(broker.Terminate() == 0);  // Was 134: RocksDB's sync_without_flush_called_ assertion.

  // Starting on the full disk says so (not "is another brook using it?").
  REQUIRE(FillUp(setup.dir.path() + "/disk/filler"));
  const auto started = testing::RunBrook({"serve", "--listen", "127.0.0.1:0", "--kafka-listen",
                                          "off", "--data-dir", data_dir});
  CHECK(started.exit_code == 1);
  CHECK(started.err.find("disk is full") != std::string::npos);
  CHECK(started.err.find("another brook") == std::string::npos);

  std::filesystem::remove(setup.dir.path() + "/disk/filler");
  REQUIRE(setup.disk.Grow(256));
  REQUIRE(broker.Start({"--min-free-bytes", "0"}));
  RawClient after(broker.bootstrap());
  CheckAcked(ReadAll(after, "t"), acked);
  CHECK(WritesResume(after, "t"));
  CHECK(broker.Terminate() == 0);
}

TEST_CASE("a full disk: writes resume without a restart once space returns, nothing is lost") {
  DiskBroker setup(24);
  if (!setup.disk.mounted()) return;
  ChildBroker& broker = setup.broker;
  REQUIRE(broker.Start({"--min-free-bytes", "0"}));
  RawClient client(broker.bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  std::map<int64_t, std::string> acked;
  REQUIRE(FillDisk(client, "t", &acked).error_code == ErrorCode::kKafkaStorageError);
  // 40 MiB more: less than the 64 MiB RocksDB's own recovery waits for, more than the
  // memtables (under 24 MiB) plus the 8 MiB a resume needs.
  REQUIRE(setup.disk.Grow(64));
  CHECK(WritesResume(client, "t"));

  // Everything acknowledged survives a crash.
  broker.Kill();
  REQUIRE(broker.Start());
  RawClient after(broker.bootstrap());
  CheckAcked(ReadAll(after, "t"), acked);
}

TEST_CASE("a store whose disk filled up syncs and closes without aborting") {
  DiskBroker setup(16);  // Its broker is not started: the store is opened here.
  if (!setup.disk.mounted()) return;
  auto store = storage::LogStore::Open({.data_dir = setup.data_dir, .min_free_bytes = 0});
  REQUIRE(store.ok());
  REQUIRE((*store)->CreateTopic("t", 1, {}).ok());
  absl::Status failed;
  for (int i = 0; i < 1000 && failed.ok(); ++i) {
    failed = (*store)->Append("t", PartitionId(0), MakeBatch({std::string(60000, 'x')})).status();
  }
  CHECK(CodeOf(failed) == ErrorCode::kKafkaStorageError);
  absl::Notification synced;
  absl::Status sync_status;
  (*store)->SyncWal([&](absl::Status s) {
    sync_status = s;
    synced.Notify();
  });
  synced.WaitForNotification();
  CHECK(CodeOf(sync_status) == ErrorCode::kKafkaStorageError);
  store->reset();  // The destructor's path (EmbeddedBroker's and brook serve's): no abort.
}

TEST_CASE("an embedded broker whose disk filled up stops without aborting") {
  DiskBroker setup(24);  // Its child broker is not started: the broker runs in this process.
  if (!setup.disk.mounted()) return;
  EmbeddedBrokerOptions options;
  options.data_dir = setup.data_dir;
  options.config.store.min_free_bytes = 0;
  auto broker = EmbeddedBroker::Create(options);
  REQUIRE(broker.ok());
  RawClient client((*broker)->bootstrap());
  REQUIRE(testing::CreateTopic(client, "t", 1));
  std::map<int64_t, std::string> acked;
  REQUIRE(FillDisk(client, "t", &acked).error_code == ErrorCode::kKafkaStorageError);
  CHECK(ProduceOnce(client, "t", MakeBatch({"y"}), 5000, kAcksAll).error_code ==
        ErrorCode::kKafkaStorageError);
  broker->reset();  // Broker::Stop, then the store's destructor: no abort.
}

}  // namespace
}  // namespace brook
