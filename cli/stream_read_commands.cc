// `brook stream read STREAM|$all` and `brook stream subscribe STREAM|$all`: a page of events,
// or every event from a position on as it arrives (catch-up, then live).
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/stream_common.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::cli {
namespace {

struct ReadOptions {
  StreamTarget target;
  std::string stream;
  std::optional<int64_t> from;
  bool backwards = false;
  int32_t limit = 100;
  std::optional<std::string> category;
  std::optional<std::string> type;
  bool json = false;
  // subscribe
  std::string name;
  int64_t count = 0;        // 0: no limit.
  int64_t timeout_ms = 0;   // 0: never stop waiting.
};

// The --category / --type filter, or a usage error.
absl::StatusOr<std::pair<EventFilter, std::string>> FilterOf(const ReadOptions& o) {
  if (o.category && o.type) return absl::InvalidArgumentError("use --category or --type, not both");
  if ((o.category || o.type) && o.stream != kAllStream) {
    return absl::InvalidArgumentError("--category and --type filter $all only");
  }
  if (o.category) return std::pair{EventFilter::kCategory, *o.category};
  if (o.type) return std::pair{EventFilter::kEventType, *o.type};
  return std::pair{EventFilter::kNone, std::string()};
}

// The filter and a connected store; or, after printing why, nullopt and the exit code.
struct Prepared {
  std::pair<EventFilter, std::string> filter;
  std::unique_ptr<EventStore> store;
};
std::optional<Prepared> Prepare(const ReadOptions& o, int* exit_code) {
  auto filter = FilterOf(o);
  if (!filter.ok()) {
    fmt::print(stderr, "error: {}\n", MessageOf(filter.status()));
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  auto store = ConnectStore(o.target);
  if (!store.ok()) {
    *exit_code = PrintError(store.status());
    return std::nullopt;
  }
  return Prepared{*std::move(filter), *std::move(store)};
}

int Read(const ReadOptions& o) {
  int exit_code = kExitOk;
  std::optional<Prepared> p = Prepare(o, &exit_code);
  if (!p) return exit_code;
  const auto& [filter, store] = *p;
  absl::StatusOr<EventPage> page =
      o.stream == kAllStream
          ? store->ReadAll(o.from.value_or(0), o.limit, filter.first, filter.second)
          : store->ReadStream(o.stream, o.from.value_or(o.backwards ? -1 : 0), o.limit,
                                 o.backwards);
  if (!page.ok()) return PrintError(page.status());
  for (const StoredEvent& event : page->events) PrintEvent(event, o.json);
  return kExitOk;
}

int Subscribe(const ReadOptions& o) {
  int exit_code = kExitOk;
  std::optional<Prepared> p = Prepare(o, &exit_code);
  if (!p) return exit_code;
  auto subscription = p->store->Subscribe({.stream = o.stream,
                                           .filter = p->filter.first,
                                           .filter_value = p->filter.second,
                                           .from = o.from.value_or(0),
                                           .name = o.name,
                                           .batch = o.limit,
                                           .max_wait = std::chrono::milliseconds(500)});
  if (!subscription.ok()) return PrintError(subscription.status());
  int64_t printed = 0;
  auto quiet_since = std::chrono::steady_clock::now();
  for (;;) {
    absl::StatusOr<std::vector<StoredEvent>> events = (*subscription)->Next();
    if (!events.ok()) return PrintError(events.status());
    const StoredEvent* last = nullptr;
    for (const StoredEvent& event : *events) {
      PrintEvent(event, o.json);
      last = &event;
      if (o.count > 0 && ++printed == o.count) break;
    }
    std::fflush(stdout);
    if (!o.name.empty() && last != nullptr) {
      if (absl::Status s = (*subscription)->CommitThrough(*last); !s.ok()) return PrintError(s);
    }
    if (o.count > 0 && printed >= o.count) return kExitOk;
    if (!events->empty()) quiet_since = std::chrono::steady_clock::now();
    if (o.timeout_ms > 0 &&
        std::chrono::steady_clock::now() - quiet_since >= std::chrono::milliseconds(o.timeout_ms)) {
      return kExitOk;
    }
  }
}

void AddCommonReadOptions(CLI::App* cmd, ReadOptions* o) {
  cmd->add_option("STREAM", o->stream, "A stream id, or $all for every stream")->required();
  cmd->add_option("--category", o->category, "$all: only streams CATEGORY-...");
  cmd->add_option("--type", o->type, "$all: only events of this type");
  cmd->add_flag("--json", o->json, "One JSON object per event");
  AddStreamTargetOptions(cmd, &o->target);
}

}  // namespace

void AddStreamReadCommands(CLI::App* stream, int* exit_code) {
  auto o = std::make_shared<ReadOptions>();
  CLI::App* read = stream->add_subcommand(
      "read", "Print a stream's events (or $all's, in the store's global order)");
  AddCommonReadOptions(read, o.get());
  read->add_option("--from", o->from,
                   "First revision (a stream) or position ($all); backwards, default the last")
      ->check(CLI::NonNegativeNumber);
  read->add_flag("--backwards", o->backwards, "Newest first (streams only)");
  read->add_option("--limit", o->limit, "At most this many events")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  read->callback([o, exit_code] { *exit_code = Read(*o); });

  auto s = std::make_shared<ReadOptions>();
  CLI::App* subscribe = stream->add_subcommand(
      "subscribe", "Print every event from --from on, then new ones as they are appended");
  AddCommonReadOptions(subscribe, s.get());
  subscribe->add_option("--from", s->from, "First revision (a stream) or position ($all)")
      ->check(CLI::NonNegativeNumber);
  subscribe->add_option("--name", s->name,
                        "A named subscription: resumes from, and saves, its checkpoint");
  subscribe->add_option("--count", s->count, "Exit after this many events")
      ->check(CLI::NonNegativeNumber);
  subscribe->add_option("--timeout-ms", s->timeout_ms, "Exit when no event arrives for this long")
      ->check(CLI::NonNegativeNumber);
  subscribe->callback([s, exit_code] {
    s->limit = 1000;
    *exit_code = Subscribe(*s);
  });
}

}  // namespace brook::cli
