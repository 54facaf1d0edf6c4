// `brook consume TOPIC`: print records as they arrive.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/record_format.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "fmt/format.h"

namespace brook::cli {
namespace {

struct ConsumeOptions {
  std::string bootstrap;
  std::string topic;
  bool from_beginning = false;
  int64_t offset = -1;
  int partition = -1;
  int64_t count = -1;       // -1: until interrupted or --timeout-ms.
  int64_t timeout_ms = -1;  // -1: wait forever.
  std::string format;
  bool json = false;
};

// The partitions to read: the one asked for, or every partition of the topic.
absl::StatusOr<std::vector<TopicPartition>> PartitionsToRead(const ConsumeOptions& o) {
  absl::StatusOr<std::unique_ptr<Admin>> admin = Admin::Create({.bootstrap = o.bootstrap});
  if (!admin.ok()) return admin.status();
  absl::StatusOr<TopicDescription> topic = (*admin)->DescribeTopic(o.topic);
  if (!topic.ok()) return topic.status();
  std::vector<TopicPartition> partitions;
  for (const auto& p : topic->partitions) {
    if (o.partition < 0 || p.partition == o.partition) {
      partitions.push_back({o.topic, PartitionId(p.partition)});
    }
  }
  if (partitions.empty()) {
    return absl::NotFoundError(fmt::format("topic '{}' has no partition {} (it has {})", o.topic,
                                           o.partition, topic->partitions.size()));
  }
  return partitions;
}

absl::Status SeekStart(Consumer& consumer, const std::vector<TopicPartition>& partitions,
                       const ConsumeOptions& o) {
  if (o.offset >= 0) return consumer.Seek(partitions.front(), o.offset);
  if (o.from_beginning) return consumer.SeekToBeginning(partitions);
  return consumer.SeekToEnd(partitions);
}

int Consume(const ConsumeOptions& o) {
  if (o.offset >= 0 && o.partition < 0) {
    fmt::print(stderr, "error: --offset needs --partition (offsets are per partition)\n");
    return kExitUsage;
  }
  if (o.json && !o.format.empty()) {
    fmt::print(stderr, "error: use either --json or --format, not both\n");
    return kExitUsage;
  }
  absl::StatusOr<std::vector<TopicPartition>> partitions = PartitionsToRead(o);
  if (!partitions.ok()) return PrintError(partitions.status());
  ConsumerOptions options;
  options.bootstrap = o.bootstrap;
  options.client_id = "brook-cli";
  options.auto_offset_reset = OffsetReset::kNone;  // Report a bad --offset, don't skip it.
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
  if (!consumer.ok()) return PrintError(consumer.status());
  if (absl::Status s = (*consumer)->Assign(*partitions); !s.ok()) return PrintError(s);
  if (absl::Status s = SeekStart(**consumer, *partitions, o); !s.ok()) return PrintError(s);

  using Clock = std::chrono::steady_clock;
  auto last_record = Clock::now();
  int64_t printed = 0;
  while (o.count < 0 || printed < o.count) {
    auto wait = std::chrono::milliseconds(500);
    if (o.timeout_ms >= 0) {
      const auto left = std::chrono::milliseconds(o.timeout_ms) -
                        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_record);
      if (left <= std::chrono::milliseconds(0)) break;
      wait = std::min(wait, left);
    }
    absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(wait);
    if (!records.ok()) return PrintError(records.status());
    if (!records->empty()) last_record = Clock::now();
    for (const ConsumerRecord& record : *records) {
      if (o.count >= 0 && printed >= o.count) break;
      std::string line = o.json               ? RecordJson(record)
                         : !o.format.empty() ? FormatRecord(o.format, record)
                                             : std::string(record.value.value_or("null"));
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), stdout);
      ++printed;
    }
    std::fflush(stdout);
  }
  (*consumer)->Close();
  fmt::print(stderr, "consumed {} record{}\n", printed, printed == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

void AddConsumeCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ConsumeOptions>();
  CLI::App* cmd = app.add_subcommand("consume", "Print records of a topic as they arrive");
  cmd->add_option("TOPIC", o->topic, "Topic to consume")->required();
  cmd->add_flag("--from-beginning", o->from_beginning, "Start at the earliest record (default: new records only)");
  cmd->add_option("--offset", o->offset, "Start at this offset (needs --partition)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--partition", o->partition, "Read only this partition")->check(CLI::NonNegativeNumber);
  cmd->add_option("--count", o->count, "Exit after this many records")->check(CLI::NonNegativeNumber);
  cmd->add_option("--timeout-ms", o->timeout_ms, "Exit when no record arrives for this long")->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", o->format, "Template: %k key, %v value, %o offset, %p partition, %t timestamp, %h headers, %T topic");
  cmd->add_flag("--json", o->json, "One JSON object per record");
  AddBootstrapOption(cmd, &o->bootstrap);
  cmd->callback([o, exit_code] { *exit_code = Consume(*o); });
}

}  // namespace brook::cli
