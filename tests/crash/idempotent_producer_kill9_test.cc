// Crash safety of idempotent producers' state: `brook serve` killed with SIGKILL while a
// producer streams idempotent batches keeps, exactly with the data, what it needs to answer
// retries: after the restart, a retry of an acknowledged batch gets its original offsets and
// appends nothing, the batch in flight at the kill is appended once whatever happened to it,
// and a gap is refused. brook's own Producer (idempotent by default) loses nothing and
// duplicates nothing across such a kill. And producer ids handed out by a store killed while
// handing them out are never handed out again.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/admin.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/record_batch.h"
#include "storage/log_store.h"
#include "tests/support/batches.h"
#include "tests/support/child_broker.h"
#include "tests/support/keyed_records.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/topic_reader.h"

namespace brook {
namespace {

using testing::ChildBroker;
using testing::DecodeReply;
using testing::RawClient;
using testing::TempDir;

constexpr int64_t kProducer = 77;
constexpr int kRecordsPerBatch = 5;

// Batch number `b` of the producer: sequences 5b..5b+4, values "b<b>-<i>".
std::string NumberedBatch(int b) {
  std::vector<std::string> values;
  for (int i = 0; i < kRecordsPerBatch; ++i) values.push_back(fmt::format("b{}-{}", b, i));
  std::string batch = testing::MakeBatch(values);
  StampProducer(batch, {ProducerId(kProducer), ProducerEpoch(0), b * kRecordsPerBatch});
  return batch;
}

// Sends `batch` to t-0 and returns the partition's answer; nullopt if the connection closed
// (the broker died) or no answer came within 10 s (a loaded machine may be slow: the
// answer to a batch must not be taken for lost while the broker lives).
std::optional<ProduceResponse::Partition> Produce(RawClient& client, const std::string& batch,
                                                  int32_t correlation_id) {
  ProduceRequest produce;
  produce.acks = kAcksLeader;
  produce.topics.push_back({"t", {{0, batch}}});
  if (!client.Send(produce, correlation_id)) return std::nullopt;
  auto payload = client.ReadFrame(10000);
  if (!payload) return std::nullopt;
  auto reply = DecodeReply<ProduceResponse>(*payload);
  if (!reply) return std::nullopt;
  return reply->second.topics.at(0).partitions.at(0);
}

TEST_CASE("after kill -9, an idempotent producer's retries are answered with their offsets") {
  TempDir dir;
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  {
    RawClient client(broker.bootstrap());
    REQUIRE(testing::CreateTopic(client, "t", 1));
  }
  std::map<int, int64_t> acked;  // Batch number -> base offset the broker answered.
  std::atomic<int> acks{0};
  int in_flight = -1;            // The batch sent when the broker died.
  std::thread producer([&] {
    RawClient client(broker.bootstrap());
    for (int b = 0; b < 1'000'000; ++b) {
      auto answer = Produce(client, NumberedBatch(b), b);
      if (!answer) {
        in_flight = b;
        return;
      }
      if (answer->error_code != ErrorCode::kNone) return;
      acked[b] = answer->base_offset;
      acks.fetch_add(1);
    }
  });
  for (int i = 0; i < 2000 && acks.load() < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  broker.Kill();
  producer.join();
  REQUIRE(acks.load() >= 200);
  REQUIRE(in_flight == static_cast<int>(acked.size()));

  REQUIRE(broker.Start());
  RawClient client(broker.bootstrap());
  std::vector<testing::KeyedRecord> stored = testing::ReadKeyed(client, "t", 0);
  const int64_t log_end = static_cast<int64_t>(stored.size());
  // The batch in flight was appended before the kill, or not at all.
  const bool in_flight_written = log_end == (in_flight + 1) * kRecordsPerBatch;
  CHECK((in_flight_written || log_end == in_flight * kRecordsPerBatch));

  // Retries of the acknowledged batches still known (the last five) answer their offsets.
  int32_t correlation = 1;
  for (int b = in_flight - 4; b < in_flight; ++b) {
    CAPTURE(b);
    auto retry = Produce(client, NumberedBatch(b), correlation++);
    REQUIRE(retry);
    CHECK(retry->error_code == ErrorCode::kNone);
    CHECK(retry->base_offset == acked.at(b));
  }
  // The batch in flight: its original offset if it was written, else the log end.
  auto resent = Produce(client, NumberedBatch(in_flight), correlation++);
  REQUIRE(resent);
  CHECK(resent->error_code == ErrorCode::kNone);
  CHECK(resent->base_offset == static_cast<int64_t>(in_flight) * kRecordsPerBatch);
  // Older batches are forgotten, and a gap is refused.
  auto old = Produce(client, NumberedBatch(in_flight - 10), correlation++);
  REQUIRE(old);
  CHECK(old->error_code == ErrorCode::kOutOfOrderSequenceNumber);
  auto gap = Produce(client, NumberedBatch(in_flight + 2), correlation++);
  REQUIRE(gap);
  CHECK(gap->error_code == ErrorCode::kOutOfOrderSequenceNumber);

  // Every batch is in the log exactly once, at its offsets.
  stored = testing::ReadKeyed(client, "t", 0);
  REQUIRE(stored.size() == static_cast<size_t>(in_flight + 1) * kRecordsPerBatch);
  for (size_t i = 0; i < stored.size(); ++i) {
    CHECK(stored[i].offset == static_cast<int64_t>(i));
    CHECK(stored[i].value == fmt::format("b{}-{}", i / kRecordsPerBatch, i % kRecordsPerBatch));
  }
  CHECK(broker.Terminate() == 0);
}

TEST_CASE("kill -9 under brook's idempotent Producer: nothing lost, nothing twice, in order") {
  TempDir dir;
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  {
    auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
    REQUIRE(admin.ok());
    REQUIRE((*admin)->CreateTopic({.name = "idem", .partitions = 3}).ok());
  }
  auto created = Producer::Create({.bootstrap = broker.bootstrap(),
                                   .batch_size = 4096,
                                   .linger = std::chrono::milliseconds(2),
                                   .retry_backoff = std::chrono::milliseconds(50),
                                   .retry_backoff_max = std::chrono::milliseconds(200),
                                   .request_timeout = std::chrono::milliseconds(5000)});
  REQUIRE(created.ok());
  Producer& producer = **created;
  REQUIRE(producer.options().idempotent());

  std::mutex mu;
  std::map<int, std::pair<int32_t, int64_t>> acknowledged;  // value -> (partition, offset)
  std::vector<std::string> errors;
  constexpr int kRecords = 30000;
  auto send = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const std::string value = std::to_string(i);
      producer.Send({.topic = "idem", .key = "k" + std::to_string(i % 50), .value = value},
                    [&, i](const absl::StatusOr<RecordMetadata>& r) {
                      std::lock_guard<std::mutex> lock(mu);
                      if (!r.ok()) {
                        errors.push_back(r.status().ToString());
                      } else {
                        acknowledged[i] = {r->partition, r->offset};
                      }
                    });
    }
  };
  send(0, kRecords / 2);
  // Kill it while the second half streams: some batches are acknowledged, some in flight.
  size_t acknowledged_at_kill = 0;
  std::thread killer([&] {
    for (int i = 0; i < 1000; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (acknowledged.size() >= kRecords / 3) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      acknowledged_at_kill = acknowledged.size();
    }
    broker.Kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    REQUIRE(broker.Start());
  });
  send(kRecords / 2, kRecords);
  killer.join();
  CHECK(acknowledged_at_kill < static_cast<size_t>(kRecords));  // It died mid-stream.
  const absl::Status flushed = producer.Flush();
  INFO("first delivery error: ", errors.empty() ? "" : errors.front());
  CHECK(flushed.ok());
  CHECK(errors.empty());
  CHECK(acknowledged.size() == kRecords);

