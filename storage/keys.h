// storage/keys.h: the RocksDB key encodings of brook's log. Frozen: see docs/storage.md.
//
// Column family "log":        topic_id u32 | partition u32 | last_offset u64  -> one batch
// Column family "time_index": topic_id u32 | partition u32 | max_ts u64 | base_offset u64
//                              -> empty (an entry per batch that raised the running max time)
// Column family "meta":       'V'                       -> format version (u32)
//                              'N'                       -> next topic id (u32)
//                              'T' | topic name          -> topic record (topic_record.h)
//                              'P' | topic_id | partition -> partition state (log start)
//                              'S' | topic_id | partition | base_offset -> segment (segment.h)
//                              'C' | topic_id | partition -> compaction checkpoint (segment.h)
//                              'D' | topic_id | partition | offset | group
//                                  -> where the group's dead-letter copy of that record is
//                              'R' | topic_id | partition | offset
//                                  -> where that record's dead letter was replayed to
//                              'K' | topic_len u16 | topic | group_len u16 | group
//                                  -> dead-letter counters (dlq_ledger.h)
//                              'I'                       -> producer ids reserved up to
//                              'Q' | topic_id | partition | producer_id
//                                  -> an idempotent producer's state (producer_state.h)
// Column family "group_offsets": group_len u16 | group | topic_len u16 | topic | partition i32
//                              -> version i8 (=1) | offset i64 | commit_time_ms i64 |
//                                 metadata string (offset_store.h)
// All integers are big-endian so that byte order is numeric order; timestamps are stored with
// the sign bit flipped so negative times sort first. Keying a batch by its LAST offset lets a
// read at offset X seek straight to the batch holding X.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace brook::storage {

// 2: the active segment's record ends the log (compaction may rewrite the last batches) and
// idempotent producers' state is kept. 3: the "events" column family (the event store's
// index, storage/event_store/event_keys.h). 4: one revision entry per append (a run), not per
// event. A directory of versions 1 to 3 opens unchanged and is marked 4.
inline constexpr uint32_t kStorageFormatVersion = 4;
inline constexpr uint32_t kOldestReadableFormatVersion = 1;
inline constexpr size_t kPartitionPrefixSize = 8;

std::string PartitionPrefix(uint32_t topic_id, int32_t partition);
// The first key after every key of the partition.
std::string PartitionPrefixEnd(uint32_t topic_id, int32_t partition);
// The first key after every key of the topic.
std::string TopicPrefix(uint32_t topic_id);
std::string TopicPrefixEnd(uint32_t topic_id);

std::string LogKey(uint32_t topic_id, int32_t partition, int64_t last_offset);
int64_t LogKeyLastOffset(std::string_view key);  // REQUIRES: a LogKey.

std::string TimeIndexKey(uint32_t topic_id, int32_t partition, int64_t max_timestamp,
                         int64_t base_offset);
int64_t TimeIndexTimestamp(std::string_view key);   // REQUIRES: a TimeIndexKey.
int64_t TimeIndexBaseOffset(std::string_view key);  // REQUIRES: a TimeIndexKey.

std::string MetaVersionKey();
std::string MetaNextTopicIdKey();
std::string MetaTopicKey(std::string_view name);
inline constexpr char kMetaTopicTag = 'T';
std::string MetaPartitionStateKey(uint32_t topic_id, int32_t partition);
inline constexpr char kMetaPartitionStateTag = 'P';
// A segment's record. Every segment of a partition starts with MetaSegmentKey(t, p, 0)'s
// first 9 bytes: 'S' | PartitionPrefix.
std::string MetaSegmentKey(uint32_t topic_id, int32_t partition, int64_t base_offset);
inline constexpr char kMetaSegmentTag = 'S';
std::string MetaCleanerCheckpointKey(uint32_t topic_id, int32_t partition);
inline constexpr char kMetaCleanerCheckpointTag = 'C';
// A dead-letter mark: `group` dead-lettered the record at (topic_id, partition, offset).
std::string MetaDeadLetterKey(uint32_t topic_id, int32_t partition, int64_t offset,
                              std::string_view group);
inline constexpr char kMetaDeadLetterTag = 'D';
// A replay mark: the dead letter of the record at (topic_id, partition, offset) was replayed.
std::string MetaReplayKey(uint32_t topic_id, int32_t partition, int64_t offset);
inline constexpr char kMetaReplayTag = 'R';
// The dead-letter counters of (source topic, group); all of a topic's start with
// MetaDlqCounterPrefix(topic).
std::string MetaDlqCounterKey(std::string_view topic, std::string_view group);
std::string MetaDlqCounterPrefix(std::string_view topic);
inline constexpr char kMetaDlqCounterTag = 'K';
// The end of the block of producer ids reserved so far (LogStore::InitProducerId).
std::string MetaProducerIdsKey();
// An idempotent producer's state on a partition.
std::string MetaProducerKey(uint32_t topic_id, int32_t partition, int64_t producer_id);
inline constexpr char kMetaProducerTag = 'Q';
// Tag | topic prefix: where a topic's records under a per-partition meta tag begin / end.
std::string MetaTopicRange(char tag, uint32_t topic_id);
std::string MetaTopicRangeEnd(char tag, uint32_t topic_id);

// Keys of committed offsets. A group's keys all start with GroupPrefix(group); the length
// prefix keeps group "ab" apart from group "abc".
std::string GroupPrefix(std::string_view group);
std::string GroupOffsetKey(std::string_view group, std::string_view topic, int32_t partition);
// Splits a GroupOffsetKey. Returns false when `key` is not one.
bool DecodeGroupOffsetKey(std::string_view key, std::string* group, std::string* topic,
                          int32_t* partition);

std::string EncodeU32(uint32_t v);
uint32_t DecodeU32(std::string_view bytes);  // REQUIRES: bytes.size() >= 4.
std::string EncodeI64(int64_t v);
int64_t DecodeI64(std::string_view bytes);  // REQUIRES: bytes.size() >= 8.

}  // namespace brook::storage
