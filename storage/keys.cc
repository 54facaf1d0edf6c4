#include "storage/keys.h"

#include "protocol/wire.h"

namespace brook::storage {
namespace {

constexpr uint64_t kSignBit = 1ULL << 63;

void PutPartition(wire::Writer& w, uint32_t topic_id, int32_t partition) {
  w.UInt32(topic_id);
  w.Int32(partition);
}

}  // namespace

std::string PartitionPrefix(uint32_t topic_id, int32_t partition) {
  std::string key;
  wire::Writer w(&key);
  PutPartition(w, topic_id, partition);
  return key;
}

std::string PartitionPrefixEnd(uint32_t topic_id, int32_t partition) {
  return partition == INT32_MAX ? TopicPrefixEnd(topic_id)
                                : PartitionPrefix(topic_id, partition + 1);
}

std::string TopicPrefix(uint32_t topic_id) { return EncodeU32(topic_id); }

std::string TopicPrefixEnd(uint32_t topic_id) {
  return topic_id == UINT32_MAX ? std::string(5, '\xff') : EncodeU32(topic_id + 1);
}

std::string LogKey(uint32_t topic_id, int32_t partition, int64_t last_offset) {
  std::string key;
  wire::Writer w(&key);
  PutPartition(w, topic_id, partition);
  w.Int64(last_offset);
  return key;
}

int64_t LogKeyLastOffset(std::string_view key) { return DecodeI64(key.substr(8)); }

std::string TimeIndexKey(uint32_t topic_id, int32_t partition, int64_t max_timestamp,
                         int64_t base_offset) {
  std::string key;
  wire::Writer w(&key);
  PutPartition(w, topic_id, partition);
  w.Int64(static_cast<int64_t>(static_cast<uint64_t>(max_timestamp) ^ kSignBit));
  w.Int64(base_offset);
  return key;
}

int64_t TimeIndexTimestamp(std::string_view key) {
  return static_cast<int64_t>(static_cast<uint64_t>(DecodeI64(key.substr(8))) ^ kSignBit);
}

int64_t TimeIndexBaseOffset(std::string_view key) { return DecodeI64(key.substr(16)); }

std::string MetaVersionKey() { return "V"; }
std::string MetaNextTopicIdKey() { return "N"; }
std::string MetaTopicKey(std::string_view name) { return std::string(1, kMetaTopicTag) += name; }

std::string MetaPartitionStateKey(uint32_t topic_id, int32_t partition) {
  return kMetaPartitionStateTag + PartitionPrefix(topic_id, partition);
}

std::string MetaSegmentKey(uint32_t topic_id, int32_t partition, int64_t base_offset) {
  return kMetaSegmentTag + LogKey(topic_id, partition, base_offset);
}

std::string MetaCleanerCheckpointKey(uint32_t topic_id, int32_t partition) {
  return kMetaCleanerCheckpointTag + PartitionPrefix(topic_id, partition);
}

std::string MetaDeadLetterKey(uint32_t topic_id, int32_t partition, int64_t offset,
                              std::string_view group) {
  std::string key = kMetaDeadLetterTag + LogKey(topic_id, partition, offset);
  key.append(group);
  return key;
}

std::string MetaReplayKey(uint32_t topic_id, int32_t partition, int64_t offset) {
  return kMetaReplayTag + LogKey(topic_id, partition, offset);
}

std::string MetaDlqCounterPrefix(std::string_view topic) {
  std::string key(1, kMetaDlqCounterTag);
  wire::Writer(&key).String(topic);
  return key;
}

std::string MetaDlqCounterKey(std::string_view topic, std::string_view group) {
  std::string key = MetaDlqCounterPrefix(topic);
  wire::Writer(&key).String(group);
  return key;
}

std::string MetaProducerIdsKey() { return "I"; }

std::string MetaProducerKey(uint32_t topic_id, int32_t partition, int64_t producer_id) {
  return kMetaProducerTag + LogKey(topic_id, partition, producer_id);
}

std::string MetaTopicRange(char tag, uint32_t topic_id) { return tag + TopicPrefix(topic_id); }

std::string MetaTopicRangeEnd(char tag, uint32_t topic_id) {
  return tag + TopicPrefixEnd(topic_id);
}

std::string GroupPrefix(std::string_view group) {
  std::string key;
  wire::Writer(&key).String(group);
  return key;
}

std::string GroupOffsetKey(std::string_view group, std::string_view topic, int32_t partition) {
  std::string key;
  wire::Writer w(&key);
  w.String(group);
  w.String(topic);
  w.Int32(partition);
  return key;
}

bool DecodeGroupOffsetKey(std::string_view key, std::string* group, std::string* topic,
                          int32_t* partition) {
  wire::Reader r(key);
  *group = r.String();
  *topic = r.String();
  *partition = r.Int32();
  return r.ok() && r.remaining() == 0;
}

std::string EncodeU32(uint32_t v) {
  std::string out;
  wire::Writer(&out).UInt32(v);
  return out;
}

uint32_t DecodeU32(std::string_view bytes) { return wire::Reader(bytes).UInt32(); }

std::string EncodeI64(int64_t v) {
  std::string out;
  wire::Writer(&out).Int64(v);
  return out;
}

int64_t DecodeI64(std::string_view bytes) { return wire::Reader(bytes).Int64(); }

}  // namespace brook::storage
