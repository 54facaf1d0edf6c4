// `brook topic create|list|describe|delete|alter|compact` (add-partitions and delete-records
// are in their own files).
#include <chrono>
#include <map>
#include <optional>
#include <set>
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
  std::vector<std::string> configs;         // k=v
  std::vector<std::string> delete_configs;  // alter: keys whose override is removed.
  bool validate_only = false;               // alter: check only.
};

absl::StatusOr<std::unique_ptr<Admin>> Connect(const TopicOptions& o) {
  return Admin::Create({.bootstrap = o.bootstrap});
}

int Create(const TopicOptions& o) {
  std::optional<std::map<std::string, std::string>> configs = ParseKeyValues(o.configs, "--config");
  if (!configs) return kExitUsage;
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  absl::Status created =
      (*admin)->CreateTopic({.name = o.name, .partitions = o.partitions, .configs = *configs});
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

// A resolved config value for display; "-" when the topic has no such key.
std::string ValueOf(const std::map<std::string, std::string>& configs, const std::string& key) {
  auto it = configs.find(key);
  return it == configs.end() ? "-" : it->second;
}

// Changes the topic's configs and prints each changed key as "KEY: OLD -> NEW", read from
// describing the topic before and after (with --validate-only: the value it would get;
// a removed override shows as "(broker default)").
int Alter(const TopicOptions& o) {
  if (o.configs.empty() && o.delete_configs.empty()) {
    fmt::print(stderr, "error: topic alter needs at least one --config or --delete-config\n");
    return kExitUsage;
  }
  std::optional<std::map<std::string, std::string>> set = ParseKeyValues(o.configs, "--config");
  if (!set) return kExitUsage;
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  auto before = (*admin)->DescribeTopic(o.name);
  if (!before.ok()) return PrintError(before.status());
  absl::Status altered =
      (*admin)->AlterTopicConfigs(o.name, *set, o.delete_configs, o.validate_only);
  if (!altered.ok()) return PrintError(altered);
  std::map<std::string, std::string> after;
  if (o.validate_only) {
    for (const std::string& key : o.delete_configs) after[key] = "(broker default)";
    for (const auto& [key, value] : *set) after[key] = value;
  } else {
    auto described = (*admin)->DescribeTopic(o.name);
    if (!described.ok()) return PrintError(described.status());
    after = described->configs;
  }
  std::set<std::string> keys(o.delete_configs.begin(), o.delete_configs.end());
  for (const auto& [key, value] : *set) keys.insert(key);
  fmt::print("{} topic '{}'\n", o.validate_only ? "validated (nothing changed):" : "altered",
             o.name);
  for (const std::string& key : keys) {
    fmt::print("  {}: {} -> {}\n", key, ValueOf(before->configs, key), ValueOf(after, key));
  }
  return kExitOk;
}

// Compacts the topic now, waiting for the broker, and prints what each partition did and
// the rate: bytes read over the time the whole call took.
int Compact(const TopicOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  const auto start = std::chrono::steady_clock::now();
  auto compacted = (*admin)->CompactTopic(o.name);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (!compacted.ok()) return PrintError(compacted.status());
  std::vector<std::vector<std::string>> rows{{"PARTITION", "BYTES-READ", "BYTES-WRITTEN",
                                              "RECORDS-REMOVED", "TOMBSTONES-REMOVED",
                                              "CLEANED-UP-TO", "DURATION-MS"}};
  int64_t read = 0;
  int64_t written = 0;
  int64_t removed = 0;
  for (const PartitionCompactionStats& p : *compacted) {
    rows.push_back({std::to_string(p.partition), std::to_string(p.bytes_read),
                    std::to_string(p.bytes_written), std::to_string(p.records_removed),
                    std::to_string(p.tombstones_removed), std::to_string(p.cleaned_up_to),
                    std::to_string(p.duration_ms)});
    read += p.bytes_read;
    written += p.bytes_written;
    removed += p.records_removed;
  }
  PrintTable(rows);
  const double seconds = elapsed.count();
  fmt::print("\ncompacted topic '{}': {:.1f} MB read, {:.1f} MB written, {} records removed in "
             "{:.3f} s ({:.1f} MB/s)\n",
             o.name, static_cast<double>(read) / 1e6, static_cast<double>(written) / 1e6, removed,
             seconds, seconds > 0 ? static_cast<double>(read) / 1e6 / seconds : 0.0);
  return kExitOk;
}

}  // namespace

void AddTopicCommands(CLI::App& app, int* exit_code) {
  CLI::App* topic =
      app.add_subcommand("topic", "Create, list, describe, alter, compact, grow and delete "
                                  "topics; delete records");
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

  CLI::App* alter = topic->add_subcommand("alter", "Change a topic's settings");
  alter->add_option("NAME", o->name, "Topic name")->required();
  alter->add_option("--config,-c", o->configs, "Set KEY=VALUE (repeatable)");
  alter->add_option("--delete-config", o->delete_configs,
                    "Remove KEY's override: the broker default applies again (repeatable)");
  alter->add_flag("--validate-only", o->validate_only, "Only check that the change is valid");
  AddBootstrapOption(alter, &o->bootstrap);
  alter->callback([o, exit_code] { *exit_code = Alter(*o); });

  CLI::App* compact = topic->add_subcommand(
      "compact", "Compact a topic (cleanup.policy compact) now and wait for it");
  compact->add_option("NAME", o->name, "Topic name")->required();
  AddBootstrapOption(compact, &o->bootstrap);
  compact->callback([o, exit_code] { *exit_code = Compact(*o); });

  AddTopicAddPartitionsCommand(topic, exit_code);
  AddTopicDeleteRecordsCommand(topic, exit_code);
}

}  // namespace brook::cli
