#include "storage/event_store/event_keys.h"

#include "protocol/wire.h"
#include "storage/keys.h"

namespace brook::storage::events {
namespace {

constexpr char kStreamTag = 'S';
constexpr char kRevisionTag = 'R';
constexpr char kIdTag = 'I';
constexpr char kGlobalTag = 'G';
constexpr char kSnapshotTag = 'N';
constexpr char kCheckpointTag = 'C';
constexpr int8_t kStreamStateVersion = 1;

std::string TagKey(uint32_t topic_id, char tag) {
  std::string key = EncodeU32(topic_id);
  key.push_back(tag);
  return key;
}

// topic_id | tag | stream_len u16 | stream: the prefix of a stream's keys under `tag`.
std::string StreamPrefix(uint32_t topic_id, char tag, std::string_view stream) {
  std::string key = TagKey(topic_id, tag);
  wire::Writer(&key).String(stream);
  return key;
}

std::string WithI64(std::string key, int64_t value) {
  wire::Writer(&key).Int64(value);
  return key;
}

}  // namespace

std::string EncodeStreamState(const StreamState& state) {
  std::string value;
  wire::Writer w(&value);
  w.Int8(kStreamStateVersion);
  w.Int64(state.last_revision);
  w.Int32(state.partition);
  w.Int64(state.truncate_before);
  w.Int8(state.deleted ? 1 : 0);
  return value;
}

absl::StatusOr<StreamState> DecodeStreamState(std::string_view value) {
  wire::Reader r(value);
  StreamState state;
  const int8_t version = r.Int8();
  state.last_revision = r.Int64();
  state.partition = r.Int32();
  state.truncate_before = r.Int64();
  state.deleted = r.Int8() != 0;
  if (!r.ok() || r.remaining() != 0 || version != kStreamStateVersion) {
    return absl::DataLossError("an event stream's state record is corrupt");
  }
  return state;
}

std::string EncodeRevisionRun(const RevisionRun& run) {
  std::string value;
  wire::Writer w(&value);
  w.Int64(run.position);
  w.Int32(run.partition);
  w.Int64(run.offset);
  w.Int32(run.count);
  return value;
}

absl::StatusOr<RevisionRun> DecodeRevisionRun(std::string_view value) {
  wire::Reader r(value);
  RevisionRun run;
  run.position = r.Int64();
  run.partition = r.Int32();
  run.offset = r.Int64();
  if (r.remaining() > 0) run.count = r.Int32();
  if (!r.ok() || r.remaining() != 0 || run.count <= 0) {
    return absl::DataLossError("an event store revision record is corrupt");
  }
  return run;
}

std::string EncodeIdEntry(const IdEntry& entry) {
  std::string value;
  wire::Writer w(&value);
  w.Int64(entry.revision);
  w.Int64(entry.position);
  return value;
}

IdEntry DecodeIdEntry(std::string_view value) {
  wire::Reader r(value);
  IdEntry entry;
  entry.revision = r.Int64();
  entry.position = r.Int64();
  return entry;
}

std::string EncodeAppendEntry(const AppendEntry& entry) {
  std::string value;
  wire::Writer w(&value);
  w.Int32(entry.partition);
  w.Int64(entry.offset);
  w.Int32(entry.count);
  w.String(entry.stream);
  return value;
}

absl::StatusOr<AppendEntry> DecodeAppendEntry(std::string_view value) {
  wire::Reader r(value);
  AppendEntry entry;
  entry.partition = r.Int32();
  entry.offset = r.Int64();
  entry.count = r.Int32();
  entry.stream = r.String();
  if (!r.ok() || r.remaining() != 0 || entry.count <= 0) {
    return absl::DataLossError("an event store append record is corrupt");
  }
  return entry;
}

std::string StreamKey(uint32_t topic_id, std::string_view stream) {
  std::string key = TagKey(topic_id, kStreamTag);
  key.append(stream);
  return key;
}

std::string RevisionKey(uint32_t topic_id, std::string_view stream, int64_t revision) {
  return WithI64(StreamPrefix(topic_id, kRevisionTag, stream), revision);
}

std::string RevisionKeyEnd(uint32_t topic_id, std::string_view stream) {
  return StreamPrefix(topic_id, kRevisionTag, stream) + '\xff';
}

int64_t RevisionOfKey(std::string_view key) { return DecodeI64(key.substr(key.size() - 8)); }

std::string IdKey(uint32_t topic_id, std::string_view stream, std::string_view event_id) {
  std::string key = StreamPrefix(topic_id, kIdTag, stream);
  key.append(event_id);
  return key;
}

std::string GlobalKey(uint32_t topic_id, int64_t first_position) {
  return WithI64(TagKey(topic_id, kGlobalTag), first_position);
}

std::string GlobalKeyEnd(uint32_t topic_id) { return TagKey(topic_id, kGlobalTag + 1); }

int64_t PositionOfKey(std::string_view key) { return DecodeI64(key.substr(5)); }

std::string SnapshotKey(uint32_t topic_id, std::string_view stream, int64_t revision) {
  return WithI64(StreamPrefix(topic_id, kSnapshotTag, stream), revision);
}

std::string SnapshotKeyEnd(uint32_t topic_id, std::string_view stream) {
  return StreamPrefix(topic_id, kSnapshotTag, stream) + '\xff';
}

std::string CheckpointKey(uint32_t topic_id, std::string_view name) {
  std::string key = TagKey(topic_id, kCheckpointTag);
  key.append(name);
  return key;
}

}  // namespace brook::storage::events
