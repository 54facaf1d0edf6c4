#include "client/event_store.h"

#include <algorithm>
#include <cstdlib>
#include <future>

#include "client/connection.h"
#include "client/consumer_record.h"
#include "fmt/format.h"
#include "protocol/event_id.h"
#include "protocol/event_record.h"

namespace brook {
namespace {

StoredEvent StoredEventOf(const EventRecord& event) {
  return StoredEvent{.stream = std::string(event.stream),
                     .revision = event.revision,
                     .position = event.position,
                     .id = std::string(event.id),
                     .type = std::string(event.type),
                     .content_type = std::string(event.content_type),
                     .data = std::string(event.data),
                     .metadata = std::string(event.metadata),
                     .timestamp_ms = event.timestamp_ms};
}

// Moves the event's strings; copies data and metadata (views of the response frame).
StoredEvent FromWire(RecordedEvent&& event) {
  return StoredEvent{std::move(event.stream),       event.revision,
                     event.position,                std::move(event.id),
                     std::move(event.type),         std::move(event.content_type),
                     std::string(event.data),       std::string(event.metadata),
                     event.timestamp_ms};
}

EventPage PageOf(std::vector<RecordedEvent>&& events, int64_t next, int64_t head) {
  EventPage page;
  page.events.reserve(events.size());
  for (RecordedEvent& event : events) page.events.push_back(FromWire(std::move(event)));
  page.next = next;
  page.head = head;
  return page;
}

// The page a read of `stream` answered: its events, or the events of its record batches
// that it selected (EventSelection). Errors: CORRUPT_MESSAGE (a batch whose CRC does not
// match).
absl::StatusOr<EventPage> PageOf(EventReadResponse&& response, std::string_view stream,
                                 bool backwards) {
  EventPage page = PageOf(std::move(response.events), response.next, response.head);
  if (response.records.empty()) return page;
  const EventSelection taken{stream, response.first, response.end, backwards};
  page.events.reserve(static_cast<size_t>(std::abs(response.end - response.first)));
  absl::Status decoded = ForEachEvent(response.records, [&](const EventRecord& event) {
    if (taken.Takes(event)) page.events.push_back(StoredEventOf(event));
  });
  if (!decoded.ok()) return decoded;
  if (backwards) {  // The batches come last first, each holding its events in order.
    std::sort(page.events.begin(), page.events.end(),
              [](const StoredEvent& a, const StoredEvent& b) { return a.revision > b.revision; });
  }
  return page;
}

}  // namespace

namespace event_store_internal {
struct PendingRead {
  std::string stream;
  bool backwards = false;
  std::future<absl::StatusOr<client::Reply<EventReadResponse>>> reply;
};
}  // namespace event_store_internal

class EventStore::Impl {
 public:
  explicit Impl(EventStoreOptions options)
      : options_(std::move(options)),
        connection_(client::ClientConnectionOptions(options_.bootstrap, options_.client_id,
                                                    options_.request_timeout)) {}

  absl::Status Connect() { return connection_.Connect(); }
  void Close() { connection_.Close(); }

  // Sends `request` (reconnecting first if the connection dropped) and waits for the answer,
  // `extra` longer than the request timeout (a long poll's wait).
  template <class Req>
  absl::StatusOr<client::Reply<typename Req::Response>> Call(
      const Req& request, std::chrono::milliseconds extra = std::chrono::milliseconds(0)) {
    if (absl::Status s = connection_.Connect(); !s.ok()) return s;
    return connection_.Call(request, options_.request_timeout + extra);
  }

  // Sends `request` (reconnecting first if the connection dropped, unless called from a
  // callback on the I/O thread, which cannot wait for that); `done` gets the answer on the
  // connection's I/O thread.
  template <class Req>
  void CallAsync(const Req& request, std::chrono::milliseconds extra,
                 absl::AnyInvocable<void(absl::StatusOr<client::Reply<typename Req::Response>>)>
                     done) {
    if (!connection_.InIoThread()) {
      if (absl::Status s = connection_.Connect(); !s.ok()) return done(s);
    }
    connection_.CallAsync(request, options_.request_timeout + extra, std::move(done));
  }

  const EventStoreOptions& options() const { return options_; }

