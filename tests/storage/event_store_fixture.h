// tests/storage/event_store_fixture.h: an EventStore over a LogStore in a fresh temporary
// directory (removed afterwards), with a fake clock and Reopen() to test what survives.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/event_store/event_store.h"
#include "tests/storage/store_fixture.h"

namespace brook::storage::events::testing {

using brook::storage::testing::FakeClock;
using brook::storage::testing::OpenStore;

struct EventStoreFixture {
  EventStoreFixture()
      : dir(std::filesystem::temp_directory_path() /
            ("brook-events-" + std::to_string(::getpid()) + "-" +
             std::to_string(reinterpret_cast<uintptr_t>(this)))) {
    std::filesystem::remove_all(dir);
    Open();
  }
  ~EventStoreFixture() {
    events.reset();
    log.reset();
    std::filesystem::remove_all(dir);
  }
  void Open() {
    log = OpenStore(dir.string(), clock);
    events = std::make_unique<EventStore>(*log, options);
  }
  void Reopen() {
    events.reset();
    log.reset();
    Open();
  }

  absl::StatusOr<AppendOutcome> Append(std::string_view stream, int64_t expected,
                                       std::vector<NewEvent> batch) {
    return events->Append("", {stream, expected, batch});
  }
  std::vector<std::string> Types(const EventSlice& slice) {
    std::vector<std::string> types;
    for (const Event& e : slice.events) types.push_back(e.type);
    return types;
  }

  std::filesystem::path dir;
  FakeClock clock;
  EventStoreOptions options;
  std::unique_ptr<LogStore> log;
  std::unique_ptr<EventStore> events;
};

inline NewEvent Ev(std::string_view type, std::string_view data = "{}", std::string id = {}) {
  return NewEvent{std::move(id), type, "application/json", data, ""};
}

}  // namespace brook::storage::events::testing
