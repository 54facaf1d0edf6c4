// client/event_store.h: brook's event store from C++: append to a stream with an expected
// revision, read a stream or every stream ($all), snapshots, deletion, and subscriptions that
// catch up and then follow live appends (docs/event-store.md).
//
//   auto store = brook::EventStore::Create({.bootstrap = "127.0.0.1:9292"});
//   auto appended = (*store)->Append("account-1", brook::kExpectNoStream,
//                                    {{.type = "Opened", .data = R"({"owner":"ann"})"}});
//   if (brook::ActualRevisionOf(appended.status())) { /* conflict: reload and retry */ }
//   auto events = (*store)->ReadStream("account-1");
//   auto sub = (*store)->Subscribe({.stream = "$all", .name = "projector"});
//   for (;;) for (const auto& e : *(*sub)->Next()) { ...; (*sub)->Commit(); }
//
// Every event gets an id made by the client unless given, so a retried Append (after a
// timeout or a dropped connection) is answered with the first append's result instead of
// appending twice. Concurrency: an EventStore may be used from several threads at once (one
// connection, requests pipelined); a Subscription from one thread at a time.
// Lifecycle: a Subscription borrows its EventStore, which must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "protocol/expected_revision.h"
#include "protocol/messages.h"

namespace brook {

struct EventStoreOptions {
  std::string bootstrap = "127.0.0.1:9292";          // The broker, host:port.
  std::string client_id = "brook-event-store";       // Shown in the broker's logs.
  std::string store = "";                            // The store topic; "" = "events".
  std::chrono::milliseconds request_timeout{30000};  // Per request; connect uses min(this, 10 s).
  int16_t acks = kAcksAll;  // -1: appends answer once fsynced; 1 or 0: once in the WAL.
};

struct EventToAppend {
  std::string id = "";  // A UUID (canonical text); "" = the client makes one.
  std::string type;
  std::string data = "";
  std::string content_type = "application/json";
  std::string metadata = "";
};

struct AppendResult {
  int64_t first_revision = 0;
  int64_t last_revision = 0;  // The stream's revision after it: the next expected revision.
  int64_t first_position = 0;
  int64_t last_position = 0;
  // A retry: these events (matched by id, not by content) were appended before and nothing
  // is new; the figures above are that first append's, and the stream may have moved on.
  bool duplicate = false;
};

struct StoredEvent {
  std::string stream;
  int64_t revision = 0;
  int64_t position = 0;
  std::string id;
  std::string type;
  std::string content_type;
  std::string data;
  std::string metadata;
  int64_t timestamp_ms = 0;
};

struct EventPage {
  std::vector<StoredEvent> events;
  int64_t next = 0;   // Where to read on from (a revision, or a position for $all).
  int64_t head = -1;  // The stream's last revision / $all's last position when read.
};

struct StreamSnapshot {
  std::optional<int64_t> revision;  // nullopt: no snapshot; the events start at revision 0.
  std::string data;
  EventPage events;  // The events after the snapshot.
};

struct SubscriptionOptions {
  std::string stream = std::string(kAllStream);  // A stream id, or "$all".
  EventFilter filter = EventFilter::kNone;        // $all only: a category or an event type.
  std::string filter_value = "";
  int64_t from = 0;         // Revision or position to start at, unless the checkpoint says.
  std::string name = "";    // Named: resumes from its checkpoint on the broker.
  int32_t batch = 1000;     // At most this many events per Next().
  std::chrono::milliseconds max_wait{500};  // How long Next() waits for a live event.
};

struct ConsumerRecord;

// The event a record of a store topic holds, for projections kept by a consumer group
// (client/consumer.h) instead of a subscription: nullopt when the record is no event (a
// plain record produced to the topic). The record form is protocol/event_record.h's.
std::optional<StoredEvent> EventFromRecord(const ConsumerRecord& record);

class EventStore;
namespace event_store_internal {
struct PendingRead;  // A read sent, its answer still to come (event_store.cc).
}  // namespace event_store_internal

// Catch-up, then live: Next() returns the events after the last ones it returned, in order,
// each once; an empty vector when none arrived within max_wait. While catching up (the
// broker's answer says more events are there), Next() asks for them as soon as the answer
// arrives, before decoding it, so the broker reads them while this client decodes and the
// caller handles the events.
// Lifecycle: a request in flight when the subscription is destroyed is answered and dropped.
class Subscription {
 public:
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // Errors: those of EventRead (the connection's; STREAM_NOT_FOUND never: a stream that does
  // not exist yet is waited for); CORRUPT_MESSAGE as ReadStream's, on every call until that
  // page reads (nothing after it is skipped).
  absl::StatusOr<std::vector<StoredEvent>> Next();
  // The revision / position the next event will be at or after.
  int64_t position() const { return next_; }
  // Stores position() as the named subscription's checkpoint. Errors: INVALID_REQUEST (no
  // name); the connection's.
  absl::Status Commit();
  // Stores the checkpoint just after `last` (an event Next() returned), for a reader that
  // handled only part of what Next() returned. Errors: as Commit's.
  absl::Status CommitThrough(const StoredEvent& last);