 private:
  const EventStoreOptions options_;
  client::Connection connection_;
};

std::optional<StoredEvent> EventFromRecord(const ConsumerRecord& record) {
  std::optional<EventRecord> event =
      ReadEventRecord(record.key, record.value, record.headers, record.timestamp_ms);
  if (!event) return std::nullopt;
  return StoredEventOf(*event);
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Create(EventStoreOptions options) {
  if (options.request_timeout.count() <= 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "EventStoreOptions.request_timeout must be positive");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status s = impl->Connect(); !s.ok()) return s;
  return std::unique_ptr<EventStore>(new EventStore(std::move(impl)));
}

EventStore::EventStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventStore::~EventStore() { impl_->Close(); }

EventAppendRequest EventStore::AppendRequestOf(std::string_view stream, int64_t expected_revision,
                                               std::vector<EventToAppend>& events) const {
  EventAppendRequest request;
  request.store = impl_->options().store;
  request.stream = std::string(stream);
  request.expected_revision = expected_revision;
  request.acks = impl_->options().acks;
  request.timeout_ms = static_cast<int32_t>(impl_->options().request_timeout.count());
  for (EventToAppend& event : events) {
    if (event.id.empty()) event.id = FormatEventId(NewEventId());
    request.events.push_back(
        {event.id, event.type, event.content_type, event.data, event.metadata});
  }
  return request;
}

namespace {

absl::StatusOr<AppendResult> AppendResultOf(
    const absl::StatusOr<client::Reply<EventAppendResponse>>& reply) {
  if (!reply.ok()) return reply.status();
  const EventAppendResponse& response = reply->message;
  if (response.error_code != ErrorCode::kNone) {
    const std::string message = response.error_message.value_or(
        std::string(ErrorDescription(response.error_code)));
    if (response.error_code == ErrorCode::kWrongExpectedVersion) {
      return WrongExpectedVersionError(message, response.actual_revision);
    }
    return MakeError(response.error_code, message);
  }
  return AppendResult{response.first_revision, response.actual_revision, response.first_position,
                      response.last_position, response.duplicate};
}

}  // namespace

absl::StatusOr<AppendResult> EventStore::Append(std::string_view stream,
                                                int64_t expected_revision,
                                                std::vector<EventToAppend> events) {
  return AppendResultOf(impl_->Call(AppendRequestOf(stream, expected_revision, events)));
}

void EventStore::AppendAsync(std::string_view stream, int64_t expected_revision,
                             std::vector<EventToAppend> events, AppendCallback done) {
  impl_->CallAsync(AppendRequestOf(stream, expected_revision, events),
                   std::chrono::milliseconds(0),
                   [done = std::move(done)](
                       absl::StatusOr<client::Reply<EventAppendResponse>> reply) mutable {
                     std::move(done)(AppendResultOf(reply));
                   });
}

absl::StatusOr<EventPage> EventStore::Read(EventReadRequest request) {
  std::unique_ptr<event_store_internal::PendingRead> read = ReadAhead(std::move(request));
  absl::StatusOr<client::Reply<EventReadResponse>> reply = read->reply.get();
  if (!reply.ok()) return reply.status();
  return PageOf(std::move(reply->message), read->stream, read->backwards);
}

std::unique_ptr<event_store_internal::PendingRead> EventStore::ReadAhead(
    EventReadRequest request) {
  request.store = impl_->options().store;
  request.batches = true;
  auto read = std::make_unique<event_store_internal::PendingRead>();
  read->stream = request.stream;
  read->backwards = request.backwards;
  auto promise = std::make_shared<std::promise<absl::StatusOr<client::Reply<EventReadResponse>>>>();
  read->reply = promise->get_future();
  impl_->CallAsync(request, std::chrono::milliseconds(request.max_wait_ms),
                   [promise](absl::StatusOr<client::Reply<EventReadResponse>> reply) {
                     promise->set_value(std::move(reply));
                   });
  return read;
}

absl::StatusOr<EventPage> EventStore::ReadStream(std::string_view stream, int64_t from,
                                                 int32_t limit, bool backwards) {
  EventReadRequest request;
  request.stream = std::string(stream);
  request.from = from;
  request.limit = limit;
  request.backwards = backwards;
  return Read(std::move(request));
}

absl::StatusOr<EventPage> EventStore::ReadAll(int64_t from, int32_t limit, EventFilter filter,
                                              std::string_view filter_value) {
  EventReadRequest request;
  request.stream = std::string(kAllStream);
  request.from = from;
  request.limit = limit;
  request.filter = static_cast<int8_t>(filter);
  request.filter_value = std::string(filter_value);
  return Read(std::move(request));
}

absl::Status EventStore::SaveSnapshot(std::string_view stream, int64_t revision,
                                      std::string_view data) {
  EventSnapshotSaveRequest request;
  request.store = impl_->options().store;
  request.stream = std::string(stream);
  request.revision = revision;
  request.data = data;
  request.acks = impl_->options().acks;
  return impl_->Call(request).status();
}

absl::StatusOr<StreamSnapshot> EventStore::LoadSnapshot(std::string_view stream, int32_t limit) {
  EventSnapshotLoadRequest request;
  request.store = impl_->options().store;
  request.stream = std::string(stream);
  request.limit = limit;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  EventSnapshotLoadResponse& response = reply->message;
  StreamSnapshot snapshot;
  if (response.found) {
    snapshot.revision = response.revision;
    snapshot.data = std::string(response.data);
  }
  snapshot.events = PageOf(std::move(response.events), response.next, response.head);
  return snapshot;
}

absl::StatusOr<int64_t> EventStore::DeleteStream(std::string_view stream,
                                                 int64_t expected_revision) {
  return TruncateStream(stream, -1, expected_revision);
}

absl::StatusOr<int64_t> EventStore::TruncateStream(std::string_view stream, int64_t before,
                                                   int64_t expected_revision) {
  EventStreamDeleteRequest request;
  request.store = impl_->options().store;
  request.stream = std::string(stream);
  request.expected_revision = expected_revision;
  request.truncate_before = before;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  return reply->message.revision;
}

absl::StatusOr<std::optional<int64_t>> EventStore::Checkpoint(std::string_view name,
                                                              int64_t position) {
  EventCheckpointRequest request;
  request.store = impl_->options().store;
  request.name = std::string(name);
  request.position = position;
  auto reply = impl_->Call(request);
  if (!reply.ok()) return reply.status();
  if (!reply->message.found) return std::nullopt;
  return reply->message.position;
}

absl::StatusOr<std::unique_ptr<Subscription>> EventStore::Subscribe(SubscriptionOptions options) {
  if (options.batch < 1 || options.max_wait.count() < 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "a subscription needs batch >= 1 and a max_wait >= 0");
  }
  int64_t from = options.from;
  if (!options.name.empty()) {
    absl::StatusOr<std::optional<int64_t>> checkpoint = Checkpoint(options.name);
    if (!checkpoint.ok()) return checkpoint.status();
    if (checkpoint->has_value()) from = **checkpoint;
  }
  return std::unique_ptr<Subscription>(new Subscription(*this, std::move(options), from));
}

