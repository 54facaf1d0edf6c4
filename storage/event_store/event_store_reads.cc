// EventStore's reads: a stream, $all, the visible end and snapshots (declared in
// event_store.h). Both reads walk an index with one RocksDB iterator and read the log in
// chunks of whole batches (BatchCursor), not one point lookup per event.
#include <algorithm>
#include <map>
#include <span>
#include <vector>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "storage/bounded_iterator.h"
#include "storage/event_store/batch_cursor.h"
#include "storage/event_store/event_store.h"
#include "storage/event_store/global_order.h"
#include "storage/event_store/revision_runs.h"
#include "storage/rocksdb_status.h"

namespace brook::storage::events {
namespace {

constexpr int32_t kMaxReadLimit = 10000;
// How many positions a filtered $all read looks at per event it may return, at least: a read
// that filters out everything still answers, with `next` past what it looked at.
constexpr int64_t kScanPerEvent = 16;
constexpr int64_t kMinScan = 65536;
// About how many bytes of batches a read answers with, at most (a frame's limit).
constexpr size_t kMaxBatchBytes = 16 << 20;
// What a read of batches reserves per event it may return (an event of about 200 bytes in
// a batch of its own), so that its answer is not copied as it grows.
constexpr size_t kReserveBytesPerEvent = 256;

void ReserveFor(int64_t events, std::string& records) {
  records.reserve(std::min(kMaxBatchBytes, static_cast<size_t>(events) * kReserveBytesPerEvent));
}

absl::Status CheckLimit(int32_t limit) {
  if (limit < 1 || limit > kMaxReadLimit) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("a read's limit is 1 to {}, not {}", kMaxReadLimit, limit));
  }
  return absl::OkStatus();
}

// What a forward read of a stream looks up at once (BatchCursor::Prefetch): the batches of
// its next runs of at most kPrefetchRunEvents events (an aggregate's appends, far apart in
// the log among other streams'), kPrefetchGroup per MultiGet, while less than kPrefetchBytes
// were read (checked after each MultiGet: at most kPrefetchBytes and a group's batches).
constexpr int32_t kPrefetchRunEvents = 16;
constexpr size_t kPrefetchGroup = 16;
constexpr size_t kPrefetchBytes = 1 << 20;

// One run of a stream as a forward read collects it: its first revision and where it is.
struct CollectedRun {
  int64_t first = 0;
  RevisionRun run;
};

// Prefetches the batches that end where the runs end (an append through the event store is
// one batch; a run of a record set produced with other streams' events usually is not, and
// is read as before).
absl::Status PrefetchBatchesOf(std::span<const CollectedRun> runs, BatchCursor& cursor) {
  std::map<int32_t, std::vector<int64_t>> ends;  // Per partition, in offset order.
  for (const CollectedRun& collected : runs) {
    if (collected.run.count <= kPrefetchRunEvents) {
      ends[collected.run.partition].push_back(collected.run.offset + collected.run.count - 1);
    }
  }
  size_t read = 0;
  for (const auto& [partition, offsets] : ends) {
    for (size_t i = 0; i < offsets.size() && read < kPrefetchBytes; i += kPrefetchGroup) {
      const std::span<const int64_t> group =
          std::span(offsets).subspan(i, std::min(kPrefetchGroup, offsets.size() - i));
      absl::StatusOr<size_t> bytes = cursor.Prefetch(partition, group);
      if (!bytes.ok()) return bytes.status();
      read += *bytes;
    }
  }
  return absl::OkStatus();
}

bool InCategory(std::string_view stream, std::string_view category) {
  return stream.size() > category.size() && stream.starts_with(category) &&
         stream[category.size()] == '-';
}

}  // namespace

absl::StatusOr<EventSlice> EventStore::ReadStream(std::string_view topic, std::string_view stream,
                                                  const StreamReadOptions& options) const {
  absl::StatusOr<LiveStream> live = ResolveStreamRead(topic, stream, options.limit);
  if (!live.ok()) return live.status();
  return ReadStreamFrom(live->resolved, stream, live->state, options);
}

