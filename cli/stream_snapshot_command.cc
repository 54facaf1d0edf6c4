// `brook stream snapshot save|load STREAM`: a stream's snapshots.
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/stream_common.h"
#include "fmt/format.h"
#include "protocol/json/json.h"

namespace brook::cli {
namespace {

struct SnapshotOptions {
  StreamTarget target;
  std::string stream;
  int64_t revision = 0;
  std::string data;
  bool json = false;
};

int Save(const SnapshotOptions& o) {
  auto store = ConnectStore(o.target);
  if (!store.ok()) return PrintError(store.status());
  if (absl::Status s = (*store)->SaveSnapshot(o.stream, o.revision, o.data); !s.ok()) {
    return PrintError(s);
  }
  fmt::print("saved a snapshot of {} at revision {}\n", o.stream, o.revision);
  return kExitOk;
}

int Load(const SnapshotOptions& o) {
  auto store = ConnectStore(o.target);
  if (!store.ok()) return PrintError(store.status());
  absl::StatusOr<StreamSnapshot> snapshot = (*store)->LoadSnapshot(o.stream);
  if (!snapshot.ok()) return PrintError(snapshot.status());
  if (o.json) {
    boost::json::object line;
    line["stream"] = o.stream;
    line["revision"] = snapshot->revision ? boost::json::value(*snapshot->revision)
                                          : boost::json::value(nullptr);
    line["data"] = json::Bytes(snapshot->data);
    line["events_after"] = snapshot->events.events.size();
    fmt::print("{}\n", json::Text(line));
  } else if (snapshot->revision) {
    fmt::print("snapshot at revision {}: {}\n", *snapshot->revision, snapshot->data);
  } else {
    fmt::print("no snapshot\n");
  }
  for (const StoredEvent& event : snapshot->events.events) PrintEvent(event, o.json);
  return kExitOk;
}

}  // namespace

void AddStreamSnapshotCommand(CLI::App* stream, int* exit_code) {
  auto o = std::make_shared<SnapshotOptions>();
  CLI::App* snapshot = stream->add_subcommand("snapshot", "Save or load a stream's snapshot");
  snapshot->require_subcommand(1);
  CLI::App* save = snapshot->add_subcommand("save", "Save the stream's state at a revision");
  save->add_option("STREAM", o->stream, "The stream id")->required();
  save->add_option("--revision", o->revision, "The revision the state is at")
      ->required()
      ->check(CLI::NonNegativeNumber);
  save->add_option("--data", o->data, "The state")->required();
  AddStreamTargetOptions(save, &o->target);
  save->callback([o, exit_code] { *exit_code = Save(*o); });

  CLI::App* load = snapshot->add_subcommand(
      "load", "Print the latest snapshot and the events after it");
  load->add_option("STREAM", o->stream, "The stream id")->required();
  load->add_flag("--json", o->json, "JSON: the snapshot, then one object per event");
  AddStreamTargetOptions(load, &o->target);
  load->callback([o, exit_code] { *exit_code = Load(*o); });
}

}  // namespace brook::cli
