// Tests of storage/producer_state.h: Kafka's sequence and epoch rules, the record-set plan and
// the persisted encoding. The same rules through LogStore are in idempotence_test.cc.
#include "storage/producer_state.h"

#include <doctest/doctest.h>

#include "protocol/error_codes.h"

namespace brook::storage {
namespace {

// The header of a batch of `count` records from producer 7.
BatchSummary Batch(int16_t epoch, int32_t first_sequence, int32_t count = 1) {
  BatchSummary summary;
  summary.header.producer_id = 7;
  summary.header.producer_epoch = epoch;
  summary.header.base_sequence = first_sequence;
  summary.header.last_offset_delta = count - 1;
  summary.header.record_count = count;
  summary.max_timestamp = 1000 + static_cast<int64_t>(first_sequence);
  return summary;
}

ErrorCode Check(const ProducerEntry* entry, const BatchSummary& batch) {
  return CodeOf(CheckProducerBatch(entry, batch.header).status());
}

// An entry whose batches hold sequences [first + 2i, first + 2i + 1] at offsets 10i...
ProducerEntry EntryWith(int16_t epoch, int32_t first, int batches) {
  ProducerEntry entry;
  for (int i = 0; i < batches; ++i) {
    const int32_t seq = IncrementSequence(first, 2 * i);
    AddProducerBatch(entry, ProducerEpoch(epoch),
                     {seq, IncrementSequence(seq, 1), 10 * i, 10 * i + 1, 5}, 100);
  }
  return entry;
}

TEST_CASE("an unknown producer starts at any sequence; a known one continues its last batch") {
  CHECK(Check(nullptr, Batch(0, 0)) == ErrorCode::kNone);
  CHECK(Check(nullptr, Batch(3, 12345)) == ErrorCode::kNone);
  const ProducerEntry entry = EntryWith(0, 0, 3);  // Sequences 0..5.
  CHECK(Check(&entry, Batch(0, 6, 4)) == ErrorCode::kNone);
  CHECK(Check(&entry, Batch(0, 7)) == ErrorCode::kOutOfOrderSequenceNumber);  // A gap.
  CHECK(Check(&entry, Batch(0, 5)) == ErrorCode::kOutOfOrderSequenceNumber);  // Overlaps.
  CHECK(Check(&entry, Batch(0, -1)) == ErrorCode::kInvalidRecord);
  CHECK(Check(&entry, Batch(-1, 6)) == ErrorCode::kInvalidRecord);
}

TEST_CASE("each of the last five batches is a duplicate; an older one is out of order") {
  const ProducerEntry entry = EntryWith(2, 0, 7);  // Batches 0..6; 2..6 retained.
  REQUIRE(entry.batches.size() == kProducerBatchesToRetain);
  CHECK(entry.batches.front().first_sequence == 4);
  for (int i = 2; i < 7; ++i) {
    CAPTURE(i);
    auto duplicate = CheckProducerBatch(&entry, Batch(2, 2 * i, 2).header);
    REQUIRE(duplicate.ok());
    REQUIRE(duplicate->has_value());
    CHECK((*duplicate)->base_offset == 10 * i);
    CHECK((*duplicate)->last_offset == 10 * i + 1);
  }
  CHECK(Check(&entry, Batch(2, 2, 2)) == ErrorCode::kOutOfOrderSequenceNumber);  // Batch 1.
  // The same first sequence with another length is not the same batch.
  CHECK(Check(&entry, Batch(2, 12, 3)) == ErrorCode::kOutOfOrderSequenceNumber);
  // Nor is the same range under another epoch.
  CHECK(Check(&entry, Batch(3, 12, 2)) == ErrorCode::kOutOfOrderSequenceNumber);
}

TEST_CASE("a lower epoch is fenced; a higher one starts at sequence 0 and forgets the old") {
  ProducerEntry entry = EntryWith(5, 0, 2);
  CHECK(Check(&entry, Batch(4, 4)) == ErrorCode::kInvalidProducerEpoch);
  CHECK(Check(&entry, Batch(4, 0)) == ErrorCode::kInvalidProducerEpoch);
  CHECK(Check(&entry, Batch(6, 4)) == ErrorCode::kOutOfOrderSequenceNumber);
  CHECK(Check(&entry, Batch(6, 0)) == ErrorCode::kNone);
  AddProducerBatch(entry, ProducerEpoch(6), {0, 0, 50, 50, 5}, 200);
  CHECK(entry.epoch == ProducerEpoch(6));
  CHECK(entry.batches.size() == 1);
  CHECK(entry.last_append_ms == 200);
  CHECK(Check(&entry, Batch(5, 4)) == ErrorCode::kInvalidProducerEpoch);
}

TEST_CASE("sequences continue across the wrap") {
  ProducerEntry entry;
  AddProducerBatch(entry, ProducerEpoch(0), {INT32_MAX - 1, INT32_MAX, 0, 1, 5}, 100);
  CHECK(Check(&entry, Batch(0, 0)) == ErrorCode::kNone);
  CHECK(Check(&entry, Batch(0, 1)) == ErrorCode::kOutOfOrderSequenceNumber);
  // A batch that wraps inside: its last sequence is computed with the wrap.
  auto duplicate = CheckProducerBatch(&entry, Batch(0, INT32_MAX - 1, 2).header);
  REQUIRE(duplicate.ok());
  CHECK(duplicate->has_value());
  const ProducerEntry wrapping = EntryWith(0, INT32_MAX - 2, 2);  // [MAX-2, MAX-1], [MAX, 0].
  CHECK(wrapping.batches.back().last_sequence == 0);
  CHECK(Check(&wrapping, Batch(0, 1)) == ErrorCode::kNone);
}

TEST_CASE("entries expire after the expiration without an append") {
  const ProducerEntry entry = EntryWith(0, 0, 1);  // Last append at 100.
  CHECK_FALSE(ProducerExpired(entry, 199, 100));
  CHECK(ProducerExpired(entry, 200, 100));
}

TEST_CASE("a record set's batches are checked in order, each after the ones before") {
  ProducerEntries entries;
  entries[ProducerId(7)] = EntryWith(0, 0, 1);  // Sequences 0..1 at offsets 0..1.
  SUBCASE("new batches update the entry once") {
    ProducerAppendPlan plan(entries, 150, 1000);
    CHECK(plan.Add(Batch(0, 2, 3), 20).ok());
    BatchSummary other = Batch(0, 0);
    other.header.producer_id = -1;
    CHECK(plan.Add(other, 23).ok());
    CHECK(plan.Add(Batch(0, 5), 24).ok());
    auto result = std::move(plan).Finish();
    REQUIRE(result.ok());
    CHECK_FALSE(result->duplicate_of.has_value());
    REQUIRE(result->updated.size() == 1);
    const ProducerEntry& updated = result->updated[0].second;
    REQUIRE(updated.batches.size() == 3);
    CHECK(updated.batches[1] == ProducerBatch{2, 4, 20, 22, 1002});
    CHECK(updated.batches[2] == ProducerBatch{5, 5, 24, 24, 1005});
    CHECK(updated.last_append_ms == 150);
  }
  SUBCASE("a gap inside the set fails it") {
    ProducerAppendPlan plan(entries, 150, 1000);
    CHECK(plan.Add(Batch(0, 2), 20).ok());
    CHECK(CodeOf(plan.Add(Batch(0, 4), 21)) == ErrorCode::kOutOfOrderSequenceNumber);
  }
  SUBCASE("a set of duplicates answers the first's original") {
    ProducerAppendPlan plan(entries, 150, 1000);
    CHECK(plan.Add(Batch(0, 0, 2), 20).ok());
    auto result = std::move(plan).Finish();
    REQUIRE(result.ok());
    REQUIRE(result->duplicate_of.has_value());
    CHECK(result->duplicate_of->base_offset == 0);
    CHECK(result->updated.empty());
  }
  SUBCASE("duplicates mixed with new batches are refused") {
    ProducerAppendPlan plan(entries, 150, 1000);
    CHECK(plan.Add(Batch(0, 0, 2), 20).ok());
    CHECK(plan.Add(Batch(0, 2), 22).ok());
    CHECK(CodeOf(std::move(plan).Finish().status()) == ErrorCode::kDuplicateSequenceNumber);
  }
  SUBCASE("an expired entry is an unknown producer") {
    ProducerAppendPlan plan(entries, 1100, 1000);
    CHECK(plan.Add(Batch(0, 0, 2), 20).ok());  // Not a duplicate any more: appended again.
    auto result = std::move(plan).Finish();
    REQUIRE(result.ok());
    CHECK_FALSE(result->duplicate_of.has_value());
    REQUIRE(result->updated.size() == 1);
    CHECK(result->updated[0].second.batches.size() == 1);
  }
}

TEST_CASE("producer entries round-trip and reject other versions and sizes") {
  const ProducerEntry entry = EntryWith(3, INT32_MAX - 4, 5);
  auto decoded = DecodeProducerEntry(EncodeProducerEntry(entry));
  REQUIRE(decoded.ok());
  CHECK(*decoded == entry);
  std::string value = EncodeProducerEntry(entry);
  CHECK(value.size() == 1 + 2 + 8 + 1 + 5 * 32);
  std::string other_version = value;
  other_version[0] = 2;
  CHECK(DecodeProducerEntry(other_version).status().code() == absl::StatusCode::kDataLoss);
  CHECK(DecodeProducerEntry(value.substr(0, value.size() - 1)).status().code() ==
        absl::StatusCode::kDataLoss);
  CHECK(DecodeProducerEntry(value + "x").status().code() == absl::StatusCode::kDataLoss);
  std::string no_batches = value.substr(0, 11) + std::string(1, '\0');
  CHECK(DecodeProducerEntry(no_batches).status().code() == absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace brook::storage