absl::StatusOr<EventBatches> EventStore::ReadStreamBatches(std::string_view topic,
                                                           std::string_view stream,
                                                           const StreamReadOptions& options) const {
  absl::StatusOr<LiveStream> live = ResolveStreamRead(topic, stream, options.limit);
  if (!live.ok()) return live.status();
  EventBatches page;
  page.head = live->state.last_revision;
  // The events the read may return: from options.from on, or up to it backwards (-1: the end).
  const int64_t last = live->state.last_revision;
  const int64_t there = options.backwards
                            ? (options.from < 0 ? last : std::min(options.from, last)) + 1
                            : last + 1 - std::max<int64_t>(options.from, 0);
  ReserveFor(std::clamp<int64_t>(there, 0, options.limit), page.records);
  BatchCursor cursor(log_, live->resolved.topic, ReadAhead::kNone);
  absl::StatusOr<StreamWalk> walk =
      WalkStream(live->resolved, stream, live->state, options, cursor,
                 [&](int32_t partition, int64_t offset) -> absl::StatusOr<Took> {
                   absl::StatusOr<std::optional<int64_t>> copied =
                       cursor.CopyBatchOnce(partition, offset, &page.records);
                   if (!copied.ok()) return copied.status();
                   if (!copied->has_value()) return Took::kGone;
                   return page.records.size() >= kMaxBatchBytes ? Took::kPageFull : Took::kEvent;
                 });
  if (!walk.ok()) return walk.status();
  page.first = walk->first;
  page.end = walk->end;
  page.next = walk->next;
  return page;
}

absl::StatusOr<EventStore::LiveStream> EventStore::ResolveStreamRead(std::string_view topic,
                                                                     std::string_view stream,
                                                                     int32_t limit) const {
  if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/true);
  if (!resolved.ok()) return resolved.status();
  absl::StatusOr<StreamState> state = LiveState(resolved->store->topic_id, stream);
  if (!state.ok()) return state.status();
  return LiveStream{*std::move(resolved), *state};
}

absl::StatusOr<EventSlice> EventStore::ReadStreamFrom(const Resolved& resolved,
                                                      std::string_view stream,
                                                      const StreamState& state,
                                                      const StreamReadOptions& options) const {
  EventSlice slice;
  slice.head = state.last_revision;
  BatchCursor cursor(log_, resolved.topic, ReadAhead::kNone);
  absl::StatusOr<StreamWalk> walk = WalkStream(
      resolved, stream, state, options, cursor,
      [&](int32_t partition, int64_t offset) -> absl::StatusOr<Took> {
        absl::StatusOr<std::optional<Event>> event = cursor.At(partition, offset);
        if (!event.ok()) return event.status();
        if (!event->has_value()) return Took::kGone;
        slice.events.push_back(**std::move(event));
        return Took::kEvent;
      });
  if (!walk.ok()) return walk.status();
  slice.next = walk->next;
  return slice;
}

