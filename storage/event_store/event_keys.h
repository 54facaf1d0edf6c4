// storage/event_store/event_keys.h: the event store's RocksDB keys and values, in the
// "events" column family. Frozen: see docs/storage.md ("Event store").
//
// Every key starts with the store topic's id, so deleting the topic or resetting the store
// drops its index with one range deletion:
//   topic_id u32 | 'S' | stream                         -> StreamState (below)
//   topic_id u32 | 'R' | stream_len u16 | stream | first_revision i64
//                                                       -> RevisionRun (below): one per append
//   topic_id u32 | 'I' | stream_len u16 | stream | event_id (16 bytes)
//                                                       -> revision i64 | position i64
//   topic_id u32 | 'G' | first_position i64             -> AppendEntry (below): one per append
//   topic_id u32 | 'N' | stream_len u16 | stream | revision i64 -> snapshot data (bytes)
//   topic_id u32 | 'C' | name                           -> checkpoint position i64
// Integers are big-endian, so key order is numeric order for the non-negative values stored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook::storage::events {

// The longest stream id (its length is a u16 in keys; ids are meant to be short).
inline constexpr size_t kMaxStreamIdBytes = 1024;

// What the store knows of one stream.
struct StreamState {
  int64_t last_revision = -1;   // -1: no event yet.
  int32_t partition = 0;        // Where its events are, fixed by its first append.
  int64_t truncate_before = 0;  // Events below this revision are hidden (truncate, delete).
  bool deleted = false;         // Soft-deleted: reads say it does not exist until an append.
};
std::string EncodeStreamState(const StreamState& state);
// Errors: DataLoss for a value that is no StreamState.
absl::StatusOr<StreamState> DecodeStreamState(std::string_view value);

// Where one append's events of a stream are: revisions [first, first + count) (the first is
// in the key) at positions [position, position + count) and offsets [offset, offset + count)
// of `partition`.
struct RevisionRun {
  int64_t position = 0;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t count = 1;
};
std::string EncodeRevisionRun(const RevisionRun& run);
// Format 3's 20-byte value (one entry per event, without the count) is a run of one.
// Errors: DataLoss.
absl::StatusOr<RevisionRun> DecodeRevisionRun(std::string_view value);

// An event id's first append.
struct IdEntry {
  int64_t revision = 0;
  int64_t position = 0;
};
std::string EncodeIdEntry(const IdEntry& entry);
IdEntry DecodeIdEntry(std::string_view value);  // REQUIRES: 16 bytes.

// One append's events in the global order: positions [first, first + count), records at
// [offset, offset + count) of `partition`, all of `stream`.
struct AppendEntry {
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t count = 0;
  std::string stream;
};
std::string EncodeAppendEntry(const AppendEntry& entry);
// Errors: DataLoss.
absl::StatusOr<AppendEntry> DecodeAppendEntry(std::string_view value);

std::string StreamKey(uint32_t topic_id, std::string_view stream);
std::string RevisionKey(uint32_t topic_id, std::string_view stream, int64_t revision);
// The first key after every revision key of the stream.
std::string RevisionKeyEnd(uint32_t topic_id, std::string_view stream);
int64_t RevisionOfKey(std::string_view key);  // REQUIRES: a RevisionKey.
std::string IdKey(uint32_t topic_id, std::string_view stream, std::string_view event_id);
std::string GlobalKey(uint32_t topic_id, int64_t first_position);
std::string GlobalKeyEnd(uint32_t topic_id);
int64_t PositionOfKey(std::string_view key);  // REQUIRES: a GlobalKey.
std::string SnapshotKey(uint32_t topic_id, std::string_view stream, int64_t revision);
std::string SnapshotKeyEnd(uint32_t topic_id, std::string_view stream);
std::string CheckpointKey(uint32_t topic_id, std::string_view name);

}  // namespace brook::storage::events
