// storage/event_store/event_store.h: the event store: streams of events with expected-revision
// appends, idempotency by event id, reads of a stream or of the store's global order ($all),
// snapshots, soft deletion, truncation and named subscriptions' checkpoints.
//
//   EventStore events(*log_store);
//   NewEvent e{NewEventId(), "Deposited", "application/json", R"({"amount":5})", ""};
//   absl::StatusOr<AppendOutcome> a = events.Append("events", {"account-1", kExpectNoStream, {&e, 1}});
//   absl::StatusOr<EventSlice> s = events.ReadStream("events", "account-1", {.from = 0});
//   absl::StatusOr<EventSlice> all = events.ReadAll("events", {.from = 0, .limit = 100});
//
// Model (docs/event-store.md): a store is a topic with event.store=true; a stream's events are
// records keyed by the stream id, all in the partition of the stream's first append; the
// record headers carry id, type, revision and position (event_record.h). The indexes live in
// the "events" column family (event_keys.h): stream state, revision -> record, event id ->
// first append, one entry per append in the global order, snapshots, checkpoints. In memory,
// per store: a bounded cache of the states of the streams written last.
//
// Operation: appends are queued and written in passes (AppendQueued, group commit). A pass
// runs under its store's mutex: for each append it reads the stream's state, answers a
// repeated append from the id index, checks the expected revision, assigns the next revisions
// and global positions, and writes the records and every index entry in ONE RocksDB write
// (LogStore::AppendWith, shared by the pass's appends to one partition); then it raises the
// store's visible position. $all reads stop at the visible position, so a reader never sees
// position N+1 before N.
// Durability: as LogStore::Append (in the WAL when it returns); LogStore::SyncWal fsyncs.
// Concurrency: every method is thread-safe. Appends, deletions, truncations and snapshot saves
// of one store are serialized; reads run in parallel with them and with each other.
// Lifecycle: borrows the LogStore, which must outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "protocol/record_batch.h"
#include "storage/event_store/append_checks.h"
#include "storage/event_store/event_keys.h"
#include "storage/event_store/event_record.h"
#include "storage/log_store.h"