EventReadRequest Subscription::ReadFrom(int64_t from) const {
  EventReadRequest request;
  request.stream = options_.stream;
  request.from = from;
  request.limit = options_.batch;
  request.filter = static_cast<int8_t>(options_.filter);
  request.filter_value = options_.filter_value;
  request.max_wait_ms = static_cast<int32_t>(options_.max_wait.count());
  return request;
}

Subscription::Subscription(EventStore& store, SubscriptionOptions options, int64_t next)
    : store_(store), options_(std::move(options)), next_(next) {}

Subscription::~Subscription() = default;

absl::StatusOr<std::vector<StoredEvent>> Subscription::Next() {
  std::unique_ptr<event_store_internal::PendingRead> read =
      ahead_ ? std::move(ahead_) : store_.ReadAhead(ReadFrom(next_));
  absl::StatusOr<client::Reply<EventReadResponse>> reply = read->reply.get();
  if (!reply.ok()) return reply.status();
  EventReadResponse& response = reply->message;
  // Catching up: ask for what follows before decoding this answer, so that the broker reads
  // it meanwhile.
  if (response.next <= response.head) ahead_ = store_.ReadAhead(ReadFrom(response.next));
  absl::StatusOr<EventPage> page = PageOf(std::move(response), read->stream, read->backwards);
  if (!page.ok()) {
    ahead_.reset();  // The next Next() reads this page again, not the one after it.
    return page.status();
  }
  next_ = std::max(next_, page->next);
  return std::move(page->events);
}

absl::Status Subscription::Commit() { return CommitAt(next_); }

absl::Status Subscription::CommitThrough(const StoredEvent& last) {
  return CommitAt((options_.stream == kAllStream ? last.position : last.revision) + 1);
}

absl::Status Subscription::CommitAt(int64_t position) {
  if (options_.name.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "only a named subscription has a checkpoint");
  }
  return store_.Checkpoint(options_.name, position).status();
}

}  // namespace brook
