#include "cli/dead_letter_reader.h"

#include <chrono>
#include <memory>

#include "client/admin.h"
#include "client/consumer.h"
#include "fmt/format.h"

namespace brook::cli {

absl::Status ForEachDeadLetter(const std::string& bootstrap, const std::string& dlq_topic,
                               const std::function<bool(const DeadLetterRecord&)>& visit) {
  auto admin = Admin::Create({.bootstrap = bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return admin.status();
  auto description = (*admin)->DescribeTopic(dlq_topic);
  if (!description.ok()) return description.status();
  auto consumer = Consumer::Create({.bootstrap = bootstrap,
                                    .client_id = "brook-cli",
                                    .auto_offset_reset = OffsetReset::kEarliest});
  if (!consumer.ok()) return consumer.status();
  // One partition at a time, so that records come in (partition, offset) order.
  for (const PartitionDescription& p : description->partitions) {
    if (p.log_end_offset <= p.log_start_offset) continue;
    const TopicPartition tp{dlq_topic, PartitionId(p.partition)};
    if (absl::Status s = (*consumer)->Assign({tp}); !s.ok()) return s;
    if (absl::Status s = (*consumer)->SeekToBeginning({tp}); !s.ok()) return s;
    for (bool done = false; !done;) {
      absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(std::chrono::seconds(1));
      if (!records.ok()) return records.status();
      for (const ConsumerRecord& r : *records) {
        if (r.offset >= p.log_end_offset) break;
        DeadLetterRecord record{r.partition, r.offset, r.timestamp_ms, std::nullopt,
                                std::nullopt, ParseDeadLetter(r.headers)};
        if (r.key) record.key = std::string(*r.key);
        if (r.value) record.value = std::string(*r.value);
        if (!visit(record)) return absl::OkStatus();
        done = r.offset + 1 >= p.log_end_offset;
      }
      // A partition whose last records were compacted away ends at its position.
      absl::StatusOr<int64_t> position = (*consumer)->Position(tp);
      if (!position.ok()) return position.status();
      done = done || *position >= p.log_end_offset;
    }
  }
  return absl::OkStatus();
}

}  // namespace brook::cli
