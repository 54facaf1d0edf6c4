#include "broker/kafka/topic_ids.h"

namespace brook::kafka_listener {

kafka::Uuid TopicUuid(const storage::TopicInfo& topic) {
  kafka::Uuid id;
  const uint64_t created = static_cast<uint64_t>(topic.created_ms);
  for (int i = 0; i < 8; ++i) id.bytes[i] = static_cast<uint8_t>(created >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) id.bytes[8 + i] = static_cast<uint8_t>(topic.topic_id >> (24 - 8 * i));
  id.bytes[12] = 'b';
  id.bytes[13] = 'r';
  id.bytes[14] = 'k';
  id.bytes[15] = 1;
  return id;
}

std::optional<std::string> TopicNameOf(const kafka::Uuid& id,
                                       const std::vector<storage::TopicInfo>& topics) {
  for (const storage::TopicInfo& topic : topics) {
    if (TopicUuid(topic) == id) return topic.name;
  }
  return std::nullopt;
}

}  // namespace brook::kafka_listener