absl::StatusOr<EventStore::StreamWalk> EventStore::WalkStream(
    const Resolved& resolved, std::string_view stream, const StreamState& state,
    const StreamReadOptions& options, BatchCursor& cursor, TakeEvent take) const {
  StreamWalk walk;
  int32_t taken = 0;
  RevisionRuns runs(log_.column_families(), resolved.store->topic_id, stream);
  const auto full = [&] { return taken >= options.limit; };
  // Takes the event at `revision` of a run starting at `first` (passed over if retention
  // removed it).
  const auto visit = [&](const RevisionRun& run, int64_t first, int64_t revision) -> absl::Status {
    absl::StatusOr<Took> took = take(run.partition, run.offset + (revision - first));
    if (!took.ok()) return took.status();
    // The page starts at its first event: revisions before it the log no longer holds.
    if (taken == 0 && *took != Took::kGone) walk.first = revision;
    if (*took == Took::kEvent) ++taken;
    if (*took == Took::kPageFull) taken = options.limit;
    walk.end = walk.next = revision + (options.backwards ? -1 : 1);
    return absl::OkStatus();
  };
  if (options.backwards) {
    const int64_t from = options.from < 0 ? state.last_revision
                                          : std::min(options.from, state.last_revision);
    walk.first = walk.end = walk.next = from;
    if (from < state.truncate_before) {
      walk.next = -1;
      return walk;
    }
    for (runs.SeekAtOrBefore(from); runs.Valid() && !full(); runs.Prev()) {
      absl::StatusOr<RevisionRun> run = runs.run();
      if (!run.ok()) return run.status();
      const int64_t last = std::min(from, runs.first() + run->count - 1);
      const int64_t stop = std::max(runs.first(), state.truncate_before);
      for (int64_t revision = last; revision >= stop && !full(); --revision) {
        if (absl::Status s = visit(*run, runs.first(), revision); !s.ok()) return s;
      }
      if (runs.first() <= state.truncate_before) break;
    }
    // Revisions are contiguous, so an earlier one exists unless next fell below the hidden.
    if (!full() || walk.next < state.truncate_before) walk.next = -1;
  } else {
    const int64_t from = std::max(options.from, state.truncate_before);
    walk.first = walk.end = walk.next = from;
    // The runs holding the first `limit` events, collected first so that their batches are
    // read at once; then on through the index should retention have removed some.
    std::vector<CollectedRun> collected;
    int64_t events = 0;
    for (runs.SeekToRunOf(from); runs.Valid() && events < options.limit; runs.Next()) {
      absl::StatusOr<RevisionRun> run = runs.run();
      if (!run.ok()) return run.status();
      collected.push_back({runs.first(), *run});
      events += runs.first() + run->count - std::max(from, runs.first());
    }
    if (absl::Status s = runs.status(); !s.ok()) return s;
    if (absl::Status s = PrefetchBatchesOf(collected, cursor); !s.ok()) return s;
    const auto visit_run = [&](const RevisionRun& run, int64_t first) -> absl::Status {
      for (int64_t revision = std::max(from, first); revision < first + run.count && !full();
           ++revision) {
        if (absl::Status s = visit(run, first, revision); !s.ok()) return s;
      }
      return absl::OkStatus();
    };
    for (const CollectedRun& c : collected) {
      if (full()) break;
      if (absl::Status s = visit_run(c.run, c.first); !s.ok()) return s;
    }
    for (; runs.Valid() && !full(); runs.Next()) {
      absl::StatusOr<RevisionRun> run = runs.run();
      if (!run.ok()) return run.status();
      if (absl::Status s = visit_run(*run, runs.first()); !s.ok()) return s;
    }
  }
  if (absl::Status s = runs.status(); !s.ok()) return s;
  return walk;
}

absl::StatusOr<EventStore::Resolved> EventStore::ResolveAllRead(std::string_view topic,
                                                                int64_t from,
                                                                int32_t limit) const {
  if (absl::Status s = CheckLimit(limit); !s.ok()) return s;
  if (from < 0) {
    return MakeError(ErrorCode::kInvalidRequest, fmt::format("a position is >= 0, not {}", from));
  }
  return Resolve(topic, /*create=*/true);
}

absl::StatusOr<EventSlice> EventStore::ReadAll(std::string_view topic,
                                               const AllReadOptions& options) const {
  absl::StatusOr<Resolved> resolved = ResolveAllRead(topic, options.from, options.limit);
  if (!resolved.ok()) return resolved.status();
  const int64_t visible = resolved->store->visible.load(std::memory_order_acquire);
  EventSlice slice;
  slice.head = visible - 1;
  slice.next = std::min(options.from, visible);
  if (options.from >= visible) return slice;
  GlobalOrder order(log_.column_families(), resolved->store->topic_id, visible);
  BatchCursor cursor(log_, resolved->topic, ReadAhead::kSequential);
  const int64_t scan_end =
      options.from + std::max<int64_t>(kMinScan, kScanPerEvent * options.limit);
  for (order.SeekToAppendOf(options.from); order.Valid(); order.Next()) {
    const int64_t first = order.first();
    if (first >= scan_end) break;
    absl::StatusOr<AppendEntry> entry = order.entry();
    if (!entry.ok()) return entry.status();
    const int64_t start = std::max(first, options.from);
    slice.next = first + entry->count;
    if (options.filter == AllFilterKind::kCategory &&
        !InCategory(entry->stream, options.filter_value)) {
      continue;
    }
    for (int64_t position = start; position < first + entry->count; ++position) {
      absl::StatusOr<std::optional<Event>> event =
          cursor.At(entry->partition, entry->offset + (position - first));
      if (!event.ok()) return event.status();
      if (!event->has_value()) continue;
      if (options.filter == AllFilterKind::kEventType &&
          (*event)->type != options.filter_value) {
        continue;
      }
      slice.events.push_back(**std::move(event));
      if (slice.events.size() == static_cast<size_t>(options.limit)) {
        slice.next = position + 1;
        return slice;
      }
    }
  }
  if (absl::Status s = order.status(); !s.ok()) return s;
  if (!order.Valid()) slice.next = visible;  // Every append below `visible` was looked at.
  return slice;
}

