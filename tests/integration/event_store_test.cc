// The event store over TCP, through brook::EventStore against an EmbeddedBroker: racing
// writers with exact expected revisions, subscriptions under concurrent appends, retries
// answered from the id index across a restart, snapshots, deletion and named subscriptions.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "broker/embedded_broker.h"
#include "client/event_store.h"
#include "protocol/event_record.h"
#include "rocksdb/db.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

std::unique_ptr<EventStore> Connect(const EmbeddedBroker& broker) {
  auto store = EventStore::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(store.ok());
  return *std::move(store);
}

TEST_CASE("event store: racing writers each win distinct revisions, losers learn the actual one") {
  EmbeddedBroker broker;
  constexpr int kWriters = 8, kStreams = 3, kWinsPerWriter = 12;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> writers;
  std::vector<std::map<std::string, std::set<int64_t>>> won(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto store = Connect(broker);
      std::map<std::string, int64_t> known;  // What this writer believes each stream is at.
      for (int wins = 0, i = 0; wins < kWinsPerWriter; ++i) {
        const std::string stream = "race-" + std::to_string(i % kStreams);
        const int64_t expected = known.contains(stream) ? known[stream] : kExpectNoStream;
        auto appended = store->Append(
            stream, expected,
            {{.type = "Won", .data = std::to_string(w) + "/" + std::to_string(wins)}});
        if (appended.ok()) {
          CHECK(appended->first_revision == expected + 1);
          won[w][stream].insert(appended->first_revision);
          known[stream] = appended->last_revision;
          ++wins;
          continue;
        }
        REQUIRE(CodeOf(appended.status()) == ErrorCode::kWrongExpectedVersion);
        std::optional<int64_t> actual = ActualRevisionOf(appended.status());
        REQUIRE(actual.has_value());
        CHECK(*actual != expected);
        known[stream] = *actual;
        ++conflicts;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  auto store = Connect(broker);
  int64_t total = 0;
  for (int s = 0; s < kStreams; ++s) {
    const std::string stream = "race-" + std::to_string(s);
    auto read = store->ReadStream(stream, 0, 10000);
    REQUIRE(read.ok());
    std::set<int64_t> claimed;
    for (const auto& writer : won) {
      for (int64_t revision : writer.count(stream) ? writer.at(stream) : std::set<int64_t>{}) {
        CHECK_MESSAGE(claimed.insert(revision).second, "revision ", revision, " won twice");
      }
    }
    CHECK(claimed.size() == read->events.size());
    for (size_t i = 0; i < read->events.size(); ++i) {
      CHECK(read->events[i].revision == static_cast<int64_t>(i));  // No gap.
    }
    total += static_cast<int64_t>(read->events.size());
  }
  CHECK(total == kWriters * kWinsPerWriter);
  MESSAGE("conflicts answered: ", conflicts.load());
}

TEST_CASE("event store: appends sent without waiting, on one connection, land in the order sent") {
  EmbeddedBroker broker;
  auto store = Connect(broker);
  // Each stream gets a chain of exact expected revisions, all in flight at once, interleaved
  // with the other streams' chains: the broker writes them together and in the order sent.
  constexpr int kStreams = 4, kPerStream = 150;
  absl::Mutex mu;
  int answered = 0;
  std::vector<absl::StatusOr<AppendResult>> results(kStreams * kPerStream);
  for (int i = 0; i < kPerStream; ++i) {
    for (int s = 0; s < kStreams; ++s) {
      const int n = i * kStreams + s;
      store->AppendAsync("chain-" + std::to_string(s), i == 0 ? kExpectNoStream : i - 1,
                         {{.type = "Link", .data = std::to_string(i)}},
                         [&, n](absl::StatusOr<AppendResult> result) {
                           absl::MutexLock lock(&mu);
                           results[n] = std::move(result);
                           ++answered;
                         });
    }
  }
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(+[](int* n) { return *n == kStreams * kPerStream; }, &answered));
  }
  for (int n = 0; n < kStreams * kPerStream; ++n) {
    INFO("append ", n);
    REQUIRE(results[n].ok());
    CHECK(results[n]->first_revision == n / kStreams);
  }
  for (int s = 0; s < kStreams; ++s) {
    auto page = store->ReadStream("chain-" + std::to_string(s), 0, kPerStream);
    REQUIRE(page.ok());
    REQUIRE(page->events.size() == static_cast<size_t>(kPerStream));
    for (int i = 0; i < kPerStream; ++i) CHECK(page->events[i].data == std::to_string(i));
  }

  // An append sent from an answer's callback (the connection's I/O thread) goes out too; a
  // wrong expected revision is answered with the actual one.
  absl::Notification second;
  absl::StatusOr<AppendResult> chained;
  store->AppendAsync("chain-0", kPerStream - 1, {{.type = "Next"}},
                     [&](absl::StatusOr<AppendResult> first) {
                       REQUIRE(first.ok());
                       store->AppendAsync("chain-0", 0, {{.type = "Stale"}},
                                          [&](absl::StatusOr<AppendResult> result) {
                                            chained = std::move(result);
                                            second.Notify();
                                          });
                     });
  second.WaitForNotification();
  CHECK(ActualRevisionOf(chained.status()) == kPerStream);
}

