// The event store under concurrent appends (storage/event_store/): expected-revision checks
// and event-id idempotency hold when appends to the same streams race on many threads.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "fmt/format.h"
#include "protocol/event_id.h"
#include "protocol/expected_revision.h"
#include "protocol/messages.h"
#include "protocol/partitioner.h"
#include "storage/event_store/event_store.h"
#include "tests/storage/event_store_fixture.h"

namespace brook::storage::events {
namespace {

using testing::Ev;
using Fixture = testing::EventStoreFixture;

TEST_CASE_FIXTURE(Fixture, "event store: racing appends with expected revisions land each once, in order") {
  constexpr int kThreads = 8, kAppends = 150, kStreams = 3;
  std::mutex mu;
  std::map<std::string, std::map<int64_t, std::string>> landed;  // Stream -> revision -> type.
  std::atomic<int> conflicts{0}, failures{0}, reused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int64_t> known(kStreams, kExpectNoStream);
      for (int i = 0; i < kAppends; ++i) {
        const int s = (t + i) % kStreams;
        const std::string stream = fmt::format("account-{}", s);
        const std::string type = fmt::format("t{}-{}", t, i);
        for (;;) {
          absl::StatusOr<AppendOutcome> outcome = Append(stream, known[s], {Ev(type)});
          if (outcome.ok()) {
            known[s] = outcome->last_revision;
            std::lock_guard lock(mu);
            reused += !landed[stream].emplace(outcome->first_revision, type).second;
            break;
          }
          const std::optional<int64_t> actual = ActualRevisionOf(outcome.status());
          if (!actual || *actual == known[s]) {  // Only a stale expectation may fail.
            ++failures;
            return;
          }
          known[s] = *actual;
          ++conflicts;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(reused.load() == 0);  // No revision given to two appends.
  MESSAGE(conflicts.load(), " appends were refused for a stale expected revision and retried");
  int total = 0;
  for (int s = 0; s < kStreams; ++s) {
    const std::string stream = fmt::format("account-{}", s);
    auto read = events->ReadStream("", stream, {.limit = 10000});
    REQUIRE(read.ok());
    const auto& expected = landed[stream];
    REQUIRE(read->events.size() == expected.size());
    int64_t revision = 0;
    for (const Event& event : read->events) {
      INFO(stream, "@", revision);
      CHECK(event.revision == revision);
      CHECK(event.type == expected.at(revision));
      ++revision;
    }
    total += static_cast<int>(read->events.size());
  }
  CHECK(total == kThreads * kAppends);
}

TEST_CASE_FIXTURE(Fixture, "event store: racing retries of the same appends land them once") {
  // One event per append, and three: an append of several looks its ids up before the lock
  // and must look again when the other client's append landed in between.
  for (const int events_per_append : {1, 3}) {
    CAPTURE(events_per_append);
    const std::string stream = fmt::format("order-{}", events_per_append);
    constexpr int kAppends = 300;
    std::vector<std::vector<std::string>> ids(kAppends);
    std::vector<std::vector<std::string>> types(kAppends);
    for (int i = 0; i < kAppends; ++i) {
      for (int e = 0; e < events_per_append; ++e) {
        ids[i].push_back(NewEventId());
        types[i].push_back(fmt::format("e{}-{}", i, e));
      }
    }
    // Two clients send the same appends (as a client and its retry would), in the same order.
    std::vector<AppendOutcome> outcomes[2];
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kAppends; ++i) {
          std::vector<NewEvent> batch;
          for (int e = 0; e < events_per_append; ++e) {
            batch.push_back(Ev(types[i][e], "{}", ids[i][e]));
          }
          absl::StatusOr<AppendOutcome> outcome = Append(stream, kExpectAny, batch);
          if (!outcome.ok()) {
            ++failures;
            return;
          }
          outcomes[t].push_back(*outcome);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    REQUIRE(failures.load() == 0);
    int duplicates = 0;
    for (int i = 0; i < kAppends; ++i) {
      INFO("append ", i);
      const AppendOutcome& a = outcomes[0][i];
      const AppendOutcome& b = outcomes[1][i];
      CHECK(a.first_revision == b.first_revision);
      CHECK(a.first_position == b.first_position);
      CHECK(a.duplicate != b.duplicate);  // One appended, the other was answered as a repeat.
      duplicates += a.duplicate + b.duplicate;
    }
    CHECK(duplicates == kAppends);
    auto read = events->ReadStream("", stream, {.limit = 10000});
    REQUIRE(read.ok());
    REQUIRE(read->events.size() == static_cast<size_t>(kAppends * events_per_append));
    for (size_t i = 0; i < read->events.size(); ++i) {
      CHECK(read->events[i].revision == static_cast<int64_t>(i));
    }
  }
}

// Starts an append whose `done` holds the writer (its thread) until `go`, so that what is
// queued meanwhile is written in the writer's next pass. `later` is how the writer defers it.
struct HeldWriter {
  HeldWriter(EventStore& events, std::string_view topic, const AppendRequest& first,
             EventStore::RunLater later = nullptr) {
    thread = std::thread([&events, topic, &first, this, later = std::move(later)] {
      events.AppendQueued(
          topic, first,
          [this](absl::StatusOr<AppendOutcome> outcome) {
            CHECK(outcome.ok());
            in_done.Notify();
            go.WaitForNotification();
          },
          later);
    });
    in_done.WaitForNotification();
  }
  void Release() {
    go.Notify();
    thread.join();
  }
  absl::Notification in_done, go;
  std::thread thread;
};

TEST_CASE_FIXTURE(Fixture, "event store: appends queued together are written in one pass, each on its own") {
  // The first append's `done` holds its writer until the others are queued, so that they are
  // written together in the writer's next pass.
  std::vector<NewEvent> first_events = {Ev("First")};
  const AppendRequest first{"acct-0", kExpectNoStream, first_events};
  HeldWriter writer(*events, "", first);

  const std::string retried_id = NewEventId();
  const std::string big(2 << 20, 'x');
  std::vector<std::vector<NewEvent>> batches = {
      {Ev("A1")},                         // 0: a new stream
      {Ev("A2"), Ev("A3")},               // 1: the same stream, after 0 in the same pass
      {Ev("Late")},                       // 2: expects revision 0: 1 moved it on to 2
      {Ev("Big", big)},                   // 3: too large: fails alone
      {Ev("R", "{}", retried_id)},        // 4: an append with an id of its own
      {Ev("R", "{}", retried_id)},        // 5: its retry, racing it in the same pass
      {Ev("B1")},                         // 6: streams of other partitions
      {Ev("C1")},                         // 7
      {Ev("A4")},                         // 8: the first stream again, after 1
      {Ev("X", "{}", retried_id)},        // 9: expects a revision the stream is not at
      {Ev("X", "{}", retried_id)},        // 10: its retry with `any`: it takes revision 0
      {Ev("Y")},                          // 11: sent after 10: it comes after it
  };
  const std::vector<AppendRequest> requests = {
      {"acct-1", kExpectNoStream, batches[0]}, {"acct-1", 0, batches[1]},
      {"acct-1", 0, batches[2]},               {"acct-1", kExpectAny, batches[3]},
      {"acct-2", kExpectAny, batches[4]},      {"acct-2", kExpectAny, batches[5]},
      {"acct-3", kExpectAny, batches[6]},      {"acct-4", kExpectAny, batches[7]},
      {"acct-1", 2, batches[8]},               {"acct-5", 7, batches[9]},
      {"acct-5", kExpectAny, batches[10]},     {"acct-5", kExpectAny, batches[11]},
  };
  std::vector<absl::StatusOr<AppendOutcome>> outcomes(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    events->AppendQueued("", requests[i], [&outcomes, i](absl::StatusOr<AppendOutcome> outcome) {
      outcomes[i] = std::move(outcome);
    });
  }
  writer.Release();  // Its passes wrote every queued append before AppendQueued returned.

  for (const size_t i : {0, 1, 4, 5, 6, 7, 8, 10, 11}) {
    INFO("append ", i);
    REQUIRE(outcomes[i].ok());
  }
  CHECK(outcomes[0]->first_revision == 0);
  CHECK(outcomes[1]->first_revision == 1);
  CHECK(outcomes[1]->last_revision == 2);
  CHECK(outcomes[8]->first_revision == 3);
  CHECK(ActualRevisionOf(outcomes[2].status()) == 2);
  CHECK(CodeOf(outcomes[3].status()) == ErrorCode::kMessageTooLarge);
  CHECK_FALSE(outcomes[4]->duplicate);
  CHECK(outcomes[5]->duplicate);
  CHECK(outcomes[5]->first_position == outcomes[4]->first_position);
  CHECK(ActualRevisionOf(outcomes[9].status()) == -1);
  CHECK(outcomes[10]->first_revision == 0);
  CHECK(outcomes[11]->first_revision == 1);

  // $all holds every appended event once, at contiguous positions, each stream in order.
  absl::StatusOr<EventSlice> all = events->ReadAll("", {.from = 0, .limit = 100});
  REQUIRE(all.ok());
  REQUIRE(all->events.size() == 10);  // First, A1-A4, R, B1, C1, X, Y.
  std::map<std::string, int64_t> next_revision;
  for (size_t p = 0; p < all->events.size(); ++p) {
    const Event& event = all->events[p];
    CHECK(event.position == static_cast<int64_t>(p));
    CHECK(event.revision == next_revision[event.stream]++);
  }
  absl::StatusOr<EventSlice> acct1 = events->ReadStream("", "acct-1", {});
  REQUIRE(acct1.ok());
  CHECK(Types(*acct1) == std::vector<std::string>{"A1", "A2", "A3", "A4"});
  Reopen();  // What the pass wrote is what the index says after a restart too.
  acct1 = events->ReadStream("", "acct-1", {});
  REQUIRE(acct1.ok());
  CHECK(Types(*acct1) == std::vector<std::string>{"A1", "A2", "A3", "A4"});
  CHECK(events->VisibleEnd("").value_or(-1) == 10);
}

TEST_CASE_FIXTURE(Fixture, "event store: stream states kept in memory stay what is stored, beyond the cache's size") {
  for (const size_t cached : {size_t{0}, size_t{4}, size_t{65536}}) {
    CAPTURE(cached);
    options.cached_streams = cached;
    Reopen();
    const std::string prefix = fmt::format("cache{}-", cached);
    constexpr int kStreams = 20, kRounds = 5;
    // Appends with exact expected revisions, round after round, over more streams than kept.
    for (int round = 0; round < kRounds; ++round) {
      for (int s = 0; s < kStreams; ++s) {
        INFO("round ", round, " stream ", s);
        const std::string stream = prefix + std::to_string(s);
        REQUIRE(Append(stream, round == 0 ? kExpectNoStream : round - 1, {Ev("E")}).ok());
        CHECK(ActualRevisionOf(Append(stream, round - 1, {Ev("Stale")}).status()) == round);
      }
    }
    // A deletion and a truncation change states the cache holds (written last).
    const std::string deleted = prefix + "3", truncated = prefix + "4";
    REQUIRE(Append(truncated, kRounds - 1, {Ev("Last")}).ok());
    REQUIRE(Append(deleted, kRounds - 1, {Ev("Last")}).ok());
    REQUIRE(events->DeleteStream("", deleted, kRounds).ok());
    REQUIRE(events->TruncateStream("", truncated, 2, kRounds).ok());
    CHECK(Append(deleted, kExpectNoStream, {Ev("Again")})->first_revision == kRounds + 1);
    CHECK(ActualRevisionOf(Append(deleted, kExpectNoStream, {Ev("Twice")}).status()) ==
          kRounds + 1);
    CHECK(Append(truncated, kRounds, {Ev("After")})->first_revision == kRounds + 1);
    auto read = events->ReadStream("", truncated, {});
    REQUIRE(read.ok());
    CHECK(read->events.front().revision == 2);
    CHECK(read->events.back().revision == kRounds + 1);
  }
}

TEST_CASE_FIXTURE(Fixture, "event store: a writer lets its thread go between passes, and a shutdown answers what is left") {
  std::vector<NewEvent> first_events = {Ev("First")}, second_events = {Ev("Second")},
                        third_events = {Ev("Third")};
  const AppendRequest first{"w-1", kExpectNoStream, first_events};
  const AppendRequest second{"w-2", kExpectNoStream, second_events};
  const AppendRequest third{"w-3", kExpectNoStream, third_events};
  std::vector<absl::AnyInvocable<void() &&>> deferred;
  absl::Mutex deferred_mu;
  HeldWriter writer(*events, "", first, [&](absl::AnyInvocable<void() &&> pass) {
    absl::MutexLock lock(&deferred_mu);
    deferred.push_back(std::move(pass));
  });
  std::optional<absl::StatusOr<AppendOutcome>> second_outcome;
  events->AppendQueued("", second, [&](absl::StatusOr<AppendOutcome> outcome) {
    second_outcome = std::move(outcome);
  });
  writer.Release();
  // The writer wrote its pass and handed the next one to `later` instead of writing it.
  CHECK_FALSE(second_outcome.has_value());
  REQUIRE(deferred.size() == 1);
  std::move(deferred.front())();
  REQUIRE(second_outcome.has_value());
  CHECK((*second_outcome)->first_position == 1);
  CHECK(deferred.size() == 1);  // The queue was empty after it: no further pass.

  // Once more, and this time the deferred pass never runs (its thread stopped): FailQueued
  // answers the queued append, and appends work again afterwards.
  deferred.clear();
  HeldWriter again(*events, "", third, [&](absl::AnyInvocable<void() &&> pass) {
    absl::MutexLock lock(&deferred_mu);
    deferred.push_back(std::move(pass));
  });
  std::vector<NewEvent> left_events = {Ev("Left")};
  const AppendRequest left{"w-4", kExpectNoStream, left_events};
  std::optional<absl::StatusOr<AppendOutcome>> left_outcome;
  events->AppendQueued("", left, [&](absl::StatusOr<AppendOutcome> outcome) {
    left_outcome = std::move(outcome);
  });
  again.Release();
  REQUIRE(deferred.size() == 1);
  events->FailQueued(absl::UnavailableError("shutting down"));
  REQUIRE(left_outcome.has_value());
  CHECK(absl::IsUnavailable(left_outcome->status()));
  CHECK(Append("w-4", kExpectNoStream, {Ev("Later")}).ok());
}

TEST_CASE_FIXTURE(Fixture, "event store: a new stream's appends in one pass stay in one partition when partitions are added meanwhile") {
  REQUIRE(log->CreateTopic("ledger", 4, {{"event.store", "true"}}).ok());
  // A stream that 6 partitions would put in a lower partition than 4 do: written in partition
  // order, its second append would otherwise come first.
  std::string stream;
  for (int i = 0; stream.empty() && i < 1000; ++i) {
    const std::string candidate = "acct-" + std::to_string(i);
    if (PartitionForKey(candidate, 6) < PartitionForKey(candidate, 4)) stream = candidate;
  }
  REQUIRE_FALSE(stream.empty());
  std::vector<NewEvent> hold_events = {Ev("Hold")}, a_events = {Ev("A")}, b_events = {Ev("B")};
  const AppendRequest hold{"other", kExpectAny, hold_events};
  HeldWriter writer(*events, "ledger", hold);
  const AppendRequest a{stream, kExpectNoStream, a_events};
  const AppendRequest b{stream, 0, b_events};
  std::optional<absl::StatusOr<AppendOutcome>> a_outcome, b_outcome;
  events->AppendQueued("ledger", a, [&](auto outcome) { a_outcome = std::move(outcome); });
  REQUIRE(log->CreatePartitions("ledger", 6).ok());
  events->AppendQueued("ledger", b, [&](auto outcome) { b_outcome = std::move(outcome); });
  writer.Release();
  REQUIRE(a_outcome.has_value());
  REQUIRE(b_outcome.has_value());
  REQUIRE(a_outcome->ok());
  REQUIRE(b_outcome->ok());
  CHECK((*a_outcome)->first_revision == 0);
  CHECK((*b_outcome)->first_revision == 1);
  auto read = events->ReadStream("ledger", stream, {});
  REQUIRE(read.ok());
  CHECK(Types(*read) == std::vector<std::string>{"A", "B"});
  // Both records are in the partition 4 partitions gave it (beside "other"'s, maybe).
  const int32_t home = PartitionForKey(stream, 4);
  auto offsets = log->Offsets("ledger", PartitionId(home));
  REQUIRE(offsets.ok());
  CHECK(offsets->log_end.value == 2 + (PartitionForKey("other", 4) == home ? 1 : 0));
}

TEST_CASE_FIXTURE(Fixture, "event store: a store topic deleted and made again starts with no stream") {
  REQUIRE(log->CreateTopic("ledger", 2, {{"event.store", "true"}}).ok());
  std::vector<NewEvent> first = {Ev("A")};
  REQUIRE(events->Append("ledger", {"s-1", kExpectNoStream, first}).ok());
  REQUIRE(log->DeleteTopic("ledger").ok());
  REQUIRE(log->CreateTopic("ledger", 2, {{"event.store", "true"}}).ok());
  std::vector<NewEvent> again = {Ev("B")};
  absl::StatusOr<AppendOutcome> appended =
      events->Append("ledger", {"s-1", kExpectNoStream, again});
  REQUIRE(appended.ok());
  CHECK(appended->first_revision == 0);
}

}  // namespace
}  // namespace brook::storage::events