namespace brook::storage::events {

class BatchCursor;

struct EventStoreOptions {
  int32_t default_store_partitions = 4;  // Partitions of the default store, made on first use.
  int32_t max_events_per_append = 10000;
  // The stream states kept in memory per store topic (those written last, about): appends to
  // them check their expected revision without reading RocksDB.
  size_t cached_streams = 65536;
};

struct AppendRequest {
  std::string_view stream;
  int64_t expected_revision;  // kExpectAny, kExpectNoStream, kExpectStreamExists or >= 0.
  std::span<NewEvent> events;  // Ids left empty are filled in.
};

struct AppendOutcome {
  int64_t first_revision = 0;
  int64_t last_revision = 0;  // The stream's revision after the append.
  int64_t first_position = 0;
  int64_t last_position = 0;
  bool duplicate = false;  // Every id was appended there before: nothing appended now.
};

struct StreamReadOptions {
  int64_t from = 0;        // A revision; backwards, -1 = the last one.
  bool backwards = false;
  int32_t limit = 1000;
};

enum class AllFilterKind { kNone, kCategory, kEventType };
struct AllReadOptions {
  int64_t from = 0;  // A global position.
  int32_t limit = 1000;
  AllFilterKind filter = AllFilterKind::kNone;
  std::string_view filter_value;  // A category ("order" matches "order-..."), or an event type.
};

struct EventSlice {
  std::vector<Event> events;
  int64_t next = 0;   // Where to read on from (a revision, or a position).
  int64_t head = -1;  // The stream's last revision, or $all's last visible position.
};

// A page of a read as the log holds it: whole record batches (one per append, or per
// appended record set), holding the events the read takes: of $all, those whose position is
// in [first, end), in the global order; of a stream, its events whose revision is in
// [first, end) forwards, or in (end, first] backwards (the batches then come last first).
// Batches may hold events outside that range (and, from a record set produced with several
// streams, other streams' events): a reader takes the events by their es.* headers
// (protocol/event_record.h's EventSelection). Events whose records retention removed are
// absent. The batches are as stored: their CRCs unchecked.
struct EventBatches {
  std::string records;
  int64_t first = 0;
  int64_t end = 0;
  int64_t next = 0;  // Where to read on from (a revision, or a position).
  int64_t head = -1;  // The stream's last revision, or $all's last visible position.
};

struct Snapshot {
  int64_t revision = 0;
  std::string data;
};

struct SnapshotLoad {
  std::optional<Snapshot> snapshot;
  EventSlice events;  // The events after the snapshot (after its revision).
};

class EventStore {
 public:
  explicit EventStore(LogStore& log, EventStoreOptions options = {});
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends request.events to the stream, all or nothing. If every event id was appended to
  // this stream before, at contiguous revisions in this order, returns that first append's
  // outcome with `duplicate`, whatever the expected revision. Errors: NOT_AN_EVENT_STORE /
  // UNKNOWN_TOPIC_OR_PARTITION (the topic; "" and "events" are made on first use);
  // INVALID_REQUEST (empty or '$'-prefixed or over-long stream id, no events, too many, an
  // empty type, an id given twice); WRONG_EXPECTED_VERSION (protocol/expected_revision.h);
  // EVENT_ID_CONFLICT (some ids appended before, not all of them, or elsewhere);
  // MESSAGE_TOO_LARGE (the append's batch exceeds max.message.bytes); STORAGE_ERROR.
  // Waits for AppendQueued.
  absl::StatusOr<AppendOutcome> Append(std::string_view topic, const AppendRequest& request);
  // What AppendQueued hands its caller: Append's outcome or error.
  using AppendDone = absl::AnyInvocable<void(absl::StatusOr<AppendOutcome>) &&>;
  // How a caller's thread runs work later, after what else waits for it (an executor's post).
  using RunLater = std::function<void(absl::AnyInvocable<void() &&>)>;
  // Append without waiting (group commit): appends queued by concurrent callers are written
  // together, in one pass under the store's lock with one RocksDB write per partition. The
  // caller that finds no pass running becomes the store's writer: it writes a pass, its own
  // append in it, and while more are queued, writes the next through `later` (so its thread
  // serves its other work between passes), or at once when `later` is null, until the queue
  // is empty. Any other caller returns at once. Each append's `done` is called exactly once,
  // by the writer, outside every lock; it must not block or append. `request` and the memory
  // its events view must stay valid until then. An append that fails fails alone: an error
  // in a shared write is found by writing that write's appends one by one.
  void AppendQueued(std::string_view topic, const AppendRequest& request, AppendDone done,
                    RunLater later = nullptr);
  // Calls the `done` of every append still queued with `status`, for a shutdown whose threads
  // stopped before their next pass ran. REQUIRES: no pass is running and none will.
  void FailQueued(const absl::Status& status);
  // Appends a record set produced to `partition` of the store `topic` (Produce, from brook's
  // client or a Kafka client). If its records are events (produced_events.h), they are
  // appended as Append does, in ONE write with every index entry, all or nothing: each
  // stream's events must go to its partition (a new stream's is `partition`), and each
  // expected revision must hold; a retry of the whole record set (by event ids, or by an
  // idempotent producer's sequence numbers) is answered with the first append's offsets.
  // Plain records are appended as they are (not events). Errors: LogStore::Append's;
  // ReadProducedEvents'; INVALID_RECORD (a stream that lives in another partition);
  // WRONG_EXPECTED_VERSION; EVENT_ID_CONFLICT; Append's.
  absl::StatusOr<AppendResult> AppendProduced(std::string_view topic, PartitionId partition,
                                              std::string_view record_set);

