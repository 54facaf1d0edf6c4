// broker/kafka/topic_ids.h: Kafka topic ids (uuids) for brook's topics.
//
// brook numbers topics with a 32-bit id that is never reused; Kafka clients see a uuid made of
// the topic's creation time and that id, so it is stable across restarts and differs between a
// topic and one created again under the same name.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/kafka/codec.h"
#include "storage/log_store.h"

namespace brook::kafka_listener {

kafka::Uuid TopicUuid(const storage::TopicInfo& topic);
// The name of the live topic with this uuid, if any.
std::optional<std::string> TopicNameOf(const kafka::Uuid& id,
                                       const std::vector<storage::TopicInfo>& topics);

}  // namespace brook::kafka_listener
