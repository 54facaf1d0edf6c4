// Crash safety of compaction: `brook serve` killed with SIGKILL in the middle of a
// CompactTopic loses no acknowledged record, reads consistently after restart, and a second
// compaction finishes the job.
//
// How the test knows the kill hit a running compaction: compaction is throttled (1 MiB/s for
// about 4 MiB of log, so it runs for seconds) and writes its result in atomic chunks of about
// 1 MiB. The test watches the first batch of the partition and kills the broker as soon as it
// has been rewritten (the first chunk is in), while the CompactTopic request is unanswered;
// after the restart, superseded records are still present further on (later chunks were not
// written), which the test checks before compacting again.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "tests/support/child_broker.h"
#include "tests/support/child_process.h"
#include "tests/support/keyed_records.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using testing::KeyedBatch;
using testing::KeyedRecord;
using testing::KeyValue;
using testing::RawClient;
using KeyMap = std::map<std::string, std::optional<std::string>>;

// No background pass (CompactTopic alone compacts), compaction throttled to `bytes_per_second`.
std::vector<std::string> CleanerFlags(const std::string& bytes_per_second) {
  return {"--log-cleanup-interval-ms", "3600000", "--compaction-max-bytes-per-second",
          bytes_per_second};
}

constexpr int kBatches = 320;
constexpr int kRecordsPerBatch = 50;
constexpr int kKeys = 1000;

// The reply of `request` (whatever its error code).
template <class Request>
testing::Reply<typename Request::Response> Roundtrip(RawClient& client, const Request& request,
                                                     int timeout_ms = 10000) {
  REQUIRE(client.Send(request, 1));
  auto payload = client.ReadFrame(timeout_ms);
  REQUIRE(payload);
  auto reply = testing::DecodeReply<typename Request::Response>(*payload);
  REQUIRE(reply);
  return *std::move(reply);
}

// Produces kBatches batches of overwrites and tombstones over kKeys keys; returns the latest
// acknowledged value of every key and sets *log_end.
KeyMap ProduceChangelog(RawClient& client, int64_t* log_end) {
  std::mt19937 random(42);
  std::uniform_int_distribution<int> key(0, kKeys - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  const std::string padding(200, 'p');
  KeyMap acked;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<KeyValue> records;
    for (int r = 0; r < kRecordsPerBatch; ++r) {
      std::string k = "k" + std::to_string(key(random));
      std::optional<std::string> v;
      if (percent(random) >= 10) v = fmt::format("{}-{}-{}", b, r, padding);
      records.emplace_back(std::move(k), std::move(v));
    }
    ProduceRequest produce;
    const std::string batch = KeyedBatch(records);
    produce.topics.push_back({"c", {{0, batch}}});
    auto reply = Roundtrip(client, produce);
    const auto& p = reply.second.topics.at(0).partitions.at(0);
    REQUIRE(p.error_code == ErrorCode::kNone);
    REQUIRE(p.base_offset == static_cast<int64_t>(b) * kRecordsPerBatch);
    for (auto& [k, v] : records) acked[k] = v;
    *log_end = p.base_offset + kRecordsPerBatch;
  }
  return acked;
}

// Whether the partition's first stored batch is still batch 0 as produced (all its records).
bool FirstBatchIntact(RawClient& client) {
  FetchRequest fetch;
  fetch.max_wait_ms = 0;
  fetch.topics.push_back({"c", {{0, 0, 1}}});  // min_one_batch: exactly the first batch.
  auto reply = Roundtrip(client, fetch);
  const auto& p = reply.second.topics.at(0).partitions.at(0);
  REQUIRE(p.error_code == ErrorCode::kNone);
  auto batches = SplitBatches(p.records);
  REQUIRE(batches.ok());
  REQUIRE(!batches->empty());
  std::string scratch;
  std::vector<RecordView> records;
  REQUIRE(DecodeRecords(batches->front(), &scratch, &records).ok());
  return static_cast<int>(records.size()) == kRecordsPerBatch && records.front().offset == 0;
}

// Checks the partition reads consistently and holds every acknowledged record's latest value.
void CheckConsistent(const std::vector<KeyedRecord>& stored, const KeyMap& acked,
                     int64_t log_end) {
  for (size_t i = 1; i < stored.size(); ++i) REQUIRE(stored[i - 1].offset < stored[i].offset);
  REQUIRE(!stored.empty());
  CHECK(stored.back().offset == log_end - 1);  // The latest record, not an expired tombstone.
  const KeyMap latest = testing::LatestByKey(stored);
  size_t wrong = 0;
  for (const auto& [key, value] : acked) {
    auto it = latest.find(key);
    const bool ok = it == latest.end() ? !value.has_value() : it->second == value;
    wrong += !ok;
  }
  CHECK(wrong == 0);
  for (const auto& [key, value] : latest) CHECK(acked.contains(key));
}

// Records whose key appears again later: what a finished compaction would have removed.
size_t Superseded(const std::vector<KeyedRecord>& stored) {
  std::set<std::string> seen;
  size_t superseded = 0;
  for (auto it = stored.rbegin(); it != stored.rend(); ++it) {
    superseded += !seen.insert(it->key).second;
  }
  return superseded;
}

TEST_CASE("kill -9 during CompactTopic loses nothing and a second compaction finishes") {
  testing::TempDir dir;
  testing::ChildBroker broker(dir.path());
  REQUIRE(broker.Start(CleanerFlags("1048576")));
  RawClient client(broker.bootstrap());
  CreateTopicsRequest create;
  create.topics.push_back({"c", 1, {{"cleanup.policy", "compact"}}});
  REQUIRE(Roundtrip(client, create).second.topics.at(0).error_code == ErrorCode::kNone);
  int64_t log_end = 0;
  const KeyMap acked = ProduceChangelog(client, &log_end);
  const size_t superseded_before = Superseded(testing::ReadKeyed(client, "c", 0));
  REQUIRE(superseded_before > 0);

  REQUIRE(FirstBatchIntact(client));

  RawClient compactor(broker.bootstrap());
  REQUIRE(compactor.Send(CompactTopicRequest{"c", std::nullopt}, 7));
  bool first_chunk_written = false;
  for (int i = 0; i < 3000 && !first_chunk_written; ++i) {
    first_chunk_written = !FirstBatchIntact(client);
    if (!first_chunk_written) std::this_thread::sleep_for(10ms);
  }
  REQUIRE(first_chunk_written);
  REQUIRE_FALSE(compactor.ReadFrame(0));  // Still running: no answer yet.
  broker.Kill();

  REQUIRE(broker.Start(CleanerFlags("0")));
  RawClient after(broker.bootstrap());
  std::vector<KeyedRecord> stored = testing::ReadKeyed(after, "c", 0);
  CheckConsistent(stored, acked, log_end);
  const size_t superseded_at_kill = Superseded(stored);
  CHECK(superseded_at_kill < superseded_before);  // Some chunks were written...
  CHECK(superseded_at_kill > 0);                   // ...but not all.

  auto reply = Roundtrip(after, CompactTopicRequest{"c", std::nullopt}, 60000);
  REQUIRE(reply.first.error_code == ErrorCode::kNone);
  CHECK(reply.second.partitions.at(0).error_code == ErrorCode::kNone);
  CHECK(reply.second.partitions.at(0).cleaned_up_to == log_end);  // The last batch too.
  stored = testing::ReadKeyed(after, "c", 0);
  CheckConsistent(stored, acked, log_end);
  CHECK(Superseded(stored) == 0);
  CHECK(broker.Terminate() == 0);
}

}  // namespace
}  // namespace brook
