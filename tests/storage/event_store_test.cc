// The event store's storage layer (storage/event_store/): appends with expected revisions,
// idempotency by event id (across a reopen), reads of a stream and of $all, snapshots,
// deletion, truncation and checkpoints, on a real RocksDB in a temporary directory.
#include <doctest/doctest.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/event_id.h"
#include "protocol/event_record.h"
#include "protocol/expected_revision.h"
#include "protocol/messages.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/event_store/event_store.h"
#include "storage/keys.h"
#include "tests/storage/event_store_fixture.h"

namespace brook::storage::events {
namespace {

using testing::EventStoreFixture;
using testing::Ev;
using Fixture = EventStoreFixture;

TEST_CASE_FIXTURE(Fixture, "event store: expected revisions, each outcome and the actual revision") {
  auto first = Append("account-1", kExpectNoStream, {Ev("Opened"), Ev("Deposited")});
  REQUIRE(first.ok());
  CHECK(first->first_revision == 0);
  CHECK(first->last_revision == 1);
  CHECK(first->first_position == 0);
  CHECK(first->last_position == 1);
  CHECK_FALSE(first->duplicate);

  auto again = Append("account-1", kExpectNoStream, {Ev("Opened")});
  CHECK(CodeOf(again.status()) == ErrorCode::kWrongExpectedVersion);
  CHECK(ActualRevisionOf(again.status()) == 1);
  auto stale = Append("account-1", 0, {Ev("Withdrawn")});
  CHECK(CodeOf(stale.status()) == ErrorCode::kWrongExpectedVersion);
  CHECK(ActualRevisionOf(stale.status()) == 1);
  auto missing = Append("account-2", kExpectStreamExists, {Ev("Withdrawn")});
  CHECK(CodeOf(missing.status()) == ErrorCode::kWrongExpectedVersion);
  CHECK(ActualRevisionOf(missing.status()) == -1);
  auto bad = Append("account-1", -7, {Ev("Withdrawn")});
  CHECK(CodeOf(bad.status()) == ErrorCode::kInvalidRequest);

  REQUIRE(Append("account-1", 1, {Ev("Withdrawn")}).ok());
  REQUIRE(Append("account-1", kExpectStreamExists, {Ev("Deposited")}).ok());
  auto any = Append("account-1", kExpectAny, {Ev("Closed")});
  REQUIRE(any.ok());
  CHECK(any->first_revision == 4);
  CHECK(any->first_position == 4);

  auto read = events->ReadStream("", "account-1", {});
  REQUIRE(read.ok());
  CHECK(Types(*read) ==
        std::vector<std::string>{"Opened", "Deposited", "Withdrawn", "Deposited", "Closed"});
  CHECK(read->head == 4);
  CHECK(read->next == 5);
  for (size_t i = 0; i < read->events.size(); ++i) {
    CHECK(read->events[i].revision == static_cast<int64_t>(i));
    CHECK(read->events[i].stream == "account-1");
    CHECK(read->events[i].content_type == "application/json");
    CHECK(ParseEventId(read->events[i].id).ok());
  }
}

TEST_CASE_FIXTURE(Fixture, "event store: a repeated append answers the first one's result, after a reopen too") {
  const std::string a = NewEventId(), b = NewEventId(), c = NewEventId();
  REQUIRE(Append("order-1", kExpectNoStream, {Ev("Other")}).ok());
  auto first = Append("order-1", 0, {Ev("Placed", "{}", a), Ev("Paid", "{}", b)});
  REQUIRE(first.ok());
  Reopen();
  // Whatever the expected revision says.
  auto retry = Append("order-1", kExpectNoStream, {Ev("Placed", "{}", a), Ev("Paid", "{}", b)});
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_revision == first->first_revision);
  CHECK(retry->last_revision == first->last_revision);
  CHECK(retry->first_position == first->first_position);
  CHECK(retry->last_position == first->last_position);
  auto tail = Append("order-1", kExpectAny, {Ev("Paid", "{}", b)});
  REQUIRE(tail.ok());
  CHECK(tail->duplicate);
  CHECK(tail->first_revision == 2);

