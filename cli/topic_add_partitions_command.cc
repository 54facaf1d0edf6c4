// `brook topic add-partitions TOPIC --partitions N`: grows a topic to N partitions in all, as
// Kafka's `kafka-topics --alter --partitions N` does.
#include <memory>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "client/admin.h"
#include "fmt/format.h"

namespace brook::cli {
namespace {

struct AddPartitionsOptions {
  std::string bootstrap;
  std::string topic;
  int partitions = 0;
  bool validate_only = false;
};

// Prints "TOPIC: N -> M partitions", reading the count before the change.
int AddPartitions(const AddPartitionsOptions& o) {
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  auto before = (*admin)->DescribeTopic(o.topic);
  if (!before.ok()) return PrintError(before.status());
  absl::Status added = (*admin)->CreatePartitions(o.topic, o.partitions, o.validate_only);
  if (!added.ok()) return PrintError(added);
  fmt::print("{} topic '{}': {} -> {} partitions\n",
             o.validate_only ? "validated (nothing changed):" : "added partitions to", o.topic,
             before->partitions.size(), o.partitions);
  return kExitOk;
}

}  // namespace

void AddTopicAddPartitionsCommand(CLI::App* topic, int* exit_code) {
  auto o = std::make_shared<AddPartitionsOptions>();
  CLI::App* add = topic->add_subcommand(
      "add-partitions", "Grow a topic to N partitions in all (partitions are never removed)");
  add->add_option("TOPIC", o->topic, "Topic name")->required();
  add->add_option("--partitions,-p", o->partitions,
                  "The new partition count, the total (more than the topic has)")
      ->required()
      ->check(CLI::Range(1, 100000));
  add->add_flag("--validate-only", o->validate_only, "Only check that the change is valid");
  AddBootstrapOption(add, &o->bootstrap);
  add->callback([o, exit_code] { *exit_code = AddPartitions(*o); });
}

}  // namespace brook::cli
