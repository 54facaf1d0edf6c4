// EventStore's group commit (declared in event_store.h): appends queued by concurrent callers
// are written together, in one pass under the store's lock with one RocksDB write per
// partition. Each append keeps its own batch and its own outcome.
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "protocol/partitioner.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/event_store/event_store.h"

namespace brook::storage::events {

void EventStore::AppendQueued(std::string_view topic, const AppendRequest& request,
                              AppendDone done, RunLater later) {
  absl::StatusOr<Resolved> resolved = Resolve(topic, /*create=*/true);
  if (!resolved.ok()) return std::move(done)(resolved.status());
  absl::StatusOr<PreparedAppend> prepared = PrepareAppend(*resolved->store, request);
  if (!prepared.ok()) return std::move(done)(prepared.status());
  Store& store = *resolved->store;
  {
    absl::MutexLock lock(&store.queue_mu);
    store.queue.push_back(QueuedAppend{.request = &request,
                                       .partitions = resolved->partitions,
                                       .prepared = *std::move(prepared),
                                       .done = std::move(done)});
    if (store.writing) return;
    store.writing = true;
  }
  WritePasses(*std::move(resolved), std::move(later));
}

void EventStore::WritePasses(Resolved resolved, RunLater later) {
  Store& store = *resolved.store;
  for (;;) {
    std::vector<QueuedAppend> group;
    {
      absl::MutexLock lock(&store.queue_mu);
      if (store.queue.empty()) {
        store.writing = false;
        return;
      }
      group.swap(store.queue);
    }
    WriteQueued(resolved, group);
    bool appended = false;
    std::vector<QueuedAppend> deferred;
    for (QueuedAppend& item : group) {
      if (item.deferred) {
        item.deferred = false;
        deferred.push_back(std::move(item));
        continue;
      }
      appended = appended || (item.result.ok() && !item.result->duplicate);
      std::move(item.done)(std::move(item.result));
    }
    if (appended && listener_) listener_(resolved.topic);
    {
      absl::MutexLock lock(&store.queue_mu);
      // Deferred appends go first, in their order, before the ones queued since.
      store.queue.insert(store.queue.begin(), std::make_move_iterator(deferred.begin()),
                         std::make_move_iterator(deferred.end()));
      if (store.queue.empty()) {
        store.writing = false;
        return;
      }
    }
    if (later) {
      // More came meanwhile: this thread serves what else waits for it first, then writes
      // the next pass (still the writer: nobody else starts one).
      RunLater again = later;
      return again([this, resolved = std::move(resolved), later = std::move(later)]() mutable {
        WritePasses(std::move(resolved), std::move(later));
      });
    }
  }
}

void EventStore::FailQueued(const absl::Status& status) {
  std::vector<std::shared_ptr<Store>> stores;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, store] : stores_) stores.push_back(store);
  }
  for (const std::shared_ptr<Store>& store : stores) {
    std::vector<QueuedAppend> queued;
    {
      absl::MutexLock lock(&store->queue_mu);
      queued.swap(store->queue);
      store->writing = false;
    }
    for (QueuedAppend& item : queued) std::move(item.done)(status);
  }
}