  auto partial = Append("order-1", kExpectAny, {Ev("Paid", "{}", b), Ev("Shipped", "{}", c)});
  CHECK(CodeOf(partial.status()) == ErrorCode::kEventIdConflict);
  auto reordered = Append("order-1", kExpectAny, {Ev("Paid", "{}", b), Ev("Placed", "{}", a)});
  CHECK(CodeOf(reordered.status()) == ErrorCode::kEventIdConflict);
  auto twice = Append("order-1", kExpectAny, {Ev("Shipped", "{}", c), Ev("Shipped", "{}", c)});
  CHECK(CodeOf(twice.status()) == ErrorCode::kInvalidRequest);
  // The same id in another stream is another event.
  REQUIRE(Append("order-2", kExpectNoStream, {Ev("Placed", "{}", a)}).ok());

  auto read = events->ReadStream("", "order-1", {});
  REQUIRE(read.ok());
  CHECK(read->events.size() == 3);  // Nothing appended twice, nothing half.
  auto next = Append("order-1", 2, {Ev("Shipped")});
  REQUIRE(next.ok());
  CHECK(next->first_position == 4);  // The global position was recovered.
}

TEST_CASE_FIXTURE(Fixture, "event store: stream reads forwards and backwards with a limit") {
  for (int i = 0; i < 10; ++i) {
    const std::string type = "E" + std::to_string(i);
    std::vector<NewEvent> batch = {Ev(type)};
    REQUIRE(Append("s-1", i - 1, batch).ok());
    REQUIRE(Append("s-2", kExpectAny, {Ev("other")}).ok());
  }
  auto forward = events->ReadStream("", "s-1", {.from = 3, .limit = 4});
  REQUIRE(forward.ok());
  CHECK(Types(*forward) == std::vector<std::string>{"E3", "E4", "E5", "E6"});
  CHECK(forward->next == 7);
  auto backward = events->ReadStream("", "s-1", {.from = -1, .backwards = true, .limit = 3});
  REQUIRE(backward.ok());
  CHECK(Types(*backward) == std::vector<std::string>{"E9", "E8", "E7"});
  CHECK(backward->next == 6);
  auto rest = events->ReadStream("", "s-1", {.from = 1, .backwards = true, .limit = 5});
  REQUIRE(rest.ok());
  CHECK(Types(*rest) == std::vector<std::string>{"E1", "E0"});
  CHECK(rest->next == -1);
  auto past = events->ReadStream("", "s-1", {.from = 10});
  REQUIRE(past.ok());
  CHECK(past->events.empty());
  CHECK(past->next == 10);

  CHECK(CodeOf(events->ReadStream("", "nope", {}).status()) == ErrorCode::kStreamNotFound);
  CHECK(CodeOf(events->ReadStream("", "s-1", {.limit = 0}).status()) ==
        ErrorCode::kInvalidRequest);
}

TEST_CASE_FIXTURE(Fixture, "event store: stream reads start and stop inside appends of several events") {
  // Four appends of three events: revisions 0-2, 3-5, 6-8, 9-11, each one index entry.
  std::vector<std::string> types;
  for (int e = 0; e < 12; ++e) types.push_back("E" + std::to_string(e));
  for (int i = 0; i < 4; ++i) {
    std::vector<NewEvent> batch;
    for (int e = 0; e < 3; ++e) batch.push_back(Ev(types[3 * i + e]));
    REQUIRE(Append("runs", 3 * i - 1, batch).ok());
    REQUIRE(Append("other", kExpectAny, {Ev("x")}).ok());
  }
  auto forward = events->ReadStream("", "runs", {.from = 4, .limit = 5});
  REQUIRE(forward.ok());
  CHECK(Types(*forward) == std::vector<std::string>{"E4", "E5", "E6", "E7", "E8"});
  CHECK(forward->next == 9);
  auto backward = events->ReadStream("", "runs", {.from = 7, .backwards = true, .limit = 4});
  REQUIRE(backward.ok());
  CHECK(Types(*backward) == std::vector<std::string>{"E7", "E6", "E5", "E4"});
  CHECK(backward->next == 3);
  REQUIRE(events->TruncateStream("", "runs", 5, kExpectAny).ok());
  auto tail = events->ReadStream("", "runs", {.from = -1, .backwards = true, .limit = 20});
  REQUIRE(tail.ok());
  CHECK(Types(*tail) ==
        std::vector<std::string>{"E11", "E10", "E9", "E8", "E7", "E6", "E5"});
  CHECK(tail->next == -1);
  auto stop = events->ReadStream("", "runs", {.from = 6, .backwards = true, .limit = 2});
  REQUIRE(stop.ok());
  CHECK(Types(*stop) == std::vector<std::string>{"E6", "E5"});
  CHECK(stop->next == -1);  // Revision 4 is hidden.
  auto all = events->ReadStream("", "runs", {.from = 0});
  REQUIRE(all.ok());
  CHECK(Types(*all) == std::vector<std::string>{"E5", "E6", "E7", "E8", "E9", "E10", "E11"});
  CHECK(all->next == 12);
  CHECK(all->events.front().revision == 5);
}

TEST_CASE_FIXTURE(Fixture, "event store: reads of a stream whose appends lie among other streams' appends") {
  // One partition, so the appends of "a" and "b" interleave in one log.
  REQUIRE(log->CreateTopic("one", 1, {{"event.store", "true"}}).ok());
  std::vector<std::string> types;
  for (int i = 0; i < 300; ++i) types.push_back("A" + std::to_string(i));
  const std::string filler(2000, 'x');  // Makes the others' appends outweigh a's.
  for (int i = 0; i < 300; ++i) {
    std::vector<NewEvent> mine = {Ev(types[i])};
    REQUIRE(events->Append("one", {"a", i - 1, mine}).ok());
    if (i % 3 != 0) {  // Sometimes a's next append follows right after this one.
      std::vector<NewEvent> others = {Ev("B", filler), Ev("B", filler), Ev("B", filler)};
      REQUIRE(events->Append("one", {"b", kExpectAny, others}).ok());
    }
  }
  auto forward = events->ReadStream("one", "a", {.from = 0, .limit = 1000});
  REQUIRE(forward.ok());
  CHECK(Types(*forward) == types);
  auto backward = events->ReadStream("one", "a", {.from = 250, .backwards = true, .limit = 100});
  REQUIRE(backward.ok());
  REQUIRE(backward->events.size() == 100);
  CHECK(backward->events.front().type == "A250");
  CHECK(backward->events.back().type == "A151");
  int64_t position = 0, a_seen = 0;
  for (int64_t from = 0;;) {
    auto page = events->ReadAll("one", {.from = from, .limit = 97});
    REQUIRE(page.ok());
    if (page->events.empty()) break;
    for (const Event& e : page->events) {
      CHECK(e.position == position++);
      if (e.stream == "a") CHECK(e.type == types[a_seen++]);
    }
    from = page->next;
  }
  CHECK(a_seen == 300);
  CHECK(position == 300 + 200 * 3);
}

TEST_CASE_FIXTURE(Fixture, "event store: reads refuse an append whose stored bytes rotted") {
  const std::string big(600, 'x');  // Events of 600 bytes: RocksDB keeps the batch as a blob.
  REQUIRE(Append("rot", kExpectNoStream, {Ev("A", big), Ev("B", big)}).ok());
  REQUIRE(Append("fine", kExpectNoStream, {Ev("C")}).ok());
  events.reset();
  log.reset();
  // A byte of the first append's batch flips behind RocksDB's back: the log is read without
  // RocksDB's checksums, so the batch's CRC-32C is what must catch it.
  storage::testing::ChangeDb(dir.string(), [&big](const ColumnFamilies& cfs) {
    std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(rocksdb::ReadOptions(), cfs.log));
    int flipped = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string value = it->value().ToString();
      if (value.find(big) == std::string::npos) continue;
      value.back() ^= 0x20;
      REQUIRE(cfs.db->Put(rocksdb::WriteOptions(), cfs.log, it->key(), value).ok());
      ++flipped;
    }
    REQUIRE(flipped == 1);
  });
  Open();
  CHECK(CodeOf(events->ReadStream("", "rot", {}).status()) == ErrorCode::kCorruptMessage);
  CHECK(CodeOf(events->ReadAll("", {}).status()) == ErrorCode::kCorruptMessage);
  // Served as stored; the reader's decoding checks the CRC.
  auto stored = events->ReadAllBatches("", 0, 1000);
  REQUIRE(stored.ok());
  CHECK(stored->next == 3);
  CHECK(CodeOf(ForEachEvent(stored->records, [](const EventRecord&) {})) ==
        ErrorCode::kCorruptMessage);
  auto stream = events->ReadStreamBatches("", "rot", {});
  REQUIRE(stream.ok());
  CHECK(CodeOf(ForEachEvent(stream->records, [](const EventRecord&) {})) ==
        ErrorCode::kCorruptMessage);
  auto fine = events->ReadStream("", "fine", {});
  REQUIRE(fine.ok());
  CHECK(Types(*fine) == std::vector<std::string>{"C"});
}

