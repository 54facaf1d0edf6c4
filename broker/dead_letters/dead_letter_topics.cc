#include "broker/dead_letters/dead_letter_topics.h"

#include <algorithm>
#include <vector>

#include "broker/log.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/partitioner.h"

namespace brook {

absl::StatusOr<std::string> DeadLetterTopicOf(const storage::TopicInfo& source) {
  std::string name =
      source.config.dlq_topic.empty() ? source.name + ".dlq" : source.config.dlq_topic;
  if (name == source.name) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("topic '{}' names itself as its dlq.topic", source.name));
  }
  if (absl::Status s = storage::ValidateTopicName(name); !s.ok()) return s;
  return name;
}

absl::StatusOr<DeadLetterTopic> EnsureDeadLetterTopic(storage::LogStore& store,
                                                      const std::string& name,
                                                      const storage::TopicInfo& source) {
  const auto partitions = static_cast<int32_t>(source.partitions.size());
  // Room for the source's largest batch, the reason (16 KiB) and the other headers: a source
  // at 64 MiB gets 64 MiB + 64 KiB; only a source above 64 MiB gets less than its own plus
  // the headroom (never less than its own).
  const int64_t max_message_bytes =
      std::min<int64_t>(storage::kMaxMessageBytesLimit,
                        std::max<int64_t>(source.config.max_message_bytes,
                                          storage::TopicConfig{}.max_message_bytes) +
                            storage::kDeadLetterHeadroomBytes);
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<storage::TopicInfo> existing = store.DescribeTopic(name);
    if (existing.ok()) {
      return DeadLetterTopic{static_cast<int32_t>(existing->partitions.size()), false};
    }
    absl::Status created =
        store.CreateTopic(name, partitions,
                          {{"cleanup.policy", "delete"},
                           {"retention.ms", std::to_string(kDeadLetterRetentionMs)},
                           {"max.message.bytes", std::to_string(max_message_bytes)}});
    if (created.ok()) {
      Log(LogLevel::kInfo, "dead-letter topic created", "topic", name, "partitions", partitions);
      return DeadLetterTopic{partitions, true};
    }
    // Created concurrently (or deleted in between): look again, once.
    if (CodeOf(created) != ErrorCode::kTopicAlreadyExists) return created;
  }
  return MakeError(ErrorCode::kUnknownTopicOrPartition,
                   fmt::format("dead-letter topic '{}' was deleted while being created", name));
}

absl::Status ReadRecord(const storage::LogStore& store, const TopicPartition& partition,
                        int64_t offset, StoredRecord* out) {
  // The batch holding `offset`, or the next one if compaction removed it.
  absl::StatusOr<storage::ReadResult> read =
      store.Read(partition.topic, partition.partition, Offset(offset), 1);
  if (!read.ok()) return read.status();
  out->batches = std::move(read->records);
  absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(out->batches);
  if (!batches.ok()) return batches.status();
  if (!batches->empty()) {
    absl::StatusOr<BatchHeader> header = ParseBatchHeader(batches->front());
    if (!header.ok()) return header.status();
    out->compression = header->compression();
    std::vector<RecordView> records;
    if (absl::Status s = DecodeRecords(batches->front(), &out->scratch, &records); !s.ok()) {
      return s;
    }
    for (RecordView& record : records) {
      if (record.offset == offset) {
        out->record = std::move(record);
        return absl::OkStatus();
      }
    }
  }
  return MakeError(ErrorCode::kOffsetOutOfRange,
                   fmt::format("{}-{} has no record at offset {} (removed by compaction, or "
                               "past the log end)",
                               partition.topic, partition.partition.value, offset));
}

PartitionId PlaceRecord(const std::optional<std::string_view>& key, int32_t fallback,
                        int32_t partitions) {
  if (key) return PartitionId(PartitionForKey(*key, partitions));
  return PartitionId(fallback % partitions);
}

}  // namespace brook
