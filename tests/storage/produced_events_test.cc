// Records produced to a store topic (storage/event_store/produced_events.h): events with
// expected revisions appended all or nothing, retries answered with the first append's
// offsets, plain records left alone, bad event records refused.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "protocol/event_id.h"
#include "protocol/event_record.h"
#include "protocol/messages.h"
#include "protocol/record_batch.h"
#include "storage/event_store/produced_events.h"
#include "tests/storage/event_store_fixture.h"

namespace brook::storage::events {
namespace {

using Fixture = testing::EventStoreFixture;

// One produced record: key, value and headers (key=value pairs).
struct Produced {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

std::string Batch(const std::vector<Produced>& records, ProducerStamp producer = {}) {
  RecordBatchBuilder builder(Compression::kLz4);
  for (const Produced& r : records) {
    std::vector<HeaderView> headers;
    for (const auto& [k, v] : r.headers) headers.push_back({k, v});
    builder.Append(1000, r.key, r.value, headers);
  }
  return builder.Finish(producer);
}

Produced EventRecord(std::string stream, std::string type, std::optional<std::string> expected = {},
               std::string id = {}) {
  Produced r{std::move(stream), "{}", {{"es.type", std::move(type)}}};
  if (expected) r.headers.emplace_back("es.expected-revision", *expected);
  if (!id.empty()) r.headers.emplace_back("es.id", std::move(id));
  return r;
}

struct ProducedFixture : Fixture {
  ProducedFixture() { REQUIRE(log->CreateTopic("ledger", 1, {{"event.store", "true"}}).ok()); }
  absl::StatusOr<AppendResult> Produce(const std::string& batch, int32_t partition = 0) {
    return events->AppendProduced("ledger", PartitionId(partition), batch);
  }
  int64_t LogEnd() { return log->Offsets("ledger", PartitionId(0))->log_end.value; }
  std::vector<Event> Stream(std::string_view stream) {
    absl::StatusOr<EventSlice> slice = events->ReadStream("ledger", stream, {});
    return slice.ok() ? slice->events : std::vector<Event>{};
  }
};

TEST_CASE("produced events: split into appends by stream and by expected revision") {
  ProducedEvents produced;
  const std::string batch = Batch({EventRecord("a", "Opened", "no-stream"), EventRecord("a", "Deposited"),
                                   EventRecord("a", "Deposited", "1"), EventRecord("b", "Opened")});
  absl::StatusOr<bool> read = ReadProducedEvents(batch, &produced);
  REQUIRE(read.ok());
  REQUIRE(*read);
  REQUIRE(produced.requests.size() == 3);
  CHECK(produced.requests[0].stream == "a");
  CHECK(produced.requests[0].expected_revision == kExpectNoStream);
  CHECK(produced.requests[0].events.size() == 2);
  CHECK(produced.requests[1].expected_revision == 1);
  CHECK(produced.requests[1].events.size() == 1);
  CHECK(produced.requests[2].stream == "b");
  CHECK(produced.requests[2].expected_revision == kExpectAny);
  CHECK(produced.compression == Compression::kLz4);

  ProducedEvents plain;
  read = ReadProducedEvents(Batch({{"k", "v", {{"trace", "1"}}}}), &plain);
  REQUIRE(read.ok());
  CHECK_FALSE(*read);
}

TEST_CASE("produced events: bad event records are refused with INVALID_RECORD") {
  const std::vector<std::vector<Produced>> bad = {
      {EventRecord("a", "Opened"), {"a", "plain", {}}},                   // events mixed with records
      {{"a", "{}", {{"es.expected-revision", "0"}}}},               // no type
      {EventRecord("", "Opened")},                                        // no stream
      {EventRecord("a", "Opened", "soon")},                               // bad expected revision
      {EventRecord("a", "Opened", std::nullopt, "not-a-uuid")},           // bad id
      {{"a", "{}", {{"es.type", "Opened"}, {"es.revision", "3"}}}}, // the broker's header
  };
  for (const std::vector<Produced>& records : bad) {
    ProducedEvents produced;
    absl::StatusOr<bool> read = ReadProducedEvents(Batch(records), &produced);
    CAPTURE(read.status());
    CHECK(CodeOf(read.status()) == ErrorCode::kInvalidRecord);
  }
}

TEST_CASE_FIXTURE(ProducedFixture, "produced events: appended with revisions, checked, all or nothing") {
  Produced traced = EventRecord("acct-1", "Opened", "no-stream");
  traced.headers.emplace_back("traceparent", "00-abc-01");
  absl::StatusOr<AppendResult> first = Produce(Batch({traced, EventRecord("acct-1", "Deposited")}));
  REQUIRE(first.ok());
  CHECK(first->base_offset.value == 0);
  std::vector<Event> stream = Stream("acct-1");
  REQUIRE(stream.size() == 2);
  CHECK(stream[1].revision == 1);
  CHECK(stream[1].type == "Deposited");
  // The other header stays on the stored record.
  absl::StatusOr<ReadResult> raw = log->Read("ledger", PartitionId(0), Offset(0), 1 << 20, true);
  REQUIRE(raw.ok());
  CHECK(raw->records.find("traceparent") != std::string::npos);

  // A stale expected revision appends nothing, even the batch's other stream.
  absl::StatusOr<AppendResult> stale =
      Produce(Batch({EventRecord("acct-2", "Opened", "no-stream"), EventRecord("acct-1", "Withdrawn", "0")}));
  CHECK(CodeOf(stale.status()) == ErrorCode::kWrongExpectedVersion);
  CHECK(LogEnd() == 2);
  CHECK(CodeOf(events->ReadStream("ledger", "acct-2", {}).status()) ==
        ErrorCode::kStreamNotFound);

  // Each record's expected revision is checked against the revision just before it.
  absl::StatusOr<AppendResult> next =
      Produce(Batch({EventRecord("acct-1", "Withdrawn", "1"), EventRecord("acct-1", "Closed", "2")}));
  REQUIRE(next.ok());
  CHECK(next->base_offset.value == 2);
  CHECK(Stream("acct-1").size() == 4);
  absl::StatusOr<EventSlice> all = events->ReadAll("ledger", {});
  REQUIRE(all.ok());
  CHECK(all->events.size() == 4);
}

TEST_CASE_FIXTURE(ProducedFixture, "produced events: $all as stored batches holds a record set of several streams once") {
  REQUIRE(Produce(Batch({EventRecord("a", "A0"), EventRecord("b", "B0"), EventRecord("a", "A1"),
                         EventRecord("c", "C0")}))
              .ok());
  REQUIRE(Produce(Batch({EventRecord("b", "B1")})).ok());
  absl::StatusOr<EventBatches> page = events->ReadAllBatches("ledger", 0, 100);
  REQUIRE(page.ok());
  CHECK(page->next == 5);
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(page->records);
  REQUIRE(batches.ok());
  CHECK(batches->size() == 2);  // One per record set, though the first holds three streams.
  std::vector<std::string> seen;
  REQUIRE(ForEachEvent(page->records, [&](const brook::EventRecord& e) {
            seen.push_back(std::to_string(e.position) + ":" + std::string(e.type));
          }).ok());
  // The record set's streams get their positions in the order of its records.
  absl::StatusOr<EventSlice> all = events->ReadAll("ledger", {});
  REQUIRE(all.ok());
  std::vector<std::string> expected;
  for (const Event& e : all->events) expected.push_back(std::to_string(e.position) + ":" + e.type);
  CHECK(seen == expected);
  CHECK(seen.size() == 5);

  // A page that starts and ends inside the record set.
  page = events->ReadAllBatches("ledger", 1, 2);
  REQUIRE(page.ok());
  CHECK(page->next == 3);
  CHECK(SplitBatches(page->records)->size() == 1);

  // A stream's read selects its own events of the batches it shares.
  page = events->ReadStreamBatches("ledger", "b", {});
  REQUIRE(page.ok());
  CHECK(SplitBatches(page->records)->size() == 2);
  const brook::EventSelection of_b{"b", page->first, page->end};
  std::vector<std::string> b;
  REQUIRE(ForEachEvent(page->records, [&](const brook::EventRecord& e) {
            if (of_b.Takes(e)) b.push_back(std::string(e.type));
          }).ok());
  CHECK(b == std::vector<std::string>{"B0", "B1"});
}

TEST_CASE_FIXTURE(ProducedFixture, "produced events: retries answer the first append's offsets") {
  const std::string id = FormatEventId(NewEventId());
  REQUIRE(Produce(Batch({EventRecord("acct-1", "Opened", "no-stream", id)})).ok());
  // The same event id again, whatever the expected revision: the first append's offset.
  absl::StatusOr<AppendResult> again = Produce(Batch({EventRecord("acct-1", "Opened", "no-stream", id)}));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->base_offset.value == 0);