TEST_CASE_FIXTURE(Fixture, "event store: a format-3 directory, one revision entry per event, reads as before") {
  const std::string d = NewEventId(), e = NewEventId();
  REQUIRE(Append("legacy", kExpectNoStream, {Ev("A"), Ev("B"), Ev("C")}).ok());
  REQUIRE(Append("legacy", 2, {Ev("D", "{}", d), Ev("E", "{}", e)}).ok());
  events.reset();
  log.reset();
  // Rewrite each run as format 3 wrote it: one 20-byte entry per event.
  storage::testing::ChangeDb(dir.string(), [](const ColumnFamilies& cfs) {
    std::vector<std::pair<std::string, std::string>> runs;
    std::unique_ptr<rocksdb::Iterator> it(cfs.db->NewIterator(rocksdb::ReadOptions(), cfs.events));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key()[4] == 'R') runs.emplace_back(it->key().ToString(), it->value().ToString());
    }
    REQUIRE(runs.size() == 2);
    rocksdb::WriteBatch write;
    for (const auto& [key, value] : runs) {
      const uint32_t topic_id = DecodeU32(key.substr(0, 4));
      const int64_t first = RevisionOfKey(key);
      absl::StatusOr<RevisionRun> run = DecodeRevisionRun(value);
      REQUIRE(run.ok());
      write.Delete(cfs.events, key);
      for (int32_t i = 0; i < run->count; ++i) {
        write.Put(cfs.events, RevisionKey(topic_id, "legacy", first + i),
                  EncodeRevisionRun({run->position + i, run->partition, run->offset + i})
                      .substr(0, 20));
      }
    }
    write.Put(cfs.meta, MetaVersionKey(), EncodeU32(3));
    REQUIRE(cfs.db->Write(rocksdb::WriteOptions(), &write).ok());
  });
  Open();
  auto forward = events->ReadStream("", "legacy", {.from = 1, .limit = 3});
  REQUIRE(forward.ok());
  CHECK(Types(*forward) == std::vector<std::string>{"B", "C", "D"});
  auto backward = events->ReadStream("", "legacy", {.from = -1, .backwards = true});
  REQUIRE(backward.ok());
  CHECK(Types(*backward) == std::vector<std::string>{"E", "D", "C", "B", "A"});
  auto repeat = Append("legacy", kExpectAny, {Ev("D", "{}", d), Ev("E", "{}", e)});
  REQUIRE(repeat.ok());
  CHECK(repeat->duplicate);
  CHECK(repeat->first_revision == 3);
  REQUIRE(Append("legacy", 4, {Ev("F"), Ev("G")}).ok());  // A run again, after the old entries.
  auto all = events->ReadStream("", "legacy", {.from = 4});
  REQUIRE(all.ok());
  CHECK(Types(*all) == std::vector<std::string>{"E", "F", "G"});
}

