#include "broker/handlers/topic_partitions.h"

#include <algorithm>

namespace brook {

std::vector<TopicPartitions> ToWire(const std::vector<TopicPartition>& partitions) {
  std::vector<TopicPartitions> topics;
  for (const TopicPartition& tp : partitions) {
    auto topic = std::find_if(topics.begin(), topics.end(),
                              [&](const TopicPartitions& t) { return t.name == tp.topic; });
    if (topic == topics.end()) topic = topics.insert(topics.end(), TopicPartitions{tp.topic, {}});
    topic->partitions.push_back(tp.partition.value);
  }
  return topics;
}

std::vector<TopicPartition> FromWire(const std::vector<TopicPartitions>& topics) {
  std::vector<TopicPartition> partitions;
  for (const TopicPartitions& topic : topics) {
    for (int32_t partition : topic.partitions) {
      partitions.push_back(TopicPartition{topic.name, PartitionId(partition)});
    }
  }
  return partitions;
}

}  // namespace brook
