#include "storage/producer_state.h"

#include <algorithm>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook::storage {
namespace {

constexpr int8_t kProducerEntryVersion = 1;

// What a producer's batch would be remembered as, appended at `base_offset`.
ProducerBatch BatchAt(const BatchSummary& batch, int64_t base_offset) {
  const BatchHeader& h = batch.header;
  return ProducerBatch{h.base_sequence, IncrementSequence(h.base_sequence, h.last_offset_delta),
                       base_offset, base_offset + h.last_offset_delta, batch.max_timestamp};
}

absl::Status OutOfOrder(const BatchHeader& h, std::string_view expected) {
  return MakeError(ErrorCode::kOutOfOrderSequenceNumber,
                   fmt::format("producer {} (epoch {}) sent sequence {}; expected {}", h.producer_id,
                               h.producer_epoch, h.base_sequence, expected));
}

}  // namespace

bool ProducerExpired(const ProducerEntry& entry, int64_t now_ms, int64_t expiration_ms) {
  return now_ms - entry.last_append_ms >= expiration_ms;
}

absl::StatusOr<std::optional<ProducerBatch>> CheckProducerBatch(const ProducerEntry* entry,
                                                                const BatchHeader& h) {
  if (h.producer_epoch < 0 || h.base_sequence < 0) {
    return MakeError(ErrorCode::kInvalidRecord,
                     fmt::format("producer {} sent epoch {} and sequence {}: both must be >= 0",
                                 h.producer_id, h.producer_epoch, h.base_sequence));
  }
  if (entry == nullptr) return std::nullopt;  // Unknown: any sequence starts it.
  const ProducerEpoch epoch(h.producer_epoch);
  if (epoch == entry->epoch) {
    const int32_t last = IncrementSequence(h.base_sequence, h.last_offset_delta);
    for (const ProducerBatch& b : entry->batches) {
      if (b.first_sequence == h.base_sequence && b.last_sequence == last) return b;
    }
    const int32_t expected = IncrementSequence(entry->batches.back().last_sequence, 1);
    if (h.base_sequence != expected) return OutOfOrder(h, std::to_string(expected));
    return std::nullopt;
  }
  if (epoch < entry->epoch) {
    return MakeError(ErrorCode::kInvalidProducerEpoch,
                     fmt::format("producer {} sent epoch {}, older than its epoch {} here: it is "
                                 "fenced by a newer instance",
                                 h.producer_id, h.producer_epoch, entry->epoch.value));
  }
  if (h.base_sequence != 0) return OutOfOrder(h, "0, the first of a new epoch");
  return std::nullopt;
}

void AddProducerBatch(ProducerEntry& entry, ProducerEpoch epoch, const ProducerBatch& batch,
                      int64_t now_ms) {
  if (epoch != entry.epoch) entry.batches.clear();
  entry.epoch = epoch;
  entry.last_append_ms = now_ms;
  if (entry.batches.size() == kProducerBatchesToRetain) entry.batches.erase(entry.batches.begin());
  entry.batches.push_back(batch);
}

std::string EncodeProducerEntry(const ProducerEntry& entry) {
  std::string out;
  wire::Writer w(&out);
  w.Int8(kProducerEntryVersion);
  w.Int16(entry.epoch.value);
  w.Int64(entry.last_append_ms);
  w.Int8(static_cast<int8_t>(entry.batches.size()));
  for (const ProducerBatch& b : entry.batches) {
    w.Int32(b.first_sequence);
    w.Int32(b.last_sequence);
    w.Int64(b.base_offset);
    w.Int64(b.last_offset);
    w.Int64(b.max_timestamp);
  }
  return out;
}

absl::StatusOr<ProducerEntry> DecodeProducerEntry(std::string_view value) {
  wire::Reader r(value);
  if (r.Int8() != kProducerEntryVersion) {
    return absl::DataLossError("producer state has an unknown version");
  }
  ProducerEntry entry;
  entry.epoch = ProducerEpoch(r.Int16());
  entry.last_append_ms = r.Int64();
  const int8_t count = r.Int8();
  if (count < 1 || static_cast<size_t>(count) > kProducerBatchesToRetain) r.Fail();
  for (int8_t i = 0; r.ok() && i < count; ++i) {
    ProducerBatch b;
    b.first_sequence = r.Int32();
    b.last_sequence = r.Int32();
    b.base_offset = r.Int64();
    b.last_offset = r.Int64();
    b.max_timestamp = r.Int64();
    entry.batches.push_back(b);
  }
  if (!r.ok() || r.remaining() != 0) return absl::DataLossError("producer state is corrupt");
  return entry;
}

const ProducerEntry* ProducerAppendPlan::Current(ProducerId id) const {
  for (const auto& [pending_id, pending] : result_.updated) {
    if (pending_id == id) return &pending;
  }
  auto it = entries_.find(id);
  if (it == entries_.end() || ProducerExpired(it->second, now_ms_, expiration_ms_)) return nullptr;
  return &it->second;
}

absl::Status ProducerAppendPlan::Add(const BatchSummary& batch, int64_t base_offset) {
  const BatchHeader& h = batch.header;
  if (h.producer_id < 0) {
    ++fresh_;
    return absl::OkStatus();
  }
  const ProducerId id(h.producer_id);
  const ProducerEntry* current = Current(id);
  absl::StatusOr<std::optional<ProducerBatch>> duplicate = CheckProducerBatch(current, h);
  if (!duplicate.ok()) return duplicate.status();
  if (duplicate->has_value()) {
    if (duplicates_++ == 0) result_.duplicate_of = **duplicate;
    return absl::OkStatus();
  }
  ++fresh_;
  ProducerEntry updated = current != nullptr ? *current : ProducerEntry{};
  AddProducerBatch(updated, ProducerEpoch(h.producer_epoch), BatchAt(batch, base_offset), now_ms_);
  auto pending = std::find_if(result_.updated.begin(), result_.updated.end(),
                              [&](const auto& p) { return p.first == id; });
  if (pending != result_.updated.end()) {
    pending->second = std::move(updated);
  } else {
    result_.updated.emplace_back(id, std::move(updated));
  }
  return absl::OkStatus();
}

absl::StatusOr<ProducerAppendPlan::Result> ProducerAppendPlan::Finish() && {
  if (duplicates_ > 0 && fresh_ > 0) {
    return MakeError(ErrorCode::kDuplicateSequenceNumber,
                     fmt::format("{} batches of the record set were appended before and {} were "
                                 "not; a record set is appended whole or not at all",
                                 duplicates_, fresh_));
  }
  return std::move(result_);
}

}  // namespace brook::storage