  // Each value once, at the offset its acknowledgement gave, and a key's values in send order.
  std::map<int, int> times_seen;
  std::map<std::string, int> last_of_key;
  size_t misplaced = 0;
  size_t out_of_order = 0;
  const std::vector<testing::StoredRecord> records = testing::ReadTopic(broker.bootstrap(), "idem");
  for (const testing::StoredRecord& r : records) {
    const int value = std::stoi(*r.value);
    ++times_seen[value];
    auto it = acknowledged.find(value);
    misplaced += it == acknowledged.end() || it->second != std::make_pair(r.partition, r.offset);
    auto [last, inserted] = last_of_key.try_emplace(*r.key, value);
    if (!inserted) {
      out_of_order += value < last->second;
      last->second = value;
    }
  }
  CHECK(records.size() == kRecords);
  CHECK(times_seen.size() == kRecords);
  CHECK(misplaced == 0);
  CHECK(out_of_order == 0);
  CHECK(producer.Close().ok());
  CHECK(broker.Terminate() == 0);
}

TEST_CASE("producer ids handed out before a kill -9 are never handed out again") {
  TempDir dir;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // producer_ids_child writes the ids it hands out to the pipe.
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::execl(BROOK_PRODUCER_IDS_CHILD, BROOK_PRODUCER_IDS_CHILD, dir.path().c_str(), nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  std::set<int64_t> handed_out;
  int64_t id = 0;
  while (handed_out.size() < 2500 && ::read(fds[0], &id, 8) == 8) handed_out.insert(id);
  REQUIRE(handed_out.size() == 2500);  // Each id once, across several reserved blocks.
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WIFSIGNALED(status));
  while (::read(fds[0], &id, 8) == 8) CHECK(handed_out.insert(id).second);  // Sent before.
  ::close(fds[0]);

  auto store = storage::LogStore::Open(storage::StoreOptions{.data_dir = dir.path()});
  REQUIRE(store.ok());
  for (int i = 0; i < 10; ++i) {
    auto next = (*store)->InitProducerId();
    REQUIRE(next.ok());
    CHECK(next->producer_id.value > *handed_out.rbegin());
  }
}

}  // namespace
}  // namespace brook