TEST_CASE("event store: subscriptions see every event once, in order, across catch-up and live") {
  EmbeddedBroker broker;
  auto store = Connect(broker);
  // Some history to catch up on.
  for (int i = 0; i < 30; ++i) {
    REQUIRE(store->Append("cart-" + std::to_string(i % 3), kExpectAny, {{.type = "Added"}}).ok());
  }
  constexpr int kWriters = 4, kPerWriter = 60;
  const int64_t kTotal = 30 + kWriters * kPerWriter;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto mine = Connect(broker);
      for (int i = 0; i < kPerWriter; ++i) {
        const std::string stream = (i % 2 ? "cart-" : "user-") + std::to_string(w);
        REQUIRE(mine->Append(stream, kExpectAny, {{.type = i % 3 ? "Added" : "Removed"}}).ok());
      }
    });
  }
  auto all = store->Subscribe({.stream = "$all", .batch = 7, .max_wait = std::chrono::milliseconds(200)});
  REQUIRE(all.ok());
  auto carts_store = Connect(broker);
  auto carts = carts_store->Subscribe({.stream = "$all",
                                       .filter = EventFilter::kCategory,
                                       .filter_value = "cart",
                                       .max_wait = std::chrono::milliseconds(200)});
  REQUIRE(carts.ok());
  std::vector<StoredEvent> seen, seen_carts;
  for (int rounds = 0; static_cast<int64_t>(seen.size()) < kTotal && rounds < 2000; ++rounds) {
    auto next = (*all)->Next();
    REQUIRE(next.ok());
    seen.insert(seen.end(), next->begin(), next->end());
  }
  for (std::thread& t : writers) t.join();
  REQUIRE(static_cast<int64_t>(seen.size()) == kTotal);
  std::map<std::string, int64_t> last_revision;
  for (size_t i = 0; i < seen.size(); ++i) {
    CHECK(seen[i].position == static_cast<int64_t>(i));  // No gap, duplicate or reordering.
    auto [it, fresh] = last_revision.emplace(seen[i].stream, -1);
    CHECK(seen[i].revision == it->second + 1);  // $all agrees with every stream's order.
    it->second = seen[i].revision;
  }
  const auto expected_carts = std::count_if(seen.begin(), seen.end(), [](const StoredEvent& e) {
    return e.stream.starts_with("cart-");
  });
  for (int rounds = 0; static_cast<int64_t>(seen_carts.size()) < expected_carts && rounds < 200;
       ++rounds) {
    auto next = (*carts)->Next();
    REQUIRE(next.ok());
    seen_carts.insert(seen_carts.end(), next->begin(), next->end());
  }
  REQUIRE(static_cast<int64_t>(seen_carts.size()) == expected_carts);
  for (size_t i = 1; i < seen_carts.size(); ++i) {
    CHECK(seen_carts[i].position > seen_carts[i - 1].position);
    CHECK(seen_carts[i].stream.starts_with("cart-"));
  }
  auto quiet = (*all)->Next();  // Live: nothing new within max_wait.
  REQUIRE(quiet.ok());
  CHECK(quiet->empty());
}

TEST_CASE("event store: EventRead version 0 answers events, version 1 the stored batches when asked") {
  EmbeddedBroker broker;
  auto store = Connect(broker);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(store->Append("acct-" + std::to_string(i % 4), kExpectAny,
                          {{.type = "A", .data = std::to_string(i)}, {.type = "B"}})
                .ok());
  }
  testing::RawClient raw(broker.bootstrap());
  REQUIRE(raw.ok());
  EventReadRequest read;
  read.stream = std::string(kAllStream);
  read.from = 3;
  read.limit = 6;
  read.batches = true;  // Not encoded at version 0.
  auto v0 = testing::TryRoundtrip(raw, read, 1, 5000, 0);
  REQUIRE(v0.has_value());
  REQUIRE(v0->second.events.size() == 6);
  CHECK(v0->second.next == 9);
  CHECK(v0->second.head == 19);
  CHECK(v0->second.records.empty());
  auto v1 = testing::TryRoundtrip(raw, read, 2, 5000, 1);
  REQUIRE(v1.has_value());
  CHECK(v1->second.events.empty());
  CHECK(v1->second.next == 9);
  CHECK(v1->second.head == 19);
  std::vector<std::pair<int64_t, std::string>> from_batches;
  CHECK(v1->second.first == 3);
  CHECK(v1->second.end == 9);
  const EventSelection taken{kAllStream, v1->second.first, v1->second.end};
  REQUIRE(ForEachEvent(v1->second.records, [&](const EventRecord& e) {
            if (taken.Takes(e)) from_batches.emplace_back(e.position, std::string(e.data));
          }).ok());
  REQUIRE(from_batches.size() == 6);
  for (size_t i = 0; i < 6; ++i) {
    CHECK(from_batches[i].first == v0->second.events[i].position);
    CHECK(from_batches[i].second == v0->second.events[i].data);
  }
  // A filtered read is answered with events, whatever it asks.
  read.filter = static_cast<int8_t>(EventFilter::kEventType);
  read.filter_value = "B";
  auto filtered = testing::TryRoundtrip(raw, read, 3, 5000, 1);
  REQUIRE(filtered.has_value());
  CHECK(filtered->second.records.empty());
  CHECK(filtered->second.events.size() == 6);
  for (const RecordedEvent& e : filtered->second.events) CHECK(e.type == "B");
}

TEST_CASE("event store: a subscription that meets a rotted batch fails there each time and skips nothing") {
  testing::TempDir dir;
  const std::string big(600, 'x');  // A blob-sized value, found again below by its bytes.
  {
    EmbeddedBroker broker({.data_dir = dir.path()});
    auto store = Connect(broker);
    for (const char* type : {"First", "Rots", "Third"}) {
      REQUIRE(store->Append("acct-1", kExpectAny, {{.type = type, .data = type + big}}).ok());
    }
  }
  // One byte of the second append's batch flips behind RocksDB's back.
  storage::testing::ChangeDb(dir.path(), [&big](const storage::ColumnFamilies& cfs) {
    std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(rocksdb::ReadOptions(), cfs.log));
    int flipped = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string value = it->value().ToString();
      if (value.find("Rots" + big) == std::string::npos) continue;
      value.back() ^= 0x20;
      REQUIRE(cfs.db->Put(rocksdb::WriteOptions(), cfs.log, it->key(), value).ok());
      ++flipped;
    }
    REQUIRE(flipped == 1);
  });
  EmbeddedBroker broker({.data_dir = dir.path()});
  auto store = Connect(broker);
  auto all = store->Subscribe({.stream = "$all", .batch = 1, .max_wait = std::chrono::milliseconds(0)});
  REQUIRE(all.ok());
  auto first = (*all)->Next();  // Asks for the rotted page before it returns.
  REQUIRE(first.ok());
  REQUIRE(first->size() == 1);
  CHECK((*first)[0].type == "First");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto rotted = (*all)->Next();
    CHECK(CodeOf(rotted.status()) == ErrorCode::kCorruptMessage);
    CHECK((*all)->position() == 1);
  }
  CHECK(CodeOf(store->ReadStream("acct-1").status()) == ErrorCode::kCorruptMessage);
}