TEST_CASE("event store keys: a revision entry is a run; format 3's per-event entry is a run of one") {
  const RevisionRun run{.position = 7, .partition = 2, .offset = 40, .count = 3};
  absl::StatusOr<RevisionRun> decoded = DecodeRevisionRun(EncodeRevisionRun(run));
  REQUIRE(decoded.ok());
  CHECK(decoded->position == 7);
  CHECK(decoded->partition == 2);
  CHECK(decoded->offset == 40);
  CHECK(decoded->count == 3);
  const std::string format3 = EncodeRevisionRun(run).substr(0, 20);
  decoded = DecodeRevisionRun(format3);
  REQUIRE(decoded.ok());
  CHECK(decoded->offset == 40);
  CHECK(decoded->count == 1);
  CHECK(DecodeRevisionRun(format3.substr(0, 19)).status().code() == absl::StatusCode::kDataLoss);
  CHECK(DecodeRevisionRun(EncodeRevisionRun({.count = 0})).status().code() ==
        absl::StatusCode::kDataLoss);
}

TEST_CASE_FIXTURE(Fixture, "event store: $all in one global order, by category and by type") {
  // Streams land in several partitions of the default store (4).
  for (int round = 0; round < 5; ++round) {
    for (std::string stream : {"order-1", "order-2", "user-1", "order-3"}) {
      std::vector<NewEvent> batch = {Ev(round % 2 ? "Odd" : "Even"), Ev("Tail")};
      REQUIRE(Append(stream, kExpectAny, batch).ok());
    }
  }
  auto all = events->ReadAll("", {.from = 0, .limit = 1000});
  REQUIRE(all.ok());
  REQUIRE(all->events.size() == 40);
  for (size_t i = 0; i < all->events.size(); ++i) {
    CHECK(all->events[i].position == static_cast<int64_t>(i));
  }
  CHECK(all->next == 40);
  CHECK(all->head == 39);
  auto middle = events->ReadAll("", {.from = 13, .limit = 4});
  REQUIRE(middle.ok());
  REQUIRE(middle->events.size() == 4);
  CHECK(middle->events[0].position == 13);
  CHECK(middle->next == 17);

  auto users = events->ReadAll(
      "", {.from = 0, .limit = 100, .filter = AllFilterKind::kCategory, .filter_value = "user"});
  REQUIRE(users.ok());
  CHECK(users->events.size() == 10);
  for (const Event& e : users->events) CHECK(e.stream == "user-1");
  auto odd = events->ReadAll(
      "", {.from = 0, .limit = 100, .filter = AllFilterKind::kEventType, .filter_value = "Odd"});
  REQUIRE(odd.ok());
  CHECK(odd->events.size() == 8);
  CHECK(odd->next == 40);
  auto end = events->ReadAll("", {.from = 40});
  REQUIRE(end.ok());
  CHECK(end->events.empty());
  CHECK(end->next == 40);
  CHECK(*events->VisibleEnd("") == 40);
}

