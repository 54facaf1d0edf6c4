// broker/handlers/topic_partitions.h: converts between the group APIs' wire lists of
// partitions (TopicPartitions: a topic name and partition numbers) and TopicPartition lists.
// Pure functions; no errors.
#pragma once

#include <vector>

#include "protocol/messages.h"
#include "protocol/types.h"

namespace brook {

// One entry per topic, in the order topics first appear; partitions in list order.
std::vector<TopicPartitions> ToWire(const std::vector<TopicPartition>& partitions);
// Every (topic, partition) of `topics`, in order.
std::vector<TopicPartition> FromWire(const std::vector<TopicPartitions>& topics);

}  // namespace brook
