// CollectPartitions and CollectDeadLetters (collectors.h).
#include <string>

#include "absl/container/flat_hash_set.h"
#include "broker/dead_letters/dead_letter_topics.h"
#include "broker/metrics/collectors.h"
#include "storage/log_store.h"

namespace brook::metrics {

void CollectPartitions(const std::vector<storage::PartitionStats>& partitions, Families& out) {
  auto& records_in = out.Counter("brook_partition_appended_records_total",
                                 "Records appended to the partition since the broker started");
  auto& bytes_in = out.Counter("brook_partition_appended_bytes_total",
                               "Bytes of record batches appended to the partition since the "
                               "broker started");
  auto& records_out = out.Counter("brook_partition_fetched_records_total",
                                  "Records sent to consumers (fetches of both listeners) since "
                                  "the broker started");
  auto& bytes_out = out.Counter("brook_partition_fetched_bytes_total",
                                "Bytes of record batches sent to consumers since the broker "
                                "started");
  auto& log_start = out.Gauge("brook_partition_log_start_offset",
                              "The partition's first offset still stored (low watermark)");
  auto& log_end = out.Gauge("brook_partition_log_end_offset",
                            "The offset the next record appended will get (high watermark)");
  auto& size = out.Gauge("brook_partition_size_bytes",
                         "Bytes of record batches the partition stores (before RocksDB's own "
                         "compression)");
  for (const storage::PartitionStats& p : partitions) {
    const std::string partition = std::to_string(p.partition.value);
    const std::initializer_list<Label> labels = {{"topic", p.topic}, {"partition", partition}};
    Families::Add(records_in, labels, static_cast<double>(p.records_in));
    Families::Add(bytes_in, labels, static_cast<double>(p.bytes_in));
    Families::Add(records_out, labels, static_cast<double>(p.records_out));
    Families::Add(bytes_out, labels, static_cast<double>(p.bytes_out));
    Families::Add(log_start, labels, static_cast<double>(p.log_start.value));
    Families::Add(log_end, labels, static_cast<double>(p.log_end.value));
    Families::Add(size, labels, static_cast<double>(p.size_bytes));
  }
}

void CollectDeadLetters(const storage::LogStore& store,
                        const std::vector<storage::PartitionStats>& partitions, Families& out) {
  auto& dead_lettered = out.Counter(
      "brook_dead_letters_total",
      "Records of the source topic that the group sent to its dead-letter topic (kept across "
      "restarts)");
  auto& replayed = out.Counter(
      "brook_dead_letters_replayed_total",
      "Of those, records replayed back to the source topic (kept across restarts)");
  absl::StatusOr<std::vector<storage::DlqCounters>> counters =
      store.DeadLetterCounters(std::nullopt);
  if (counters.ok()) {
    for (const storage::DlqCounters& c : *counters) {
      Families::Add(dead_lettered, {{"topic", c.topic}, {"group", c.group}},
                    static_cast<double>(c.dead_lettered));
      Families::Add(replayed, {{"topic", c.topic}, {"group", c.group}},
                    static_cast<double>(c.replayed));
    }
  }
  // A dead-letter topic is one that some topic's dlq.topic names (by default "<topic>.dlq").
  absl::flat_hash_set<std::string> dead_letter_topics;
  for (const storage::TopicInfo& topic : store.ListTopics()) {
    absl::StatusOr<std::string> dlq = DeadLetterTopicOf(topic);
    if (dlq.ok()) dead_letter_topics.insert(*std::move(dlq));
  }
  auto& depth = out.Gauge("brook_dead_letter_topic_records",
                          "Records stored in the dead-letter topic (log end minus log start, "
                          "over its partitions)");
  for (size_t i = 0; i < partitions.size();) {
    const std::string& topic = partitions[i].topic;
    int64_t records = 0;
    for (; i < partitions.size() && partitions[i].topic == topic; ++i) {
      records += partitions[i].log_end.value - partitions[i].log_start.value;
    }
    if (dead_letter_topics.contains(topic)) {
      Families::Add(depth, {{"topic", topic}}, static_cast<double>(records));
    }
  }
}

}  // namespace brook::metrics