// (position, stream, type) of each event, as ReadAll and ReadAllBatches give them.
using Placed = std::tuple<int64_t, std::string, std::string>;

std::vector<Placed> AllBatches(const EventStore& events, std::string_view store, int32_t limit) {
  std::vector<Placed> placed;
  const int64_t visible = *events.VisibleEnd(store);
  for (int64_t from = 0; from < visible;) {
    auto page = events.ReadAllBatches(store, from, limit);
    REQUIRE(page.ok());
    CHECK(page->head == visible - 1);
    REQUIRE(page->next > from);
    CHECK(page->next - from <= limit);
    // Every batch once, in the global order: the positions of all its events only rise.
    int64_t last = -1;
    CHECK(page->first >= from);
    CHECK(page->end == page->next);
    const EventSelection taken{kAllStream, page->first, page->end};
    REQUIRE(ForEachEvent(page->records, [&](const EventRecord& e) {
              CHECK(e.position > last);
              last = e.position;
              if (taken.Takes(e)) {
                placed.emplace_back(e.position, std::string(e.stream), std::string(e.type));
              }
            }).ok());
    from = page->next;
  }
  return placed;
}

std::vector<Placed> AllEvents(const EventStore& events, std::string_view store) {
  auto all = events.ReadAll(store, {.from = 0, .limit = 10000});
  REQUIRE(all.ok());
  std::vector<Placed> placed;
  for (const Event& e : all->events) placed.emplace_back(e.position, e.stream, e.type);
  return placed;
}

