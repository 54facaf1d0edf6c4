// `brook consume TOPIC`: print records as they arrive, from chosen partitions or as a member
// of a consumer group (--group) that commits what it printed.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/record_format.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

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
  std::string group;  // Empty: no group.
  int64_t session_timeout_ms = 10000;  // With --group: how long the group waits for a dead
                                       // member before handing its partitions to the others.
};

// Set by SIGINT/SIGTERM: the loop stops after the current Poll (what was printed is already
// committed) and the consumer closes, leaving its group at once.
volatile std::sig_atomic_t stop_requested = 0;
void RequestStop(int) { stop_requested = 1; }

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

// Bad flag combinations: a message, else nullopt.
std::optional<std::string> UsageError(const ConsumeOptions& o) {
  if (!o.group.empty() && (o.partition >= 0 || o.offset >= 0)) {
    return "--group reads the partitions the group assigns from its committed offsets; it "
           "does not mix with --partition or --offset";
  }
  if (o.offset >= 0 && o.partition < 0) {
    return "--offset needs --partition (offsets are per partition)";
  }
  if (o.json && !o.format.empty()) return "use either --json or --format, not both";
  if (absl::Status s = ValidateFormat(o.format); !s.ok()) return std::string(s.message());
  return std::nullopt;
}

// A consumer reading the asked partitions from the asked start, or (--group) a member of the
// group subscribed to the topic: positions come from the group's commits, else
// --from-beginning picks earliest over latest.
absl::StatusOr<std::unique_ptr<Consumer>> StartConsumer(const ConsumeOptions& o) {
  absl::StatusOr<std::vector<TopicPartition>> partitions = PartitionsToRead(o);
  if (!partitions.ok()) return partitions.status();
  ConsumerOptions options;
  options.bootstrap = o.bootstrap;
  options.client_id = "brook-cli";
  if (!o.group.empty()) {
    options.group_id = o.group;
    options.enable_auto_commit = false;  // The loop commits what it printed.
    options.auto_offset_reset = o.from_beginning ? OffsetReset::kEarliest : OffsetReset::kLatest;
    options.session_timeout = std::chrono::milliseconds(o.session_timeout_ms);
    options.heartbeat_interval = options.session_timeout / 3;
  } else {
    options.auto_offset_reset = OffsetReset::kNone;  // Report a bad --offset, don't skip it.
  }
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
  if (!consumer.ok()) return consumer.status();
  absl::Status started = o.group.empty() ? (*consumer)->Assign(*partitions)
                                         : (*consumer)->Subscribe({o.topic});
  if (started.ok() && o.group.empty()) started = SeekStart(**consumer, *partitions, o);
  if (!started.ok()) return started;
  return consumer;
}

// Commits, for a group, what was printed. When the whole batch was printed the consumer's
// positions say just that, and also cover assigned partitions without new records (so the
// group has a commit, and a lag, for each); when --count cut the batch, the offsets after the
// printed records (`printed`) are committed instead. A failure (e.g. the partition moved to
// another member in a rebalance) is a warning: those records will be delivered again.
void CommitPrinted(Consumer& consumer, bool whole_batch,
                   std::map<TopicPartition, int64_t>& printed) {
  std::vector<std::pair<TopicPartition, int64_t>> offsets(printed.begin(), printed.end());
  printed.clear();
  absl::Status s = whole_batch ? consumer.Commit() : consumer.Commit(offsets);
  if (!s.ok()) fmt::print(stderr, "warning: could not commit offsets: {}\n", MessageOf(s));
}

int Consume(const ConsumeOptions& o) {
  if (std::optional<std::string> usage = UsageError(o)) {
    fmt::print(stderr, "error: {}\n", *usage);
    return kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = StartConsumer(o);
  if (!consumer.ok()) return PrintError(consumer.status());
  std::signal(SIGINT, RequestStop);
  std::signal(SIGTERM, RequestStop);

  using Clock = std::chrono::steady_clock;
  auto last_record = Clock::now();
  int64_t printed = 0;
  std::map<TopicPartition, int64_t> to_commit;  // Next offset after what was printed.
  bool cut = false;                             // --count stopped in the middle of a batch.
  while ((o.count < 0 || printed < o.count) && !stop_requested) {
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
      if (o.count >= 0 && printed >= o.count) {
        cut = true;
        break;
      }
      std::string line = o.json               ? RecordJson(record)
                         : !o.format.empty() ? FormatRecord(o.format, record)
                                             : std::string(record.value.value_or("null"));
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), stdout);
      ++printed;
      to_commit[{std::string(record.topic), PartitionId(record.partition)}] = record.offset + 1;
    }
    std::fflush(stdout);
    if (!o.group.empty() && !records->empty()) CommitPrinted(**consumer, !cut, to_commit);
  }
  if (!o.group.empty() && !cut) CommitPrinted(**consumer, true, to_commit);
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
  cmd->add_option("--format", o->format, fmt::format("Template: {}", kFormatDirectives));
  cmd->add_flag("--json", o->json, "One JSON object per record");
  CLI::Option* group = cmd->add_option(
      "--group", o->group,
      "Consume as a member of this consumer group, committing what is printed "
      "(--from-beginning: earliest for partitions the group has no commit for)");
  cmd->add_option("--session-timeout-ms", o->session_timeout_ms,
                  "With --group: a member silent this long (e.g. killed) loses its partitions")
      ->check(CLI::Range(100, 300000))
      ->needs(group)
      ->capture_default_str();
  AddBootstrapOption(cmd, &o->bootstrap);
  cmd->callback([o, exit_code] { *exit_code = Consume(*o); });
}

}  // namespace brook::cli
