#include "cli/stream_common.h"

#include <boost/json/object.hpp>

#include "cli/cli_common.h"
#include "fmt/format.h"
#include "protocol/json/json.h"

namespace brook::cli {

void AddStreamTargetOptions(CLI::App* command, StreamTarget* target) {
  command->add_option("--store", target->store, "The store topic (default: events)");
  AddBootstrapOption(command, &target->bootstrap);
}

absl::StatusOr<std::unique_ptr<EventStore>> ConnectStore(const StreamTarget& target) {
  return EventStore::Create(
      {.bootstrap = target.bootstrap, .client_id = "brook-cli", .store = target.store});
}

void PrintEvent(const StoredEvent& event, bool json) {
  if (!json) {
    fmt::print("{}@{}  #{}  {}  {}\n", event.stream, event.revision, event.position, event.type,
               event.data);
    return;
  }
  boost::json::object line;
  line["stream"] = event.stream;
  line["revision"] = event.revision;
  line["position"] = event.position;
  line["id"] = event.id;
  line["type"] = event.type;
  line["content_type"] = event.content_type;
  line["data"] = json::Bytes(event.data);
  line["metadata"] = json::Bytes(event.metadata);
  line["timestamp"] = IsoTime(event.timestamp_ms);
  fmt::print("{}\n", json::Text(line));
}

}  // namespace brook::cli