TEST_CASE_FIXTURE(Fixture, "event store: $all as stored batches holds ReadAll's events, at any page size") {
  for (int round = 0; round < 6; ++round) {  // Appends of 1 to 3 events over 4 partitions.
    const std::string type = "T" + std::to_string(round);
    for (std::string stream : {"order-1", "order-2", "user-1", "order-3"}) {
      std::vector<NewEvent> batch;
      for (int i = 0; i <= round % 3; ++i) batch.push_back(Ev(type));
      REQUIRE(Append(stream, kExpectAny, batch).ok());
    }
  }
  const std::vector<Placed> expected = AllEvents(*events, "");
  REQUIRE(expected.size() == 48);
  for (int32_t limit : {1, 2, 5, 1000}) {
    CAPTURE(limit);
    CHECK(AllBatches(*events, "", limit) == expected);
  }
  auto past = events->ReadAllBatches("", 48, 10);
  REQUIRE(past.ok());
  CHECK(past->records.empty());
  CHECK(past->next == 48);
  CHECK(CodeOf(events->ReadAllBatches("", -1, 10).status()) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf(events->ReadAllBatches("", 0, 0).status()) == ErrorCode::kInvalidRequest);

  // Records the log no longer holds are passed over, as ReadAll passes them over.
  REQUIRE(log->CreateTopic("one", 1, {{"event.store", "true"}}).ok());
  std::vector<NewEvent> three = {Ev("A"), Ev("B"), Ev("C")}, one = {Ev("D")};
  REQUIRE(events->Append("one", {"s", kExpectAny, three}).ok());
  REQUIRE(events->Append("one", {"s", kExpectAny, one}).ok());
  REQUIRE(log->DeleteRecords("one", PartitionId(0), Offset(3)).ok());
  CHECK(AllBatches(*events, "one", 1000) == std::vector<Placed>{{3, "s", "D"}});
  CHECK(AllEvents(*events, "one") == std::vector<Placed>{{3, "s", "D"}});
  // A page's limit counts from its first event, as ReadAll's does.
  auto past_removed = events->ReadAllBatches("one", 0, 1);
  REQUIRE(past_removed.ok());
  CHECK(past_removed->first == 3);
  CHECK(past_removed->next == 4);
  auto decoded = events->ReadAll("one", {.from = 0, .limit = 1});
  REQUIRE(decoded.ok());
  REQUIRE(decoded->events.size() == 1);
  CHECK(decoded->next == 4);
}

// (revision, type) of what a stream read gives, and its next, through ReadStream or through
// ReadStreamBatches and the reader's selection.
struct StreamRead {
  std::vector<std::pair<int64_t, std::string>> events;
  int64_t next = 0;
  int64_t head = 0;
  bool operator==(const StreamRead&) const = default;
};

StreamRead ReadDecoded(const EventStore& events, std::string_view stream,
                       const StreamReadOptions& options) {
  auto slice = events.ReadStream("", stream, options);
  REQUIRE(slice.ok());
  StreamRead read{{}, slice->next, slice->head};
  for (const Event& e : slice->events) read.events.emplace_back(e.revision, e.type);
  return read;
}

StreamRead ReadAsBatches(const EventStore& events, std::string_view stream,
                         const StreamReadOptions& options) {
  auto page = events.ReadStreamBatches("", stream, options);
  REQUIRE(page.ok());
  StreamRead read{{}, page->next, page->head};
  const EventSelection taken{stream, page->first, page->end, options.backwards};
  REQUIRE(ForEachEvent(page->records, [&](const EventRecord& e) {
            if (taken.Takes(e)) read.events.emplace_back(e.revision, std::string(e.type));
          }).ok());
  if (options.backwards) std::sort(read.events.rbegin(), read.events.rend());
  return read;
}

TEST_CASE_FIXTURE(Fixture, "event store: a stream read as stored batches selects what ReadStream gives") {
  std::vector<std::string> types;
  for (int i = 0; i < 40; ++i) types.push_back("T" + std::to_string(i));
  int revision = 0;
  for (int append = 0; revision < 40; ++append) {  // Runs of 1 to 4, among another's appends.
    std::vector<NewEvent> mine;
    for (int i = 0; i <= append % 4 && revision < 40; ++i) mine.push_back(Ev(types[revision++]));
    REQUIRE(Append("acct", kExpectAny, mine).ok());
    REQUIRE(Append("other", kExpectAny, {Ev("X"), Ev("Y")}).ok());
  }
  REQUIRE(events->TruncateStream("", "acct", 5, kExpectAny).ok());
  const std::vector<StreamReadOptions> reads = {
      {.from = 0, .limit = 1000},  {.from = 3, .limit = 4},    {.from = 7, .limit = 2},
      {.from = 38, .limit = 10},   {.from = 40, .limit = 10},  {.from = -1, .backwards = true},
      {.from = 9, .backwards = true, .limit = 3}, {.from = 6, .backwards = true, .limit = 100},
      {.from = 4, .backwards = true, .limit = 100}};
  for (const StreamReadOptions& read : reads) {
    CAPTURE(read.from);
    CAPTURE(read.backwards);
    CAPTURE(read.limit);
    const StreamRead decoded = ReadDecoded(*events, "acct", read);
    CHECK(ReadAsBatches(*events, "acct", read) == decoded);
  }
  // Deleted, then started again: the events before the deletion stay hidden.
  REQUIRE(events->DeleteStream("", "acct", kExpectAny).ok());
  CHECK(CodeOf(events->ReadStreamBatches("", "acct", {}).status()) == ErrorCode::kStreamNotFound);
  REQUIRE(Append("acct", kExpectNoStream, {Ev("Again")}).ok());
  const StreamRead again = ReadAsBatches(*events, "acct", {});
  CHECK(again == ReadDecoded(*events, "acct", {}));
  CHECK(again.events == std::vector<std::pair<int64_t, std::string>>{{40, "Again"}});
  CHECK(CodeOf(events->ReadStreamBatches("", "acct", {.limit = 0}).status()) ==
        ErrorCode::kInvalidRequest);
}

