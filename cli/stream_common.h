// cli/stream_common.h: what the `brook stream ...` commands share: the --store and
// --bootstrap options, the expected-revision argument, connecting, and how an event is printed
// (a line for people, or one JSON object per line with --json, written by Boost.JSON).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "client/event_store.h"

namespace brook::cli {

struct StreamTarget {
  std::string bootstrap;
  std::string store;  // "" = the default store, "events".
};

// --store NAME and --bootstrap HOST:PORT.
void AddStreamTargetOptions(CLI::App* command, StreamTarget* target);
absl::StatusOr<std::unique_ptr<EventStore>> ConnectStore(const StreamTarget& target);

// One event: "STREAM@REVISION  #POSITION  TYPE  DATA", or with `json` one JSON object.
void PrintEvent(const StoredEvent& event, bool json);

}  // namespace brook::cli
