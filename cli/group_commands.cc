// `brook group list|describe|reset-offsets|delete`: inspect and administer consumer groups
// (delete-offsets is in its own file).
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "client/admin.h"
#include "client/offset_reset.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook::cli {
namespace {

struct GroupOptions {
  std::string bootstrap;
  std::string group;
  // reset-offsets: the topic and exactly one mode.
  std::string topic;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> to_offset;
  std::optional<std::string> to_datetime;
  std::optional<int64_t> shift_by;
  bool dry_run = false;
};

absl::StatusOr<std::unique_ptr<Admin>> Connect(const GroupOptions& o) {
  return Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
}

// A number, or "-" for -1 (none / unknown).
std::string OrDash(int64_t n) { return n < 0 ? "-" : std::to_string(n); }

// A table cell: "-" for nothing, so that columns stay aligned.
std::string Cell(std::string text) { return text.empty() ? "-" : text; }

std::string PartitionsText(const std::vector<TopicPartition>& partitions) {
  std::string out;
  for (const TopicPartition& tp : partitions) {
    out += fmt::format("{}{}-{}", out.empty() ? "" : ",", tp.topic, tp.partition.value);
  }
  return Cell(out);
}

int List(const GroupOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  auto groups = (*admin)->ListGroups();
  if (!groups.ok()) return PrintError(groups.status());
  if (groups->empty()) {
    fmt::print("no consumer groups\n");
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows{{"GROUP", "STATE", "MEMBERS"}};
  for (const GroupListing& g : *groups) {
    rows.push_back({g.group_id, g.state, std::to_string(g.members)});
  }
  PrintTable(rows);
  return kExitOk;
}

void PrintMembers(const GroupDescription& group) {
  if (group.members.empty()) return;
  std::vector<std::vector<std::string>> rows{
      {"MEMBER", "CLIENT-ID", "HOST", "TOPICS", "ASSIGNMENT"}};
  for (const GroupMemberDescription& m : group.members) {
    std::string topics;
    for (const std::string& t : m.topics) topics += (topics.empty() ? "" : ",") + t;
    rows.push_back({m.member_id, Cell(m.client_id), Cell(m.client_host), Cell(topics),
                    PartitionsText(m.assignment)});
  }
  fmt::print("\n");
  PrintTable(rows);
}

void PrintOffsets(const GroupDescription& group) {
  if (group.offsets.empty()) return;
  std::map<TopicPartition, std::string> owner;
  for (const GroupMemberDescription& m : group.members) {
    for (const TopicPartition& tp : m.assignment) owner[tp] = m.member_id;
  }
  std::vector<std::vector<std::string>> rows{
      {"TOPIC", "PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER"}};
  for (const GroupPartitionOffset& p : group.offsets) {
    auto it = owner.find(p.partition);
    rows.push_back({p.partition.topic, std::to_string(p.partition.partition.value),
                    OrDash(p.committed_offset), OrDash(p.log_end_offset),
                    OrDash(p.lag), it == owner.end() ? "-" : it->second});
  }
  fmt::print("\n");
  PrintTable(rows);
}

int Describe(const GroupOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  auto group = (*admin)->DescribeGroup(o.group);
  if (!group.ok()) return PrintError(group.status());
  fmt::print("group       {}\nstate       {}\nassignor    {}\ngeneration  {}\nmembers     {}\n",
             group->group_id, group->state, Cell(group->assignor),
             OrDash(group->generation_id), group->members.size());
  PrintMembers(*group);
  PrintOffsets(*group);
  return kExitOk;
}

// The one mode the command line names; a usage error message otherwise.
absl::StatusOr<OffsetResetSpec> ResetSpec(const GroupOptions& o) {
  const int modes = int{o.to_earliest} + int{o.to_latest} + int{o.to_offset.has_value()} +
                    int{o.to_datetime.has_value()} + int{o.shift_by.has_value()};
  if (modes != 1) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("reset-offsets needs exactly one of --to-earliest, --to-latest, "
                                 "--to-offset N, --to-datetime ISO8601, --shift-by N ({} given)",
                                 modes));
  }
  if (o.to_earliest) return OffsetResetSpec::ToEarliest();
  if (o.to_latest) return OffsetResetSpec::ToLatest();
  if (o.to_offset) return OffsetResetSpec::ToOffset(*o.to_offset);
  if (o.shift_by) return OffsetResetSpec::ShiftBy(*o.shift_by);
  absl::StatusOr<int64_t> when = ParseDatetime(*o.to_datetime);
  if (!when.ok()) return when.status();
  return OffsetResetSpec::ToDatetime(*when);
}

