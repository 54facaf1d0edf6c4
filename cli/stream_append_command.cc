// `brook stream append STREAM`: one append (all or nothing) of one event (--data) or of one
// event per stdin line.
#include <iostream>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/stream_common.h"
#include "fmt/format.h"
#include "protocol/expected_revision.h"
#include "protocol/json/json.h"

namespace brook::cli {
namespace {

struct AppendOptions {
  StreamTarget target;
  std::string stream;
  std::string type;
  std::optional<std::string> data;
  std::string expected = "any";
  std::optional<std::string> id;
  std::string content_type = "application/json";
  std::string metadata;
  bool json = false;
};

int Append(const AppendOptions& o) {
  const std::optional<int64_t> expected = ParseExpectedRevision(o.expected);
  if (!expected) {
    fmt::print(stderr, "error: --expected-revision takes {}, not '{}'\n", kExpectedRevisionHelp,
               o.expected);
    return kExitUsage;
  }
  std::vector<EventToAppend> events;
  const auto add = [&](std::string data) {
    events.push_back({.id = "", .type = o.type, .data = std::move(data),
                      .content_type = o.content_type, .metadata = o.metadata});
  };
  if (o.data) {
    add(*o.data);
  } else {
    for (std::string line; std::getline(std::cin, line);) add(std::move(line));
  }
  if (events.empty()) {
    fmt::print(stderr, "error: nothing to append: give --data or lines on stdin\n");
    return kExitUsage;
  }
  if (o.id) {
    if (events.size() != 1) {
      fmt::print(stderr, "error: --id names one event; give it with --data\n");
      return kExitUsage;
    }
    events[0].id = *o.id;
  }
  auto store = ConnectStore(o.target);
  if (!store.ok()) return PrintError(store.status());
  absl::StatusOr<AppendResult> result = (*store)->Append(o.stream, *expected, std::move(events));
  if (!result.ok()) return PrintError(result.status());
  if (o.json) {
    boost::json::object line;
    line["stream"] = o.stream;
    line["first_revision"] = result->first_revision;
    line["last_revision"] = result->last_revision;
    line["first_position"] = result->first_position;
    line["last_position"] = result->last_position;
    line["duplicate"] = result->duplicate;
    fmt::print("{}\n", json::Text(line));
  } else {
    fmt::print("{} {}@{}..{} (positions {}..{})\n",
               result->duplicate ? "already appended:" : "appended", o.stream,
               result->first_revision, result->last_revision, result->first_position,
               result->last_position);
  }
  return kExitOk;
}

}  // namespace

void AddStreamAppendCommand(CLI::App* stream, int* exit_code) {
  auto o = std::make_shared<AppendOptions>();
  CLI::App* cmd = stream->add_subcommand(
      "append", "Append one event (--data) or one per stdin line, all or nothing");
  cmd->add_option("STREAM", o->stream, "The stream id, e.g. account-42")->required();
  cmd->add_option("--type", o->type, "The event type, e.g. Deposited")->required();
  cmd->add_option("--data", o->data, "The event's data (default: one event per stdin line)");
  cmd->add_option("--expected-revision", o->expected, std::string(kExpectedRevisionHelp))
      ->capture_default_str();
  cmd->add_option("--id", o->id, "The event's id, a UUID (default: a new one)");
  cmd->add_option("--content-type", o->content_type, "The data's media type")
      ->capture_default_str();
  cmd->add_option("--metadata", o->metadata, "The event's metadata");
  cmd->add_flag("--json", o->json, "Print the result as one JSON object");
  AddStreamTargetOptions(cmd, &o->target);
  cmd->callback([o, exit_code] { *exit_code = Append(*o); });
}

}  // namespace brook::cli