  // A stream's events from options.from, forwards or backwards, at most options.limit. Events
  // hidden by truncation, and events whose records retention removed, are skipped. Errors:
  // STREAM_NOT_FOUND (no events or deleted); the topic's errors; INVALID_REQUEST (limit < 1);
  // STORAGE_ERROR.
  absl::StatusOr<EventSlice> ReadStream(std::string_view topic, std::string_view stream,
                                        const StreamReadOptions& options) const;
  // Every stream's events in the global order from options.from, filtered; `next` may be past
  // the last event returned (the positions the filter skipped). Errors: as ReadStream's but
  // STREAM_NOT_FOUND.
  absl::StatusOr<EventSlice> ReadAll(std::string_view topic, const AllReadOptions& options) const;
  // ReadStream and ReadAll without a filter, answered with the batches that hold the events
  // (for readers that decode them themselves: brook's client), about 16 MiB of batches at
  // most (at least one); ReadAllBatches answers at most `limit` positions from the first
  // event it finds. Errors: as ReadStream's and ReadAll's.
  absl::StatusOr<EventBatches> ReadStreamBatches(std::string_view topic, std::string_view stream,
                                                 const StreamReadOptions& options) const;
  absl::StatusOr<EventBatches> ReadAllBatches(std::string_view topic, int64_t from,
                                              int32_t limit) const;
  // The next global position to be assigned (= the number of positions visible).
  // Errors: the topic's.
  absl::StatusOr<int64_t> VisibleEnd(std::string_view topic) const;

  // Saves the state of a stream at `revision` (in the WAL). Errors: STREAM_NOT_FOUND;
  // INVALID_REQUEST (revision not in [0, last revision]); STORAGE_ERROR.
  absl::Status SaveSnapshot(std::string_view topic, std::string_view stream, int64_t revision,
                            std::string_view data);
  // The latest snapshot (if any) and up to `limit` events after it. Errors: as ReadStream.
  absl::StatusOr<SnapshotLoad> LoadSnapshot(std::string_view topic, std::string_view stream,
                                            int32_t limit) const;

  // Soft-deletes a stream: reads say STREAM_NOT_FOUND and its snapshots go; a later append
  // recreates it with revisions going on after the last one (the old events stay hidden).
  // Returns its last revision. Durable (fsynced). Errors: STREAM_NOT_FOUND;
  // WRONG_EXPECTED_VERSION; STORAGE_ERROR.
  absl::StatusOr<int64_t> DeleteStream(std::string_view topic, std::string_view stream,
                                       int64_t expected_revision);
  // Hides the stream's events below `before` (never un-hides). Durable. Returns the last
  // revision. Errors: STREAM_NOT_FOUND; WRONG_EXPECTED_VERSION; INVALID_REQUEST (before not in
  // [0, last revision + 1]); STORAGE_ERROR.
  absl::StatusOr<int64_t> TruncateStream(std::string_view topic, std::string_view stream,
                                         int64_t before, int64_t expected_revision);

  // A named subscription's checkpoint (the next position it reads). Errors: INVALID_REQUEST
  // (empty name, negative position); the topic's; STORAGE_ERROR.
  absl::Status SetCheckpoint(std::string_view topic, std::string_view name, int64_t position);
  absl::StatusOr<std::optional<int64_t>> GetCheckpoint(std::string_view topic,
                                                       std::string_view name) const;

  // Called after every append (not a duplicate), once its positions are visible, outside any
  // lock, with the store topic's name. REQUIRES: set before the store is shared.
  void SetAppendListener(std::function<void(std::string_view topic)> listener);

  // The topic a request names: "" means the default store.
  static std::string_view StoreName(std::string_view topic);

 private:
  // What is known of an append before the store's lock: how many of its event ids were
  // given, and an early lookup of those ids (appends of several events; see AppendRequests).
  struct PreparedAppend {
    size_t given_ids = 0;
    int64_t looked_at = kNotLookedUp;  // The stream's last revision when looked up.
    absl::StatusOr<std::optional<AppendOutcome>> early = std::nullopt;
  };
  struct QueuedAppend {
    const AppendRequest* request = nullptr;
    int32_t partitions = 0;  // The store topic's when queued: where a new stream goes.
    PreparedAppend prepared;
    AppendDone done;
    absl::StatusOr<AppendOutcome> result = AppendOutcome{};
    // Its ids meet an earlier append's in the same pass (a retry racing the original), or an
    // earlier append to its stream was deferred: left for the next pass, which finds the
    // earlier one written.
    bool deferred = false;
  };
  struct Store {
    Store(uint32_t id, std::string_view topic) : topic_id(id), name(topic) {}
    const uint32_t topic_id;
    const std::string name;  // The store topic's.
    absl::Mutex mu;  // Appends and every change of a stream's state.
    int64_t next_position ABSL_GUARDED_BY(mu) = 0;
    std::atomic<int64_t> visible{0};  // Positions below are readable.
    // The states of streams written lately (options.cached_streams), as stored: set under mu
    // after each write of a state, so that a pass's checks seldom read RocksDB; read without
    // mu too (the early id lookups).
    absl::Mutex cache_mu ABSL_ACQUIRED_AFTER(mu);
    absl::flat_hash_map<std::string, StreamState> cached ABSL_GUARDED_BY(cache_mu);
    absl::Mutex queue_mu ABSL_ACQUIRED_AFTER(mu);
    std::vector<QueuedAppend> queue ABSL_GUARDED_BY(queue_mu);
    bool writing ABSL_GUARDED_BY(queue_mu) = false;  // A caller is running passes.
  };
  struct Resolved {
    std::shared_ptr<Store> store;
    std::string topic;
    int32_t partitions = 0;
  };