  // An idempotent producer's retry (same producer id and sequence) without event ids.
  const ProducerStamp producer{ProducerId(7), ProducerEpoch(0), 0};
  const std::string batch = Batch({EventRecord("acct-1", "Deposited", "0")}, producer);
  absl::StatusOr<AppendResult> sent = Produce(batch);
  REQUIRE(sent.ok());
  absl::StatusOr<AppendResult> retried = Produce(batch);
  REQUIRE(retried.ok());
  CHECK(retried->duplicate);
  CHECK(retried->base_offset.value == sent->base_offset.value);
  CHECK(Stream("acct-1").size() == 2);
  // Its next batch with a stale revision is refused and appends nothing.
  const ProducerStamp next{ProducerId(7), ProducerEpoch(0), 1};
  CHECK(CodeOf(Produce(Batch({EventRecord("acct-1", "Deposited", "0")}, next)).status()) ==
        ErrorCode::kWrongExpectedVersion);
  CHECK(LogEnd() == 2);

  // A retry of an append's last events answers the offset of the first of them.
  const std::string x = FormatEventId(NewEventId()), y = FormatEventId(NewEventId()),
                    z = FormatEventId(NewEventId());
  absl::StatusOr<AppendResult> three =
      Produce(Batch({EventRecord("acct-2", "A", {}, x), EventRecord("acct-2", "B", {}, y),
                     EventRecord("acct-2", "C", {}, z)}));
  REQUIRE(three.ok());
  absl::StatusOr<AppendResult> tail =
      Produce(Batch({EventRecord("acct-2", "B", {}, y), EventRecord("acct-2", "C", {}, z)}));
  REQUIRE(tail.ok());
  CHECK(tail->duplicate);
  CHECK(tail->base_offset.value == three->base_offset.value + 1);
}

TEST_CASE_FIXTURE(ProducedFixture, "produced events: a stream's partition, and plain records") {
  REQUIRE(log->CreateTopic("wide", 4, {{"event.store", "true"}}).ok());
  // A new stream stays in the partition it was first produced to.
  REQUIRE(events->AppendProduced("wide", PartitionId(3), Batch({EventRecord("s", "Opened")})).ok());
  absl::StatusOr<AppendResult> elsewhere =
      events->AppendProduced("wide", PartitionId(1), Batch({EventRecord("s", "Again")}));
  CHECK(CodeOf(elsewhere.status()) == ErrorCode::kInvalidRecord);
  CHECK(CodeOf(events->AppendProduced("wide", PartitionId(9), Batch({EventRecord("t", "X")}))
                   .status()) == ErrorCode::kUnknownTopicOrPartition);
  // brook's own appends follow it there.
  NewEvent more = testing::Ev("More");
  REQUIRE(events->Append("wide", {"s", 0, {&more, 1}}).ok());
  CHECK(log->Offsets("wide", PartitionId(3))->log_end.value == 2);

  // Records without event headers are plain records: in the log, in no stream.
  REQUIRE(Produce(Batch({{"acct-9", "hello", {}}})).ok());
  CHECK(LogEnd() == 1);
  CHECK(CodeOf(events->ReadStream("ledger", "acct-9", {}).status()) ==
        ErrorCode::kStreamNotFound);
}

}  // namespace
}  // namespace brook::storage::events