TEST_CASE_FIXTURE(Fixture, "event store: a stream read passes over records DeleteRecords removed inside a batch") {
  REQUIRE(log->CreateTopic("cut", 1, {{"event.store", "true"}}).ok());
  std::vector<NewEvent> three = {Ev("A"), Ev("B"), Ev("C")}, one = {Ev("D")};
  REQUIRE(events->Append("cut", {"s", kExpectNoStream, three}).ok());  // Offsets 0-2, one batch.
  REQUIRE(events->Append("cut", {"s", 2, one}).ok());                  // Offset 3.
  // The log starts at 1: the batch of 0-2 stays in RocksDB, its record 0 is no longer the log's.
  REQUIRE(log->DeleteRecords("cut", PartitionId(0), Offset(1)).ok());
  auto decoded = events->ReadStream("cut", "s", {.from = 0});
  REQUIRE(decoded.ok());
  std::vector<std::string> types;
  for (const Event& e : decoded->events) types.push_back(e.type);
  CHECK(types == std::vector<std::string>{"B", "C", "D"});
  auto page = events->ReadStreamBatches("cut", "s", {.from = 0});
  REQUIRE(page.ok());
  CHECK(page->first == 1);
  std::vector<std::string> selected;
  const EventSelection taken{"s", page->first, page->end, false};
  REQUIRE(ForEachEvent(page->records, [&](const EventRecord& e) {
            if (taken.Takes(e)) selected.emplace_back(e.type);
          }).ok());
  CHECK(selected == types);
}

TEST_CASE_FIXTURE(Fixture, "event store: snapshots load the latest and the events after it") {
  for (int i = 0; i < 6; ++i) REQUIRE(Append("cart-1", kExpectAny, {Ev("Added")}).ok());
  auto none = events->LoadSnapshot("", "cart-1", 100);
  REQUIRE(none.ok());
  CHECK_FALSE(none->snapshot.has_value());
  CHECK(none->events.events.size() == 6);
  REQUIRE(events->SaveSnapshot("", "cart-1", 1, "state@1").ok());
  REQUIRE(events->SaveSnapshot("", "cart-1", 3, "state@3").ok());
  auto load = events->LoadSnapshot("", "cart-1", 100);
  REQUIRE(load.ok());
  REQUIRE(load->snapshot.has_value());
  CHECK(load->snapshot->revision == 3);
  CHECK(load->snapshot->data == "state@3");
  REQUIRE(load->events.events.size() == 2);
  CHECK(load->events.events[0].revision == 4);
  CHECK(CodeOf(events->SaveSnapshot("", "cart-1", 6, "x")) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf(events->SaveSnapshot("", "cart-9", 0, "x")) == ErrorCode::kStreamNotFound);
}