void EventStore::WriteQueued(const Resolved& resolved, std::span<QueuedAppend> group) {
  Store& store = *resolved.store;
  const uint32_t id = store.topic_id;
  absl::MutexLock lock(&store.mu);
  // Each stream's state as stored, before this pass.
  StoredStates stored;
  // The given ids of the appends taken so far: a later append naming one of them is a retry
  // racing the first, which its id lookup cannot see until the first is written.
  absl::flat_hash_set<std::pair<std::string_view, std::string_view>> ids;
  // The streams of deferred appends: their later appends wait too, to keep their order.
  absl::flat_hash_set<std::string_view> deferred_streams;
  // By partition, in the order of the queue within each.
  std::map<int32_t, std::vector<QueuedAppend*>> by_partition;
  // Where the new streams of this pass go: where their first append puts them, even if a
  // later one saw another partition count (partitions added meanwhile).
  absl::flat_hash_map<std::string_view, int32_t> new_streams;
  for (QueuedAppend& item : group) {
    const AppendRequest& request = *item.request;
    bool defer = deferred_streams.contains(request.stream);
    if (!defer && item.prepared.given_ids > 0) {
      for (const NewEvent& event : request.events) {
        defer = defer || ids.contains({request.stream, event.id});
      }
      if (!defer) {
        for (const NewEvent& event : request.events) ids.insert({request.stream, event.id});
      }
    }
    if (defer) {
      item.deferred = true;
      deferred_streams.insert(request.stream);
      continue;
    }
    auto state = stored.find(request.stream);
    if (state == stored.end()) {
      absl::StatusOr<std::optional<StreamState>> loaded = StoredState(store, request.stream);
      if (!loaded.ok()) {
        item.result = loaded.status();
        continue;
      }
      state = stored.emplace(request.stream, *loaded).first;
    }
    absl::StatusOr<std::optional<AppendOutcome>> repeat =
        RepeatOf(id, request, item.prepared, state->second);
    if (!repeat.ok() || repeat->has_value()) {
      item.result = repeat.ok() ? absl::StatusOr<AppendOutcome>(**repeat) : repeat.status();
      continue;
    }
    const int32_t partition =
        state->second ? state->second->partition
                      : new_streams.try_emplace(request.stream,
                                                PartitionForKey(request.stream, item.partitions))
                            .first->second;
    by_partition[partition].push_back(&item);
  }
  StreamStates states;
  for (const auto& [partition, items] : by_partition) {
    WriteToPartition(resolved, store, partition, items, stored, states);
  }
}

void EventStore::WriteToPartition(const Resolved& resolved, Store& store, int32_t partition,
                                  std::span<QueuedAppend* const> items,
                                  const StoredStates& stored, StreamStates& states) {
  // The streams' states before these appends, to restore if their write fails.
  StreamStates before;
  std::vector<QueuedAppend*> passed;
  std::vector<AppendOutcome> outcomes;
  std::vector<StreamRun> runs;
  int64_t position = store.next_position;
  for (QueuedAppend* item : items) {
    const AppendRequest& request = *item->request;
    auto [it, fresh] = states.try_emplace(request.stream);
    if (fresh) {
      it->second = stored.at(request.stream).value_or(StreamState{-1, partition, 0, false});
    }
    StreamState& state = it->second;
    before.try_emplace(request.stream, state);
    if (absl::Status s = ExpectationOf(request, state); !s.ok()) {
      item->result = s;
      continue;
    }
    const AppendOutcome& outcome = outcomes.emplace_back(Advance(request, state, position));
    position = outcome.last_position + 1;
    runs.push_back({request.stream, request.events, outcome.first_revision,
                    outcome.first_position});
    passed.push_back(item);
  }
  if (passed.empty()) return;
  // One batch per append, as an append alone would write it.
  std::string record_set;
  const int64_t now_ms = log_.NowMs();
  for (const StreamRun& run : runs) record_set += EncodeAppendBatch({&run, 1}, now_ms);
  const uint32_t id = store.topic_id;
  absl::StatusOr<AppendResult> appended = log_.AppendWith(
      resolved.topic, PartitionId(partition), record_set,
      [&](rocksdb::WriteBatch& write, Offset base) -> absl::Status {
        int64_t offset = base.value;
        absl::flat_hash_set<std::string_view> streams;
        for (size_t i = 0; i < passed.size(); ++i) {
          const AppendRequest& request = *passed[i]->request;
          PutAppendIndex(write, id, request, outcomes[i], partition, offset);
          offset += static_cast<int64_t>(request.events.size());
          if (streams.insert(request.stream).second) {
            write.Put(log_.column_families().events, StreamKey(id, request.stream),
                      EncodeStreamState(states.at(request.stream)));
          }
        }
        return absl::OkStatus();
      });
  if (!appended.ok()) {
    for (const auto& [stream, state] : before) states[stream] = state;
    if (items.size() == 1) {
      passed.front()->result = appended.status();
      return;
    }
    // Which append the error belongs to (one too large, say) is found one at a time; every
    // check is made again, as a failed append may be what a later one's check counted on.
    for (QueuedAppend* item : items) {
      WriteToPartition(resolved, store, partition, {&item, 1}, stored, states);
    }
    return;
  }
  for (size_t i = 0; i < passed.size(); ++i) {
    passed[i]->result = outcomes[i];
    const std::string_view stream = passed[i]->request->stream;
    CacheState(store, stream, states.at(stream));
  }
  store.next_position = position;
  store.visible.store(position, std::memory_order_release);
}

}  // namespace brook::storage::events