 private:
  friend class EventStore;
  absl::Status CommitAt(int64_t position);
  Subscription(EventStore& store, SubscriptionOptions options, int64_t next);
  EventReadRequest ReadFrom(int64_t from) const;
  EventStore& store_;
  const SubscriptionOptions options_;
  int64_t next_;
  std::unique_ptr<event_store_internal::PendingRead> ahead_;  // The read from next_.
};

class EventStore {
 public:
  // Connects. Errors: INVALID_REQUEST (bad options); the errors of connecting.
  static absl::StatusOr<std::unique_ptr<EventStore>> Create(EventStoreOptions options);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends `events` to `stream` if it is at `expected_revision` (kExpectAny,
  // kExpectNoStream, kExpectStreamExists or a revision), all or nothing. Errors:
  // WRONG_EXPECTED_VERSION (ActualRevisionOf(status) is the actual revision, -1 for none);
  // EVENT_ID_CONFLICT; INVALID_REQUEST; MESSAGE_TOO_LARGE; NOT_AN_EVENT_STORE;
  // REQUEST_TIMED_OUT; STORAGE_ERROR; the connection's. Ids left empty are filled in.
  absl::StatusOr<AppendResult> Append(std::string_view stream, int64_t expected_revision,
                                      std::vector<EventToAppend> events);
  // Append without waiting for the answer: `done` gets Append's result on the connection's
  // I/O thread (or on the calling thread, before AppendAsync returns, when the request cannot
  // be sent: a closed EventStore, a failed reconnection). There it must not block, nor call
  // this EventStore's blocking methods; it may call AppendAsync, which then does not reconnect
  // a dropped connection (its `done` gets the connection's error). Many appends may be in
  // flight at once on the one connection, and the broker writes concurrent appends together;
  // appends to one stream are applied in the order they were sent, so a chain of exact
  // expected revisions may be sent without waiting.
  using AppendCallback = absl::AnyInvocable<void(absl::StatusOr<AppendResult>) &&>;
  void AppendAsync(std::string_view stream, int64_t expected_revision,
                   std::vector<EventToAppend> events, AppendCallback done);
  // A stream's events from `from` (backwards: -1 = its end). Errors: STREAM_NOT_FOUND;
  // INVALID_REQUEST (limit not in 1..10000); CORRUPT_MESSAGE (a stored batch whose CRC-32C
  // does not match: this client decodes and checks what the broker read); the connection's.
  absl::StatusOr<EventPage> ReadStream(std::string_view stream, int64_t from = 0,
                                       int32_t limit = 1000, bool backwards = false);
  // Every stream's events in the global order from position `from`, optionally filtered by
  // category (streams "<value>-...") or event type. Errors: as ReadStream's.
  absl::StatusOr<EventPage> ReadAll(int64_t from = 0, int32_t limit = 1000,
                                    EventFilter filter = EventFilter::kNone,
                                    std::string_view filter_value = "");

  // Saves a snapshot of the stream's state at `revision`. Errors: STREAM_NOT_FOUND;
  // INVALID_REQUEST (revision past the stream's last); the connection's.
  absl::Status SaveSnapshot(std::string_view stream, int64_t revision, std::string_view data);
  // The latest snapshot and up to `limit` events after it, in one call: when
  // events.next <= events.head there are more; read them with ReadStream(stream, events.next).
  // Errors: as ReadStream's (STREAM_NOT_FOUND for a stream with no events yet).
  absl::StatusOr<StreamSnapshot> LoadSnapshot(std::string_view stream, int32_t limit = 10000);

  // Soft-deletes the stream; returns its last revision (a later append goes on after it).
  // Errors: STREAM_NOT_FOUND; WRONG_EXPECTED_VERSION; the connection's.
  absl::StatusOr<int64_t> DeleteStream(std::string_view stream,
                                       int64_t expected_revision = kExpectAny);
  // Hides the stream's events below `before`. Errors: as DeleteStream's; INVALID_REQUEST.
  absl::StatusOr<int64_t> TruncateStream(std::string_view stream, int64_t before,
                                         int64_t expected_revision = kExpectAny);

  // Starts a subscription (nothing is read until Next()). A named one starts at its checkpoint
  // when it has one. Errors: INVALID_REQUEST; the connection's.
  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(SubscriptionOptions options);
  // A named subscription's checkpoint: stores `position` when >= 0; returns the stored one.
  absl::StatusOr<std::optional<int64_t>> Checkpoint(std::string_view name, int64_t position = -1);

 private:
  friend class Subscription;
  class Impl;
  explicit EventStore(std::unique_ptr<Impl> impl);
  // The request of an append (ids left empty in `events` are filled in, for retries).
  EventAppendRequest AppendRequestOf(std::string_view stream, int64_t expected_revision,
                                     std::vector<EventToAppend>& events) const;
  absl::StatusOr<EventPage> Read(EventReadRequest request);
  // Sends the read now; Subscription::Next takes its answer.
  std::unique_ptr<event_store_internal::PendingRead> ReadAhead(EventReadRequest request);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook
