// bench/events/event_target.h: one client connection to an event store, as `brook bench
// events` drives it: brook's event store (client/event_store.h) or the PostgreSQL design the
// usual event-sourcing tutorials use (an events table, a unique (stream, revision) index, and
// the expected-revision check as SELECT max(revision) + INSERT in one transaction).
//
//   absl::StatusOr<std::unique_ptr<EventTarget>> pg = ConnectPostgres("127.0.0.1", 5432);
//   (*pg)->Append("account-1", -1, 1, R"({"amount":5})");   // expects no stream
//
// Thread-safety: one thread per target (each is one connection); AppendAsync's `done` may
// run on another.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"

namespace brook::bench {

// The data of every event the bench appends (about what a deposit's JSON holds).
inline constexpr std::string_view kEventData =
    R"({"account":"acct-1","amount":125,"currency":"EUR"})";

class EventTarget {
 public:
  virtual ~EventTarget() = default;
  // Appends `count` events of `data` (JSON) to `stream` if its last revision is `expected`
  // (-1: no stream), all or nothing. Errors: FAILED_PRECONDITION on a wrong expected
  // revision; the store's and the connection's.
  virtual absl::Status Append(std::string_view stream, int64_t expected, int count,
                              std::string_view data) = 0;
  // Append without waiting, for targets that can have several appends in flight on one
  // connection (pipelines()): `done` gets Append's status on another thread. The others keep
  // one transaction in flight per connection, so the bench gives them a connection per
  // append in flight instead.
  virtual bool pipelines() const { return false; }
  virtual void AppendAsync(std::string_view stream, int64_t expected, int count,
                           std::string_view data, absl::AnyInvocable<void(absl::Status) &&> done) {
    std::move(done)(Append(stream, expected, count, data));
  }
  // Reads the first `limit` events of `stream`; returns how many there were.
  virtual absl::StatusOr<int> ReadStream(std::string_view stream, int limit) = 0;
  // Reads up to `limit` events of every stream in the global order after `cursor` (0: from
  // the start), as a subscription catching up does; returns how many, and sets *cursor to
  // where the next page starts.
  virtual absl::StatusOr<int> ReadAll(int64_t* cursor, int limit) = 0;
};

// brook's event store at `bootstrap`, appending with `acks` (-1: answered once fsynced; 1:
// once in the WAL), in the store topic `store`.
absl::StatusOr<std::unique_ptr<EventTarget>> ConnectBrookEvents(const std::string& bootstrap,
                                                                int acks,
                                                                const std::string& store);

// PostgreSQL at host:port (user "brook", database "postgres"), through libpq with prepared
// statements. CreatePostgresSchema makes the events table once, before the clients connect.
absl::StatusOr<std::unique_ptr<EventTarget>> ConnectPostgres(const std::string& host, int port);
absl::Status CreatePostgresSchema(const std::string& host, int port);

}  // namespace brook::bench
