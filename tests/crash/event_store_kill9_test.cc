// Crash safety of the event store: `brook serve` killed with SIGKILL while writers append to
// streams with exact expected revisions. After the restart no append is half there, every
// stream's revisions and $all's positions are contiguous, every acknowledged append is there
// and a retry of it is answered from the id index with its first result, and the append in
// flight at the kill lands once whatever happened to it.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/event_store.h"
#include "fmt/format.h"
#include "protocol/event_id.h"
#include "tests/support/child_broker.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

using testing::ChildBroker;
using testing::TempDir;

constexpr int kWriters = 4;
constexpr int kEventsPerAppend = 3;

struct Attempt {
  std::string stream;
  std::vector<EventToAppend> events;
  std::optional<AppendResult> acked;
};

std::vector<EventToAppend> MakeEvents(int writer, int n) {
  std::vector<EventToAppend> events;
  for (int i = 0; i < kEventsPerAppend; ++i) {
    events.push_back({.id = FormatEventId(NewEventId()),
                      .type = "Step",
                      .data = fmt::format("w{}-a{}-e{}", writer, n, i)});
  }
  return events;
}

// acks=1: an append is acknowledged once in the WAL, which a killed process keeps.
absl::StatusOr<std::unique_ptr<EventStore>> Open(const ChildBroker& broker) {
  return EventStore::Create({.bootstrap = broker.bootstrap(),
                             .request_timeout = std::chrono::milliseconds(3000),
                             .acks = kAcksLeader});
}

TEST_CASE("after kill -9 during appends, no append is half there and retries are answered") {
  TempDir dir;
  ChildBroker broker(dir.path());
  REQUIRE(broker.Start());
  std::vector<std::vector<Attempt>> attempts(kWriters);
  std::atomic<int> acked_total{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto store = Open(broker);
      if (!store.ok()) return;
      // Two streams per writer, one shared by all: exact expected revisions race there.
      std::map<std::string, int64_t> known;
      for (int n = 0;; ++n) {
        const std::string stream =
            n % 2 ? "shared-0" : fmt::format("own-{}", w);
        Attempt& attempt = attempts[w].emplace_back(Attempt{stream, MakeEvents(w, n), {}});
        const int64_t expected = known.contains(stream) ? known[stream] : kExpectNoStream;
        auto result = (*store)->Append(stream, expected, attempt.events);
        if (result.ok()) {
          attempt.acked = *result;
          known[stream] = result->last_revision;
          ++acked_total;
          continue;
        }
        if (std::optional<int64_t> actual = ActualRevisionOf(result.status())) {
          known[stream] = *actual;
          attempts[w].pop_back();  // Refused: nothing of it was appended.
          continue;
        }
        return;  // The broker is gone.
      }
    });
  }
  while (acked_total.load() < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  broker.Kill();
  for (std::thread& t : writers) t.join();

  REQUIRE(broker.Start());
  auto opened = Open(broker);
  REQUIRE(opened.ok());
  auto& store = *opened;
  // Every event of every append, by data: each append is wholly there or not at all.
  std::map<std::string, StoredEvent> by_data;
  auto all = store->ReadAll(0, 10000);
  REQUIRE(all.ok());
  for (size_t i = 0; i < all->events.size(); ++i) {
    CHECK(all->events[i].position == static_cast<int64_t>(i));  // No gap in $all.
    by_data[all->events[i].data] = all->events[i];
  }
  CHECK(all->events.size() % kEventsPerAppend == 0);
  std::map<std::string, int64_t> last_revision;
  for (const StoredEvent& e : all->events) {
    auto [it, fresh] = last_revision.emplace(e.stream, -1);
    CHECK(e.revision == it->second + 1);  // Each stream contiguous, in $all's order.
    it->second = e.revision;
  }
  int acked = 0, in_flight_landed = 0;
  for (auto& writer : attempts) {
    for (Attempt& attempt : writer) {
      int present = 0;
      for (const EventToAppend& e : attempt.events) present += by_data.contains(e.data);
      CHECK_MESSAGE((present == 0 || present == kEventsPerAppend), "half an append: ",
                    attempt.events[0].data);
      if (attempt.acked) {
        ++acked;
        CHECK(present == kEventsPerAppend);
        // A retry is answered from the id index with the first result.
        auto retry = store->Append(attempt.stream, kExpectAny, attempt.events);
        REQUIRE(retry.ok());
        CHECK(retry->duplicate);
        CHECK(retry->first_revision == attempt.acked->first_revision);
        CHECK(retry->first_position == attempt.acked->first_position);
        continue;
      }
      // The append in flight at the kill: a retry lands it exactly once.
      in_flight_landed += present > 0;
      auto retry = store->Append(attempt.stream, kExpectAny, attempt.events);
      REQUIRE(retry.ok());
      CHECK(retry->duplicate == (present > 0));
    }
  }
  CHECK(acked == acked_total.load());
  auto after = store->ReadAll(0, 10000);
  REQUIRE(after.ok());
  std::set<std::string> distinct;
  for (const StoredEvent& e : after->events) CHECK(distinct.insert(e.data).second);
  MESSAGE(acked, " acknowledged appends; ", in_flight_landed,
          " unacknowledged ones had landed before the kill");
}

}  // namespace
}  // namespace brook