absl::StatusOr<EventBatches> EventStore::ReadAllBatches(std::string_view topic, int64_t from,
                                                        int32_t limit) const {
  absl::StatusOr<Resolved> resolved = ResolveAllRead(topic, from, limit);
  if (!resolved.ok()) return resolved.status();
  const int64_t visible = resolved->store->visible.load(std::memory_order_acquire);
  EventBatches page;
  page.head = visible - 1;
  page.first = from;
  page.end = page.next = std::min(from, visible);
  if (from >= visible) return page;
  ReserveFor(std::min<int64_t>(limit, visible - from), page.records);
  GlobalOrder order(log_.column_families(), resolved->store->topic_id, visible);
  BatchCursor cursor(log_, resolved->topic, ReadAhead::kSequential);
  // At most `limit` positions from the first one whose record the log holds: positions whose
  // records retention or DeleteRecords removed are passed over, as ReadAll passes them over,
  // and the page starts after them.
  int64_t end = visible;
  bool found = false;
  for (order.SeekToAppendOf(from); order.Valid() && page.next < end; order.Next()) {
    if (page.records.size() >= kMaxBatchBytes) break;
    const int64_t first = order.first();
    absl::StatusOr<AppendEntry> entry = order.entry();
    if (!entry.ok()) return entry.status();
    int64_t stop = std::min(first + entry->count, end);
    // The appends of one produced record set (one per stream) share its batch: copied once.
    for (int64_t position = std::max(first, from); position < stop;) {
      const int64_t offset = entry->offset + (position - first);
      absl::StatusOr<std::optional<int64_t>> last =
          cursor.CopyBatchOnce(entry->partition, offset, &page.records);
      if (!last.ok()) return last.status();
      if (!last->has_value()) {
        ++position;
        continue;
      }
      if (!found) {
        found = true;
        page.first = position;
        end = std::min(position + limit, visible);
        stop = std::min(first + entry->count, end);
      }
      position += **last + 1 - offset;
    }
    page.next = stop;
  }
  if (absl::Status s = order.status(); !s.ok()) return s;
  if (!order.Valid()) page.next = end;  // Every append below `end` was looked at.
  page.end = page.next;
  return page;
}

absl::StatusOr<int64_t> EventStore::VisibleEnd(std::string_view topic) const {
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/true);
  if (!resolved.ok()) return resolved.status();
  return resolved->store->visible.load(std::memory_order_acquire);
}

absl::StatusOr<SnapshotLoad> EventStore::LoadSnapshot(std::string_view topic,
                                                      std::string_view stream,
                                                      int32_t limit) const {
  absl::StatusOr<LiveStream> live = ResolveStreamRead(topic, stream, limit);
  if (!live.ok()) return live.status();
  const uint32_t id = live->resolved.store->topic_id;
  SnapshotLoad load;
  const ColumnFamilies& cfs = log_.column_families();
  const std::string end = SnapshotKeyEnd(id, stream);
  BoundedIterator it(cfs, cfs.events, SnapshotKey(id, stream, 0), end);
  it->SeekForPrev(end);
  if (it->Valid()) {
    load.snapshot = Snapshot{RevisionOfKey(it->key().ToStringView()), it->value().ToString()};
  }
  if (absl::Status s = FromRocks(it->status(), "loading a snapshot"); !s.ok()) return s;
  StreamReadOptions read;
  read.from = load.snapshot ? load.snapshot->revision + 1 : 0;
  read.limit = limit;
  absl::StatusOr<EventSlice> events = ReadStreamFrom(live->resolved, stream, live->state, read);
  if (!events.ok()) return events.status();
  load.events = *std::move(events);
  return load;
}

}  // namespace brook::storage::events
