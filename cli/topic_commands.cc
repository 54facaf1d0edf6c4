// `brook topic create|list|describe|delete`.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "client/admin.h"
#include "fmt/format.h"

namespace brook::cli {
namespace {

struct TopicOptions {
  std::string bootstrap;
  std::string name;
  int partitions = 1;
  std::vector<std::string> configs;  // k=v
};

absl::StatusOr<std::unique_ptr<Admin>> Connect(const TopicOptions& o) {
  return Admin::Create({.bootstrap = o.bootstrap});
}

int Create(const TopicOptions& o) {
  std::map<std::string, std::string> configs;
  for (const std::string& kv : o.configs) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "error: --config takes KEY=VALUE, got '{}'\n", kv);
      return kExitUsage;
    }
    configs[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  absl::Status created =
      (*admin)->CreateTopic({.name = o.name, .partitions = o.partitions, .configs = configs});
  if (!created.ok()) return PrintError(created);
  fmt::print("created topic '{}' with {} partition{}\n", o.name, o.partitions,
             o.partitions == 1 ? "" : "s");
  return kExitOk;
}

int List(const TopicOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  auto names = (*admin)->ListTopics();
  if (!names.ok()) return PrintError(names.status());
  for (const std::string& name : *names) fmt::print("{}\n", name);
  return kExitOk;
}

int Describe(const TopicOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  auto topic = (*admin)->DescribeTopic(o.name);
  if (!topic.ok()) return PrintError(topic.status());
  int64_t records = 0;
  for (const auto& p : topic->partitions) records += p.log_end_offset - p.log_start_offset;
  fmt::print("topic       {}\npartitions  {}\nrecords     {}\n", topic->name,
             topic->partitions.size(), records);
  fmt::print("\n{:>9}  {:>16}  {:>16}\n", "PARTITION", "LOG-START-OFFSET", "LOG-END-OFFSET");
  for (const auto& p : topic->partitions) {
    fmt::print("{:>9}  {:>16}  {:>16}\n", p.partition, p.log_start_offset, p.log_end_offset);
  }
  fmt::print("\nconfig\n");
  for (const auto& [key, value] : topic->configs) fmt::print("  {} = {}\n", key, value);
  return kExitOk;
}

int Delete(const TopicOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  absl::Status deleted = (*admin)->DeleteTopic(o.name);
  if (!deleted.ok()) return PrintError(deleted);
  fmt::print("deleted topic '{}'\n", o.name);
  return kExitOk;
}

}  // namespace

void AddTopicCommands(CLI::App& app, int* exit_code) {
  CLI::App* topic = app.add_subcommand("topic", "Create, list, describe and delete topics");
  topic->require_subcommand(1);

  auto o = std::make_shared<TopicOptions>();
  CLI::App* create = topic->add_subcommand("create", "Create a topic");
  create->add_option("NAME", o->name, "Topic name")->required();
  create->add_option("--partitions,-p", o->partitions, "Number of partitions")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  create->add_option("--config,-c", o->configs, "Topic setting KEY=VALUE (repeatable)");
  AddBootstrapOption(create, &o->bootstrap);
  create->callback([o, exit_code] { *exit_code = Create(*o); });

  CLI::App* list = topic->add_subcommand("list", "List topics");
  AddBootstrapOption(list, &o->bootstrap);
  list->callback([o, exit_code] { *exit_code = List(*o); });

  CLI::App* describe = topic->add_subcommand("describe", "Partitions, offsets and settings");
  describe->add_option("NAME", o->name, "Topic name")->required();
  AddBootstrapOption(describe, &o->bootstrap);
  describe->callback([o, exit_code] { *exit_code = Describe(*o); });

  CLI::App* del = topic->add_subcommand("delete", "Delete a topic and all its records");
  del->add_option("NAME", o->name, "Topic name")->required();
  AddBootstrapOption(del, &o->bootstrap);
  del->callback([o, exit_code] { *exit_code = Delete(*o); });
}

}  // namespace brook::cli
