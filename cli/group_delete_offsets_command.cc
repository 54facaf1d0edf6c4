// `brook group delete-offsets GROUP --topic T [--partition P]...`: deletes some of a group's
// committed offsets (all of the topic's partitions without --partition), as Kafka's
// `kafka-consumer-groups --delete-offsets` does.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "client/admin.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::cli {
namespace {

struct DeleteOffsetsOptions {
  std::string bootstrap;
  std::string group;
  std::string topic;
  std::vector<int32_t> partitions;  // Empty: every partition of the topic.
};

// The partitions to delete the commits of. Errors: those of describing the topic.
absl::StatusOr<std::vector<TopicPartition>> Chosen(Admin& admin, const DeleteOffsetsOptions& o) {
  std::vector<TopicPartition> chosen;
  for (int32_t p : o.partitions) chosen.push_back({o.topic, PartitionId(p)});
  if (!chosen.empty()) return chosen;
  absl::StatusOr<TopicDescription> topic = admin.DescribeTopic(o.topic);
  if (!topic.ok()) return topic.status();
  for (const PartitionDescription& p : topic->partitions) {
    chosen.push_back({o.topic, PartitionId(p.partition)});
  }
  return chosen;
}

// Prints one row per partition; fails (exit 1) when any partition was refused.
int DeleteOffsets(const DeleteOffsetsOptions& o) {
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<std::vector<TopicPartition>> partitions = Chosen(**admin, o);
  if (!partitions.ok()) return PrintError(partitions.status());
  auto deleted = (*admin)->DeleteGroupOffsets(o.group, *partitions);
  if (!deleted.ok()) return PrintError(deleted.status());
  std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "RESULT"}};
  bool refused = false;
  for (const OffsetDeletion& d : *deleted) {
    refused |= !d.status.ok();
    rows.push_back({d.partition.topic, std::to_string(d.partition.partition.value),
                    d.status.ok() ? "deleted" : "error: " + std::string(MessageOf(d.status))});
  }
  PrintTable(rows);
  return refused ? kExitFailure : kExitOk;
}

}  // namespace

void AddGroupDeleteOffsetsCommand(CLI::App* group, int* exit_code) {
  auto o = std::make_shared<DeleteOffsetsOptions>();
  CLI::App* del = group->add_subcommand(
      "delete-offsets",
      "Delete a group's committed offsets of a topic (not while a live member consumes it)");
  del->add_option("GROUP", o->group, "Group id")->required();
  del->add_option("--topic", o->topic, "The topic")->required();
  del->add_option("--partition", o->partitions,
                  "A partition (repeatable; default: every partition of the topic)")
      ->check(CLI::NonNegativeNumber);
  AddBootstrapOption(del, &o->bootstrap);
  del->callback([o, exit_code] { *exit_code = DeleteOffsets(*o); });
}

}  // namespace brook::cli
