// EventStore's writes: appends, deletion, truncation, snapshots and checkpoints (declared in
// event_store.h); the reads are in event_store_reads.cc.
#include "storage/event_store/event_store.h"

#include <algorithm>
#include <numeric>

#include "absl/synchronization/notification.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/event_id.h"
#include "protocol/expected_revision.h"
#include "protocol/messages.h"
#include "protocol/partitioner.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/event_store/append_checks.h"
#include "storage/event_store/produced_events.h"
#include "storage/event_store/revision_runs.h"
#include "storage/keys.h"
#include "storage/rocksdb_status.h"

namespace brook::storage::events {

EventStore::EventStore(LogStore& log, EventStoreOptions options)
    : log_(log), options_(options) {}

void EventStore::SetAppendListener(std::function<void(std::string_view topic)> listener) {
  listener_ = std::move(listener);
}

std::string_view EventStore::StoreName(std::string_view topic) {
  return topic.empty() ? kDefaultEventStore : topic;
}

absl::StatusOr<TopicInfo> EventStore::DescribeStore(std::string_view name, bool create) const {
  if (create && name == kDefaultEventStore) {
    absl::StatusOr<TopicInfo> info = log_.DescribeTopic(name);
    if (info.ok() || CodeOf(info.status()) != ErrorCode::kUnknownTopicOrPartition) return info;
    absl::Status created = log_.CreateTopic(
        name, options_.default_store_partitions, {{"event.store", "true"}, {"retention.ms", "-1"}});
    if (!created.ok() && CodeOf(created) != ErrorCode::kTopicAlreadyExists) return created;
  }
  return log_.DescribeTopic(name);
}

absl::StatusOr<EventStore::Resolved> EventStore::Resolve(std::string_view topic,
                                                         bool create) const {
  const std::string_view name = StoreName(topic);
  absl::StatusOr<TopicInfo> info = DescribeStore(name, create);
  if (!info.ok()) return info.status();
  if (!info->config.event_store) {
    return MakeError(ErrorCode::kNotAnEventStore,
                     fmt::format("topic '{}' is not an event store (event.store=true)", name));
  }
  absl::StatusOr<std::shared_ptr<Store>> store = StoreFor(info->topic_id, name);
  if (!store.ok()) return store.status();
  return Resolved{*std::move(store), std::string(name),
                  static_cast<int32_t>(info->partitions.size())};
}

absl::StatusOr<std::shared_ptr<EventStore::Store>> EventStore::StoreFor(
    uint32_t topic_id, std::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = stores_.find(topic_id);
  if (it != stores_.end()) return it->second;
  // Stores whose topic was deleted (or reset, or deleted and made again: topic ids are never
  // reused) go, with their cached stream states.
  absl::erase_if(stores_, [&](const auto& entry) {
    absl::StatusOr<TopicInfo> live = log_.DescribeTopic(entry.second->name);
    return !live.ok() || live->topic_id != entry.first;
  });
  // Recovers the next position from the last append's entry.
  const ColumnFamilies& cfs = log_.column_families();
  std::unique_ptr<rocksdb::Iterator> iterator(
      cfs.db->NewIterator(rocksdb::ReadOptions(), cfs.events));
  const std::string first = GlobalKey(topic_id, 0);
  iterator->SeekForPrev(GlobalKeyEnd(topic_id));
  int64_t next = 0;
  if (iterator->Valid() && iterator->key().ToStringView() >= first) {
    absl::StatusOr<AppendEntry> last = DecodeAppendEntry(iterator->value().ToStringView());
    if (!last.ok()) return last.status();
    next = PositionOfKey(iterator->key().ToStringView()) + last->count;
  }
  if (absl::Status s = FromRocks(iterator->status(), "recovering an event store"); !s.ok()) {
    return s;
  }
  auto store = std::make_shared<Store>(topic_id, name);
  {
    absl::MutexLock store_lock(&store->mu);
    store->next_position = next;
  }
  store->visible.store(next, std::memory_order_release);
  stores_.emplace(topic_id, store);
  return store;
}

absl::StatusOr<std::optional<StreamState>> EventStore::LoadState(uint32_t topic_id,
                                                                 std::string_view stream) const {
  const ColumnFamilies& cfs = log_.column_families();
  std::string value;
  rocksdb::Status s =
      cfs.db->Get(rocksdb::ReadOptions(), cfs.events, StreamKey(topic_id, stream), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (absl::Status st = FromRocks(s, "reading a stream's state"); !st.ok()) return st;
  absl::StatusOr<StreamState> state = DecodeStreamState(value);
  if (!state.ok()) return state.status();
  return *state;
}

absl::StatusOr<StreamState> EventStore::LiveState(uint32_t topic_id,
                                                  std::string_view stream) const {
  absl::StatusOr<std::optional<StreamState>> state = LoadState(topic_id, stream);
  if (!state.ok()) return state.status();
  if (!state->has_value() || (*state)->deleted) {
    return MakeError(ErrorCode::kStreamNotFound,
                     fmt::format("stream '{}' {}", stream,
                                 state->has_value() ? "was deleted" : "does not exist"));
  }
  return **state;
}

absl::StatusOr<std::optional<AppendOutcome>> EventStore::FindRepeat(uint32_t topic_id,
                                                                    const AppendRequest& request,
                                                                    size_t given_ids) const {
  if (given_ids == 0) return std::nullopt;
  const ColumnFamilies& cfs = log_.column_families();
  std::vector<std::string> keys;
  keys.reserve(request.events.size());
  for (const NewEvent& event : request.events) keys.push_back(IdKey(topic_id, request.stream, event.id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values(keys.size());
  std::vector<rocksdb::ColumnFamilyHandle*> families(keys.size(), cfs.events);
  std::vector<rocksdb::Status> found =
      cfs.db->MultiGet(rocksdb::ReadOptions(), families, slices, &values);
  size_t repeated = 0;
  AppendOutcome outcome;
  outcome.duplicate = true;
  bool in_place = true;
  for (size_t i = 0; i < found.size(); ++i) {
    if (found[i].IsNotFound()) continue;
    if (absl::Status s = FromRocks(found[i], "reading an event id"); !s.ok()) return s;
    const IdEntry entry = DecodeIdEntry(values[i]);
    if (i == 0) {
      outcome.first_revision = entry.revision;
      outcome.first_position = entry.position;
    }
    in_place = in_place && entry.revision == outcome.first_revision + static_cast<int64_t>(i);
    outcome.last_revision = entry.revision;
    outcome.last_position = entry.position;
    ++repeated;
  }
  if (repeated == 0) return std::nullopt;
  if (repeated == keys.size() && in_place) return outcome;
  return MakeError(ErrorCode::kEventIdConflict,
                   fmt::format("stream '{}': {} of the {} event ids were appended before{}",
                               request.stream, repeated, keys.size(),
                               repeated == keys.size() ? ", but not at contiguous revisions in "
                                                         "this order"
                                                       : ""));
}

absl::StatusOr<AppendOutcome> EventStore::Append(std::string_view topic,
                                                 const AppendRequest& request) {
  absl::StatusOr<AppendOutcome> outcome;
  absl::Notification done;
  AppendQueued(topic, request, [&](absl::StatusOr<AppendOutcome> result) {
    outcome = std::move(result);
    done.Notify();
  });
  done.WaitForNotification();
  return outcome;
}

absl::StatusOr<AppendResult> EventStore::AppendProduced(std::string_view topic,
                                                        PartitionId partition,
                                                        std::string_view record_set) {
  ProducedEvents produced;
  absl::StatusOr<bool> has_events = ReadProducedEvents(record_set, &produced);
  if (!has_events.ok()) return has_events.status();
  if (!*has_events) return log_.Append(topic, partition, record_set);
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/false);
  if (!resolved.ok()) return resolved.status();
  if (partition.value < 0 || partition.value >= resolved->partitions) {
    return MakeError(ErrorCode::kUnknownTopicOrPartition,
                     fmt::format("topic '{}' has no partition {} (it has {})", resolved->topic,
                                 partition.value, resolved->partitions));
  }
  std::vector<AppendOutcome> outcomes;
  return AppendRequests(*resolved, partition, produced.requests, produced.producer,
                        produced.compression, &outcomes);
}

absl::StatusOr<AppendResult> EventStore::RepeatedAppend(const Resolved& resolved,
                                                        std::string_view stream,
                                                        int64_t revision) const {
  RevisionRuns runs(log_.column_families(), resolved.store->topic_id, stream);
  runs.SeekAtOrBefore(revision);
  if (absl::Status s = runs.status(); !s.ok()) return s;
  if (!runs.Valid()) return absl::DataLossError("an appended event's revision is not indexed");
  absl::StatusOr<RevisionRun> run = runs.run();
  if (!run.ok()) return run.status();
  const int64_t offset = run->offset + (revision - runs.first());
  absl::StatusOr<PartitionInfo> offsets = log_.Offsets(resolved.topic, PartitionId(run->partition));
  if (!offsets.ok()) return offsets.status();
  return AppendResult{Offset(offset), offsets->log_start, offsets->log_end,
                      /*duplicate=*/true};
}

absl::StatusOr<EventStore::PreparedAppend> EventStore::PrepareAppend(
    Store& store, const AppendRequest& request) const {
  if (absl::Status s = ValidateStreamId(request.stream); !s.ok()) return s;
  absl::StatusOr<size_t> given = PrepareEvents(request.events, options_.max_events_per_append);
  if (!given.ok()) return given.status();
  PreparedAppend prepared{.given_ids = *given};
  if (*given == 0) return prepared;
  // Given ids are looked up before the lock, so that concurrent appends look theirs up in
  // parallel, when the stream's state is cached or the append has several events (one
  // event's lookup costs less than a state's read). Only an append to a stream adds ids to
  // it, so a lookup made after reading the stream's last revision still holds under the lock
  // if that revision has not moved since; otherwise it is made again there.
  if (std::optional<StreamState> cached = CachedState(store, request.stream)) {
    prepared.looked_at = cached->last_revision;
  } else if (*given > 1) {
    absl::StatusOr<std::optional<StreamState>> loaded = LoadState(store.topic_id, request.stream);
    if (!loaded.ok()) return loaded.status();
    prepared.looked_at = LastRevisionOf(*loaded);
  }
  if (prepared.looked_at != kNotLookedUp) {
    prepared.early = FindRepeat(store.topic_id, request, *given);
  }
  return prepared;
}

absl::Status EventStore::ExpectationOf(const AppendRequest& request, const StreamState& state) {
  // A deleted stream shows expected-revision checks no stream.
  return CheckExpected(request.stream, request.expected_revision,
                       state.deleted ? -1 : state.last_revision);
}

AppendOutcome EventStore::Advance(const AppendRequest& request, StreamState& state,
                                  int64_t position) {
  const auto count = static_cast<int64_t>(request.events.size());
  const AppendOutcome outcome{state.last_revision + 1, state.last_revision + count, position,
                              position + count - 1, false};
  state.last_revision = outcome.last_revision;
  state.deleted = false;
  return outcome;
}

std::optional<StreamState> EventStore::CachedState(Store& store, std::string_view stream) {
  absl::MutexLock lock(&store.cache_mu);
  auto cached = store.cached.find(ToAbsl(stream));
  if (cached == store.cached.end()) return std::nullopt;
  return cached->second;
}

absl::StatusOr<std::optional<StreamState>> EventStore::StoredState(Store& store,
                                                                   std::string_view stream) const {
  if (std::optional<StreamState> cached = CachedState(store, stream)) return cached;
  absl::StatusOr<std::optional<StreamState>> loaded = LoadState(store.topic_id, stream);
  if (loaded.ok() && loaded->has_value()) CacheState(store, stream, **loaded);
  return loaded;
}

void EventStore::CacheState(Store& store, std::string_view stream,
                            const StreamState& state) const {
  if (options_.cached_streams == 0) return;
  absl::MutexLock lock(&store.cache_mu);
  if (store.cached.size() >= options_.cached_streams &&
      !store.cached.contains(ToAbsl(stream))) {
    // An eighth goes (at least one), the first in the map's (hash) order.
    auto it = store.cached.begin();
    for (size_t n = 0; n <= options_.cached_streams / 8 && it != store.cached.end(); ++n) {
      store.cached.erase(it++);
    }
  }
  store.cached.insert_or_assign(std::string(stream), state);
}

absl::StatusOr<std::optional<AppendOutcome>> EventStore::RepeatOf(
    uint32_t topic_id, const AppendRequest& request, const PreparedAppend& prepared,
    const std::optional<StreamState>& stored) const {
  if (prepared.looked_at == LastRevisionOf(stored)) return prepared.early;
  return FindRepeat(topic_id, request, prepared.given_ids);
}

void EventStore::PutAppendIndex(rocksdb::WriteBatch& write, uint32_t topic_id,
                                const AppendRequest& request, const AppendOutcome& outcome,
                                int32_t partition, int64_t offset) const {
  rocksdb::ColumnFamilyHandle* events = log_.column_families().events;
  const auto count = static_cast<int32_t>(request.events.size());
  write.Put(events, RevisionKey(topic_id, request.stream, outcome.first_revision),
            EncodeRevisionRun({outcome.first_position, partition, offset, count}));
  std::vector<int32_t> by_id(static_cast<size_t>(count));
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(), [&](int32_t a, int32_t b) {
    return request.events[a].id < request.events[b].id;
  });
  for (const int32_t e : by_id) {
    write.Put(events, IdKey(topic_id, request.stream, request.events[e].id),
              EncodeIdEntry({outcome.first_revision + e, outcome.first_position + e}));
  }
  write.Put(events, GlobalKey(topic_id, outcome.first_position),
            EncodeAppendEntry({partition, offset, count, std::string(request.stream)}));
}

absl::StatusOr<AppendResult> EventStore::AppendRequests(const Resolved& resolved,
                                                        std::optional<PartitionId> partition,
                                                        std::span<const AppendRequest> requests,
                                                        const ProducerStamp& producer,
                                                        Compression compression,
                                                        std::vector<AppendOutcome>* outcomes) {
  Store& store = *resolved.store;
  const uint32_t id = store.topic_id;
  std::vector<PreparedAppend> prepared;
  for (const AppendRequest& request : requests) {
    absl::StatusOr<PreparedAppend> ready = PrepareAppend(store, request);
    if (!ready.ok()) return ready.status();
    prepared.push_back(*std::move(ready));
  }
  outcomes->assign(requests.size(), AppendOutcome{});
  AppendResult result;
  {
    absl::MutexLock lock(&store.mu);
    // Each stream's state as stored, before this append.
    absl::flat_hash_map<std::string_view, std::optional<StreamState>> stored;
    for (const AppendRequest& request : requests) {
      if (stored.contains(request.stream)) continue;
      absl::StatusOr<std::optional<StreamState>> loaded = StoredState(store, request.stream);
      if (!loaded.ok()) return loaded.status();
      stored.emplace(request.stream, *loaded);
    }
    size_t repeats = 0;
    for (size_t i = 0; i < requests.size(); ++i) {
      absl::StatusOr<std::optional<AppendOutcome>> repeat =
          RepeatOf(id, requests[i], prepared[i], stored[requests[i].stream]);
      if (!repeat.ok()) return repeat.status();
      if (!repeat->has_value()) continue;
      (*outcomes)[i] = **repeat;
      ++repeats;
    }
    if (repeats == requests.size()) {
      // A produced batch is answered with offsets; Append's caller reads *outcomes.
      if (partition) {
        return RepeatedAppend(resolved, requests.front().stream,
                              outcomes->front().first_revision);
      }
      result.duplicate = true;
      return result;
    }
    if (repeats > 0) {
      return MakeError(ErrorCode::kEventIdConflict,
                       fmt::format("{} of the {} appends in this batch were made before, not "
                                   "all of them",
                                   repeats, requests.size()));
    }
    // Each stream's state as the requests before the current one leave it.
    absl::flat_hash_map<std::string_view, StreamState> states;
    absl::Status expected = absl::OkStatus();  // The first failed check.
    std::vector<StreamRun> runs;
    int64_t position = store.next_position;
    for (size_t i = 0; i < requests.size(); ++i) {
      const AppendRequest& request = requests[i];
      auto [it, fresh] = states.try_emplace(request.stream);
      if (fresh) {
        it->second = stored[request.stream].value_or(StreamState{
            -1, partition ? partition->value : PartitionForKey(request.stream, resolved.partitions),
            0, false});
      }
      StreamState& state = it->second;
      if (partition && state.partition != partition->value) {
        return MakeError(ErrorCode::kInvalidRecord,
                         fmt::format("stream '{}' is in partition {}, not {}: produce its events "
                                     "there (Kafka's default murmur2 partitioner places them so)",
                                     request.stream, state.partition, partition->value));
      }
      partition = PartitionId(state.partition);
      if (expected.ok()) expected = ExpectationOf(request, state);
      const AppendOutcome& outcome = (*outcomes)[i] = Advance(request, state, position);
      position = outcome.last_position + 1;
      runs.push_back({request.stream, request.events, outcome.first_revision,
                      outcome.first_position});
    }
    // A failed check is answered at once, unless the batch may be an idempotent producer's
    // retry: then the log answers a retry with the original offsets before the check fails.
    if (!expected.ok() && !producer.has_producer()) return expected;
    const std::string batch = EncodeAppendBatch(runs, log_.NowMs(), producer, compression);
    const ColumnFamilies& cfs = log_.column_families();
    absl::StatusOr<AppendResult> appended = log_.AppendWith(
        resolved.topic, *partition, batch,
        [&](rocksdb::WriteBatch& write, Offset base) -> absl::Status {
          if (!expected.ok()) return expected;
          int64_t offset = base.value;
          for (size_t i = 0; i < requests.size(); ++i) {
            PutAppendIndex(write, id, requests[i], (*outcomes)[i], partition->value, offset);
            offset += static_cast<int64_t>(requests[i].events.size());
          }
          for (const auto& [stream, state] : states) {
            write.Put(cfs.events, StreamKey(id, stream), EncodeStreamState(state));
          }
          return absl::OkStatus();
        });
    if (!appended.ok()) return appended.status();
    result = *appended;
    if (result.duplicate) {
      outcomes->clear();
      return result;
    }
    for (const auto& [stream, state] : states) CacheState(store, stream, state);
    store.next_position = position;
    store.visible.store(position, std::memory_order_release);
  }
  if (listener_) listener_(resolved.topic);
  return result;
}

absl::StatusOr<int64_t> EventStore::ChangeStream(
    std::string_view topic, std::string_view stream, int64_t expected_revision,
    bool drop_snapshots, absl::FunctionRef<absl::Status(StreamState&)> change) {
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/false);
  if (!resolved.ok()) return resolved.status();
  Store& store = *resolved->store;
  absl::MutexLock lock(&store.mu);
  absl::StatusOr<StreamState> state = LiveState(store.topic_id, stream);
  if (!state.ok()) return state.status();
  if (absl::Status s = CheckExpected(stream, expected_revision, state->last_revision); !s.ok()) {
    return s;
  }
  if (absl::Status s = change(*state); !s.ok()) return s;
  const ColumnFamilies& cfs = log_.column_families();
  rocksdb::WriteBatch write;
  write.Put(cfs.events, StreamKey(store.topic_id, stream), EncodeStreamState(*state));
  if (drop_snapshots) {
    write.DeleteRange(cfs.events, SnapshotKey(store.topic_id, stream, 0),
                      SnapshotKeyEnd(store.topic_id, stream));
  }
  if (absl::Status s = FromRocks(cfs.db->Write(SyncedWrite(), &write), "changing a stream");
      !s.ok()) {
    return s;
  }
  CacheState(store, stream, *state);
  return state->last_revision;
}

absl::StatusOr<int64_t> EventStore::DeleteStream(std::string_view topic, std::string_view stream,
                                                 int64_t expected_revision) {
  return ChangeStream(topic, stream, expected_revision, /*drop_snapshots=*/true,
                      [](StreamState& state) {
                        state.deleted = true;
                        state.truncate_before = state.last_revision + 1;
                        return absl::OkStatus();
                      });
}

absl::StatusOr<int64_t> EventStore::TruncateStream(std::string_view topic,
                                                   std::string_view stream, int64_t before,
                                                   int64_t expected_revision) {
  return ChangeStream(
      topic, stream, expected_revision, /*drop_snapshots=*/false,
      [&](StreamState& state) -> absl::Status {
        if (before < 0 || before > state.last_revision + 1) {
          return MakeError(ErrorCode::kInvalidRequest,
                           fmt::format("stream '{}': truncate before {} is not in [0, {}]",
                                       stream, before, state.last_revision + 1));
        }
        state.truncate_before = std::max(state.truncate_before, before);
        return absl::OkStatus();
      });
}

absl::Status EventStore::SaveSnapshot(std::string_view topic, std::string_view stream,
                                      int64_t revision, std::string_view data) {
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/false);
  if (!resolved.ok()) return resolved.status();
  Store& store = *resolved->store;
  absl::MutexLock lock(&store.mu);  // Not beside a deletion that drops snapshots.
  absl::StatusOr<StreamState> state = LiveState(store.topic_id, stream);
  if (!state.ok()) return state.status();
  if (revision < 0 || revision > state->last_revision) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("stream '{}': a snapshot at revision {} is not in [0, {}]",
                                 stream, revision, state->last_revision));
  }
  const ColumnFamilies& cfs = log_.column_families();
  return FromRocks(cfs.db->Put(rocksdb::WriteOptions(), cfs.events,
                               SnapshotKey(store.topic_id, stream, revision),
                               rocksdb::Slice(data.data(), data.size())),
                   "saving a snapshot");
}