TEST_CASE("event store: a retry after a restart, snapshots, deletion and a named subscription") {
  EmbeddedBroker broker;
  auto store = Connect(broker);
  const std::vector<EventToAppend> events = {
      {.id = "0190b5c2-7d3e-4a8f-9b1c-2d3e4f5a6b7c", .type = "Opened", .data = R"({"owner":"ann"})"},
      {.id = "0190b5c2-7d3e-4a8f-9b1c-2d3e4f5a6b7d", .type = "Deposited", .data = R"({"amount":5})"}};
  auto first = store->Append("account-1", kExpectNoStream, events);
  REQUIRE(first.ok());
  CHECK_FALSE(first->duplicate);
  store.reset();
  REQUIRE(broker.Restart().ok());
  store = Connect(broker);
  auto retry = store->Append("account-1", kExpectNoStream, events);
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_position == first->first_position);
  CHECK(retry->last_revision == 1);
  auto bad_id = store->Append("account-1", kExpectAny, {{.id = "not-a-uuid", .type = "X"}});
  CHECK(CodeOf(bad_id.status()) == ErrorCode::kInvalidRequest);

  REQUIRE(store->Append("account-1", 1, {{.type = "Withdrawn"}}).ok());
  REQUIRE(store->SaveSnapshot("account-1", 1, R"({"balance":5})").ok());
  REQUIRE(store->Append("account-1", 2, {{.type = "Deposited"}}).ok());
  auto snapshot = store->LoadSnapshot("account-1");
  REQUIRE(snapshot.ok());
  CHECK(snapshot->revision == 1);
  CHECK(snapshot->data == R"({"balance":5})");
  REQUIRE(snapshot->events.events.size() == 2);
  CHECK(snapshot->events.events[0].type == "Withdrawn");
  CHECK(snapshot->events.head == 3);

  auto backwards = store->ReadStream("account-1", -1, 2, /*backwards=*/true);
  REQUIRE(backwards.ok());
  REQUIRE(backwards->events.size() == 2);
  CHECK(backwards->events[0].revision == 3);

  auto named = store->Subscribe({.stream = "account-1", .name = "balance", .max_wait = {}});
  REQUIRE(named.ok());
  auto got = (*named)->Next();
  REQUIRE(got.ok());
  CHECK(got->size() == 4);
  REQUIRE((*named)->Commit().ok());
  REQUIRE(store->Append("account-1", 3, {{.type = "Closed"}}).ok());
  auto resumed = store->Subscribe({.stream = "account-1", .name = "balance", .max_wait = {}});
  REQUIRE(resumed.ok());
  got = (*resumed)->Next();
  REQUIRE(got.ok());
  REQUIRE(got->size() == 1);
  CHECK((*got)[0].type == "Closed");

  auto deleted = store->DeleteStream("account-1", 4);
  REQUIRE(deleted.ok());
  CHECK(*deleted == 4);
  CHECK(CodeOf(store->ReadStream("account-1").status()) == ErrorCode::kStreamNotFound);
  CHECK(CodeOf(store->ReadStream("nope").status()) == ErrorCode::kStreamNotFound);
  CHECK(CodeOf(store->ReadAll(0, 0).status()) == ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace brook