  // The topic `name`, making the default store on first use when `create`.
  absl::StatusOr<TopicInfo> DescribeStore(std::string_view name, bool create) const;
  // The store behind `topic`, making the default store on first use when `create`.
  absl::StatusOr<Resolved> Resolve(std::string_view topic, bool create) const;
  absl::StatusOr<std::shared_ptr<Store>> StoreFor(uint32_t topic_id,
                                                  std::string_view name) const;
  // The store a $all read from `from` reads, after checking from and limit. Errors: as
  // ReadAll's.
  absl::StatusOr<Resolved> ResolveAllRead(std::string_view topic, int64_t from,
                                          int32_t limit) const;
  // The stream's state, or nullopt. Errors: STORAGE_ERROR, DataLoss.
  absl::StatusOr<std::optional<StreamState>> LoadState(uint32_t topic_id,
                                                       std::string_view stream) const;
  // A live stream's state. Errors: STREAM_NOT_FOUND, LoadState's.
  absl::StatusOr<StreamState> LiveState(uint32_t topic_id, std::string_view stream) const;
  // Validates `request`, fills in its missing ids, and looks up the ids of an append of
  // several events. Errors: Append's INVALID_REQUEST.
  absl::StatusOr<PreparedAppend> PrepareAppend(Store& store, const AppendRequest& request) const;
  // The stream's state as stored (nullopt: none), from the cache or else from RocksDB (then
  // cached). Errors: LoadState's.
  absl::StatusOr<std::optional<StreamState>> StoredState(Store& store, std::string_view stream)
      const ABSL_EXCLUSIVE_LOCKS_REQUIRED(store.mu);
  // Sets the cached state of a stream just written. REQUIRES: the write succeeded.
  void CacheState(Store& store, std::string_view stream, const StreamState& state) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(store.mu);
  // Whether request's expected revision holds for its stream at `state` (a deleted stream
  // shows the check no stream). Errors: CheckExpected's.
  static absl::Status ExpectationOf(const AppendRequest& request, const StreamState& state);
  // Request's revisions after `state` and positions from `position`; advances `state` past it.
  static AppendOutcome Advance(const AppendRequest& request, StreamState& state,
                               int64_t position);
  // The stream's cached state, if the cache holds it.
  static std::optional<StreamState> CachedState(Store& store, std::string_view stream);
  // An earlier append of request's ids, given the stream's state as stored now: the early
  // lookup if the stream has not moved since, else FindRepeat's.
  absl::StatusOr<std::optional<AppendOutcome>> RepeatOf(uint32_t topic_id,
                                                        const AppendRequest& request,
                                                        const PreparedAppend& prepared,
                                                        const std::optional<StreamState>& stored)
      const;
  // The index entries of one append written at `offset` of `partition`: its revision run, its
  // ids (in key order: each insert into the memtable starts where the one before it ended),
  // its entry in the global order. The stream's state is the caller's to write.
  void PutAppendIndex(rocksdb::WriteBatch& write, uint32_t topic_id, const AppendRequest& request,
                      const AppendOutcome& outcome, int32_t partition, int64_t offset) const;
  // The writer's passes, until the queue is empty (see AppendQueued).
  void WritePasses(Resolved resolved, RunLater later);
  // One pass of AppendQueued over `group` (all of `resolved`'s store): sets each append's
  // result, or `deferred`.
  void WriteQueued(const Resolved& resolved, std::span<QueuedAppend> group);
  // Checks `items` (all to `partition`) in order against their streams' `states` (as the
  // appends before leave them; a stream not there is as `stored` says) and appends those that
  // pass in one write, updating `states`; if that write fails, checks and appends each of
  // `items` alone, in order.
  using StoredStates = absl::flat_hash_map<std::string_view, std::optional<StreamState>>;
  using StreamStates = absl::flat_hash_map<std::string_view, StreamState>;
  void WriteToPartition(const Resolved& resolved, Store& store, int32_t partition,
                        std::span<QueuedAppend* const> items, const StoredStates& stored,
                        StreamStates& states) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store.mu);
  // The first append of request's ids: a duplicate's outcome, nullopt when none was appended.
  // Errors: EVENT_ID_CONFLICT; STORAGE_ERROR.
  absl::StatusOr<std::optional<AppendOutcome>> FindRepeat(uint32_t topic_id,
                                                          const AppendRequest& request,
                                                          size_t given_ids) const;
  // Appends `requests` in order as one batch to one partition (`partition`, or their stream's)
  // in one write, filling in *outcomes (cleared when an idempotent producer's retry made it
  // a duplicate). Errors: as AppendProduced.
  absl::StatusOr<AppendResult> AppendRequests(const Resolved& resolved,
                                              std::optional<PartitionId> partition,
                                              std::span<const AppendRequest> requests,
                                              const ProducerStamp& producer,
                                              Compression compression,
                                              std::vector<AppendOutcome>* outcomes);
  // The answer to an append whose events were all appended before, the first at `revision`.
  absl::StatusOr<AppendResult> RepeatedAppend(const Resolved& resolved, std::string_view stream,
                                              int64_t revision) const;
  struct LiveStream {
    Resolved resolved;
    StreamState state;
  };
  // The store and state of a live stream a read reads, after checking the limit. Errors: as
  // ReadStream's.
  absl::StatusOr<LiveStream> ResolveStreamRead(std::string_view topic, std::string_view stream,
                                               int32_t limit) const;
  // What taking an event for a stream read did: took it; found that the log no longer holds
  // it; or took it and filled the page.
  enum class Took { kEvent, kGone, kPageFull };
  using TakeEvent = absl::FunctionRef<absl::StatusOr<Took>(int32_t partition, int64_t offset)>;
  struct StreamWalk {
    int64_t first = 0;  // The first revision the read took (or looked at, if none),
    int64_t end = 0;    // and the one after the last (before it, backwards).
    int64_t next = 0;   // Where to read on from (-1: backwards, at the start).
  };
  // Walks the revisions a read of the stream covers, in its order, taking each, until
  // options.limit events were taken or a page is full; a forward walk first prefetches the
  // batches it will take into `cursor`, which take reads. Errors: STORAGE_ERROR; take's.
  absl::StatusOr<StreamWalk> WalkStream(const Resolved& resolved, std::string_view stream,
                                        const StreamState& state,
                                        const StreamReadOptions& options, BatchCursor& cursor,
                                        TakeEvent take) const;
  absl::StatusOr<EventSlice> ReadStreamFrom(const Resolved& resolved, std::string_view stream,
                                            const StreamState& state,
                                            const StreamReadOptions& options) const;
  // Checks a live stream against `expected_revision`, applies `change` to its state and
  // writes it durably (dropping its snapshots too). Returns its last revision. Errors:
  // STREAM_NOT_FOUND; WRONG_EXPECTED_VERSION; change's; STORAGE_ERROR.
  absl::StatusOr<int64_t> ChangeStream(std::string_view topic, std::string_view stream,
                                       int64_t expected_revision, bool drop_snapshots,
                                       absl::FunctionRef<absl::Status(StreamState&)> change);

  LogStore& log_;
  const EventStoreOptions options_;
  std::function<void(std::string_view)> listener_;
  mutable absl::Mutex mu_;
  mutable absl::flat_hash_map<uint32_t, std::shared_ptr<Store>> stores_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook::storage::events