absl::Status EventStore::SetCheckpoint(std::string_view topic, std::string_view name,
                                       int64_t position) {
  if (name.empty() || position < 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "a checkpoint needs a subscription name and a position >= 0");
  }
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/true);
  if (!resolved.ok()) return resolved.status();
  const ColumnFamilies& cfs = log_.column_families();
  return FromRocks(cfs.db->Put(rocksdb::WriteOptions(), cfs.events,
                               CheckpointKey(resolved->store->topic_id, name),
                               EncodeI64(position)),
                   "saving a checkpoint");
}

absl::StatusOr<std::optional<int64_t>> EventStore::GetCheckpoint(std::string_view topic,
                                                                 std::string_view name) const {
  if (name.empty()) return MakeError(ErrorCode::kInvalidRequest, "a subscription needs a name");
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/true);
  if (!resolved.ok()) return resolved.status();
  const ColumnFamilies& cfs = log_.column_families();
  std::string value;
  rocksdb::Status s = cfs.db->Get(rocksdb::ReadOptions(), cfs.events,
                                  CheckpointKey(resolved->store->topic_id, name), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (absl::Status st = FromRocks(s, "reading a checkpoint"); !st.ok()) return st;
  if (value.size() != 8) return absl::DataLossError("a checkpoint record is corrupt");
  return DecodeI64(value);
}

}  // namespace brook::storage::events