int ResetOffsets(const GroupOptions& o) {
  absl::StatusOr<OffsetResetSpec> spec = ResetSpec(o);
  if (!spec.ok()) {
    PrintError(spec.status());
    return kExitUsage;
  }
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  auto changes = (*admin)->ResetGroupOffsets(o.group, o.topic, *spec, o.dry_run);
  if (!changes.ok()) return PrintError(changes.status());
  std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "OLD", "NEW"}};
  for (const OffsetResetChange& c : *changes) {
    rows.push_back({o.topic, std::to_string(c.partition), OrDash(c.current_offset),
                    std::to_string(c.new_offset)});
  }
  PrintTable(rows);
  if (o.dry_run) {
    fmt::print("dry run: group '{}' not changed\n", o.group);
  } else {
    fmt::print("reset offsets of group '{}' on topic '{}'\n", o.group, o.topic);
  }
  return kExitOk;
}

int Delete(const GroupOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  absl::Status deleted = (*admin)->DeleteGroup(o.group);
  if (!deleted.ok()) return PrintError(deleted);
  fmt::print("deleted group '{}'\n", o.group);
  return kExitOk;
}

void AddResetOffsetsCommand(CLI::App* group, const std::shared_ptr<GroupOptions>& o,
                            int* exit_code) {
  CLI::App* reset = group->add_subcommand(
      "reset-offsets", "Move a group's committed offsets on a topic (the group must be stopped)");
  reset->add_option("GROUP", o->group, "Group id")->required();
  reset->add_option("--topic", o->topic, "Topic whose partitions to reset (all of them)")
      ->required();
  reset->add_flag("--to-earliest", o->to_earliest, "To the first offset still in each partition");
  reset->add_flag("--to-latest", o->to_latest, "To each log end (skip everything there now)");
  reset->add_option("--to-offset", o->to_offset, "To offset N")
      ->check(CLI::Range(int64_t{0}, std::numeric_limits<int64_t>::max()));
  reset->add_option("--to-datetime", o->to_datetime,
                    "To the first record at or after this time, e.g. 2026-11-25T10:00:00Z");
  reset->add_option("--shift-by", o->shift_by, "By N from the committed offset (N may be < 0)");
  reset->add_flag("--dry-run", o->dry_run, "Print the changes only");
  AddBootstrapOption(reset, &o->bootstrap);
  reset->callback([o, exit_code] { *exit_code = ResetOffsets(*o); });
}

}  // namespace

void AddGroupCommands(CLI::App& app, int* exit_code) {
  CLI::App* group =
      app.add_subcommand("group", "List, describe, reset or delete offsets of, and delete groups");
  group->require_subcommand(1);
  auto o = std::make_shared<GroupOptions>();

  CLI::App* list = group->add_subcommand("list", "List consumer groups");
  AddBootstrapOption(list, &o->bootstrap);
  list->callback([o, exit_code] { *exit_code = List(*o); });

  CLI::App* describe =
      group->add_subcommand("describe", "State, members, assignments, offsets and lag");
  describe->add_option("GROUP", o->group, "Group id")->required();
  AddBootstrapOption(describe, &o->bootstrap);
  describe->callback([o, exit_code] { *exit_code = Describe(*o); });

  AddResetOffsetsCommand(group, o, exit_code);

  CLI::App* del = group->add_subcommand("delete", "Delete a stopped group's committed offsets");
  del->add_option("GROUP", o->group, "Group id")->required();
  AddBootstrapOption(del, &o->bootstrap);
  del->callback([o, exit_code] { *exit_code = Delete(*o); });

  AddGroupDeleteOffsetsCommand(group, exit_code);
}

}  // namespace brook::cli
