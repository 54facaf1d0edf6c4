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

// "any", "no-stream", "exists" or a revision >= 0; nullopt for anything else.
std::optional<int64_t> ParseExpectedRevision(std::string_view text);
inline constexpr std::string_view kExpectedRevisionHelp =
    "any, no-stream, exists, or the stream's exact last revision";

// One event: "STREAM@REVISION  #POSITION  TYPE  DATA", or with `json` one JSON object.
void PrintEvent(const StoredEvent& event, bool json);

}  // namespace brook::cli