TEST_CASE_FIXTURE(Fixture, "event store: a deleted stream is gone until an append continues it") {
  REQUIRE(Append("item-1", kExpectNoStream, {Ev("A"), Ev("B")}).ok());
  REQUIRE(events->SaveSnapshot("", "item-1", 1, "s").ok());
  CHECK(CodeOf(events->DeleteStream("", "item-1", 0).status()) ==
        ErrorCode::kWrongExpectedVersion);
  auto deleted = events->DeleteStream("", "item-1", 1);
  REQUIRE(deleted.ok());
  CHECK(*deleted == 1);
  CHECK(CodeOf(events->ReadStream("", "item-1", {}).status()) == ErrorCode::kStreamNotFound);
  CHECK(CodeOf(events->DeleteStream("", "item-1", kExpectAny).status()) ==
        ErrorCode::kStreamNotFound);
  auto exists = Append("item-1", kExpectStreamExists, {Ev("C")});
  CHECK(ActualRevisionOf(exists.status()) == -1);
  auto again = Append("item-1", kExpectNoStream, {Ev("C")});
  REQUIRE(again.ok());
  CHECK(again->first_revision == 2);
  auto read = events->ReadStream("", "item-1", {});
  REQUIRE(read.ok());
  CHECK(Types(*read) == std::vector<std::string>{"C"});
  auto load = events->LoadSnapshot("", "item-1", 10);
  REQUIRE(load.ok());
  CHECK_FALSE(load->snapshot.has_value());  // Deleted with the stream.

  REQUIRE(Append("item-1", 2, {Ev("D"), Ev("E")}).ok());
  REQUIRE(events->TruncateStream("", "item-1", 3, kExpectAny).ok());
  read = events->ReadStream("", "item-1", {});
  REQUIRE(read.ok());
  CHECK(Types(*read) == std::vector<std::string>{"D", "E"});
  CHECK(CodeOf(events->TruncateStream("", "item-1", 9, kExpectAny).status()) ==
        ErrorCode::kInvalidRequest);
  Reopen();
  read = events->ReadStream("", "item-1", {.from = 0});
  REQUIRE(read.ok());
  CHECK(Types(*read) == std::vector<std::string>{"D", "E"});
}

TEST_CASE_FIXTURE(Fixture, "event store: store topics, bad input and checkpoints") {
  REQUIRE(log->CreateTopic("plain", 1, {}).ok());
  std::vector<NewEvent> one = {Ev("A")};
  CHECK(CodeOf(events->Append("plain", {"s-1", kExpectAny, one}).status()) ==
        ErrorCode::kNotAnEventStore);
  CHECK(CodeOf(events->Append("missing", {"s-1", kExpectAny, one}).status()) ==
        ErrorCode::kUnknownTopicOrPartition);
  REQUIRE(log->CreateTopic("ledger", 2, {{"event.store", "true"}}).ok());
  REQUIRE(events->Append("ledger", {"s-1", kExpectAny, one}).ok());
  auto topic = log->DescribeTopic("events");  // The default store, made on first use? Not yet.
  CHECK_FALSE(topic.ok());
  REQUIRE(Append("s-1", kExpectAny, {Ev("A")}).ok());
  topic = log->DescribeTopic("events");
  REQUIRE(topic.ok());
  CHECK(topic->config.event_store);
  CHECK(topic->config.retention_ms == -1);
  CHECK(CodeOf(log->CreateTopic("bad", 1, {{"event.store", "true"}, {"cleanup.policy", "compact"}})) ==
        ErrorCode::kInvalidConfig);

  CHECK(CodeOf(Append("", kExpectAny, {Ev("A")}).status()) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf(Append("$all", kExpectAny, {Ev("A")}).status()) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf(Append("s-1", kExpectAny, {}).status()) == ErrorCode::kInvalidRequest);
  CHECK(CodeOf(Append("s-1", kExpectAny, {Ev("")}).status()) == ErrorCode::kInvalidRequest);
  std::string big(2 << 20, 'x');
  CHECK(CodeOf(Append("s-1", kExpectAny, {Ev("Big", big)}).status()) ==
        ErrorCode::kMessageTooLarge);
  auto read = events->ReadStream("", "s-1", {});
  REQUIRE(read.ok());
  CHECK(read->events.size() == 1);  // Nothing of the refused appends.

  CHECK(events->GetCheckpoint("", "projector")->has_value() == false);
  REQUIRE(events->SetCheckpoint("", "projector", 17).ok());
  Reopen();
  CHECK(events->GetCheckpoint("", "projector")->value_or(-1) == 17);
  CHECK(CodeOf(events->SetCheckpoint("", "", 1)) == ErrorCode::kInvalidRequest);
}

}  // namespace
}  // namespace brook::storage::events
