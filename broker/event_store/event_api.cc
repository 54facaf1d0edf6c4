#include "broker/event_store/event_api.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/handlers/wait_durable.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/event_id.h"
#include "protocol/expected_revision.h"
#include "storage/event_store/event_store.h"

namespace brook::event_api {
namespace asio = boost::asio;
namespace {

using storage::events::Event;
using storage::events::EventSlice;
using storage::events::EventStore;

// Appends through the store's queue (group commit) without blocking this io thread: the
// append's outcome resumes the handler on its own executor, whichever thread wrote it, and
// when this thread is the store's writer it writes each further pass after what else waits
// for it (a post), so its connections are served between passes.
asio::awaitable<absl::StatusOr<storage::events::AppendOutcome>> AppendQueued(
    EventStore& events, std::string_view store, const storage::events::AppendRequest& append) {
  using Outcome = absl::StatusOr<storage::events::AppendOutcome>;
  return asio::async_initiate<decltype(asio::use_awaitable), void(Outcome)>(
      [&events, store, &append](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        events.AppendQueued(
            store, append,
            [handler = std::move(handler)](Outcome outcome) mutable {
              auto executor = asio::get_associated_executor(handler);
              asio::post(executor, [handler = std::move(handler),
                                    outcome = std::move(outcome)]() mutable {
                std::move(handler)(std::move(outcome));
              });
            },
            [executor](absl::AnyInvocable<void() &&> pass) {
              asio::post(executor, [pass = std::move(pass)]() mutable { std::move(pass)(); });
            });
      },
      asio::use_awaitable);
}

absl::Status CheckAcks(int16_t acks) {
  if (acks == kAcksNone || acks == kAcksLeader || acks == kAcksAll) return absl::OkStatus();
  return MakeError(ErrorCode::kInvalidRequiredAcks,
                   fmt::format("acks={} is not valid: use 0, 1 or -1 (all)", acks));
}

std::chrono::milliseconds SyncTimeout(int32_t timeout_ms) {
  return std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 30000);
}

RecordedEvent ToWire(Event&& event, RequestScope& scope) {
  RecordedEvent out;
  out.stream = std::move(event.stream);
  out.revision = event.revision;
  out.position = event.position;
  out.id = std::move(event.id);
  out.type = std::move(event.type);
  out.content_type = std::move(event.content_type);
  out.data = scope.buffers.emplace_back(std::move(event.data));
  out.metadata = scope.buffers.emplace_back(std::move(event.metadata));
  out.timestamp_ms = event.timestamp_ms;
  return out;
}

std::vector<RecordedEvent> ToWire(std::vector<Event>&& events, RequestScope& scope) {
  std::vector<RecordedEvent> out;
  out.reserve(events.size());
  for (Event& event : events) out.push_back(ToWire(std::move(event), scope));
  return out;
}

// The append's errors go in the response, as Produce's per-partition errors do.
void SetError(const absl::Status& status, EventAppendResponse& response) {
  response.error_code = CodeOf(status);
  response.error_message = std::string(MessageOf(status));
  if (auto actual = ActualRevisionOf(status)) response.actual_revision = *actual;
}

absl::StatusOr<storage::events::AllFilterKind> FilterOf(const EventReadRequest& request) {
  switch (static_cast<EventFilter>(request.filter)) {
    case EventFilter::kNone:
      return storage::events::AllFilterKind::kNone;
    case EventFilter::kCategory:
      return storage::events::AllFilterKind::kCategory;
    case EventFilter::kEventType:
      return storage::events::AllFilterKind::kEventType;
  }
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("filter {} is not 0 (none), 1 (category) or 2 (event type)",
                               request.filter));
}

absl::Status CheckRead(const EventReadRequest& request) {
  const bool all = request.stream == kAllStream;
  if (!all && request.filter != static_cast<int8_t>(EventFilter::kNone)) {
    return MakeError(ErrorCode::kInvalidRequest, "filters apply to $all only");
  }
  if (all && request.backwards) {
    return MakeError(ErrorCode::kInvalidRequest, "$all is read forwards only");
  }
  return FilterOf(request).status();
}

EventReadResponse ToWire(storage::events::EventBatches&& page, RequestScope& scope) {
  EventReadResponse response;
  response.first = page.first;
  response.end = page.end;
  response.records = scope.buffers.emplace_back(std::move(page.records));
  response.next = page.next;
  response.head = page.head;
  return response;
}

EventReadResponse ToWire(EventSlice&& slice, RequestScope& scope) {
  EventReadResponse response;
  response.events = ToWire(std::move(slice.events), scope);
  response.next = slice.next;
  response.head = slice.head;
  return response;
}

// One read, no wait, answered as the request asks: events, or the batches holding them (a
// stream's read, an unfiltered $all read). A stream that does not exist reads as empty when
// `absent_is_empty`.
absl::StatusOr<EventReadResponse> ReadOnce(const EventStore& events,
                                           const EventReadRequest& request, int64_t from,
                                           bool absent_is_empty, RequestScope& scope) {
  const storage::events::StreamReadOptions stream_read{
      .from = from, .backwards = request.backwards, .limit = request.limit};
  if (request.stream == kAllStream) {
    const storage::events::AllFilterKind filter = *FilterOf(request);
    if (request.batches && filter == storage::events::AllFilterKind::kNone) {
      absl::StatusOr<storage::events::EventBatches> page =
          events.ReadAllBatches(request.store, from, request.limit);
      if (!page.ok()) return page.status();
      return ToWire(*std::move(page), scope);
    }
    absl::StatusOr<EventSlice> slice = events.ReadAll(request.store, {.from = from,
                                                                      .limit = request.limit,
                                                                      .filter = filter,
                                                                      .filter_value =
                                                                          request.filter_value});
    if (!slice.ok()) return slice.status();
    return ToWire(*std::move(slice), scope);
  }
  if (request.batches) {
    absl::StatusOr<storage::events::EventBatches> page =
        events.ReadStreamBatches(request.store, request.stream, stream_read);
    if (absent_is_empty && CodeOf(page.status()) == ErrorCode::kStreamNotFound) {
      page = storage::events::EventBatches{
          .records = {}, .first = from, .end = from, .next = from};
    }
    if (!page.ok()) return page.status();
    return ToWire(*std::move(page), scope);
  }
  absl::StatusOr<EventSlice> slice = events.ReadStream(request.store, request.stream, stream_read);
  if (absent_is_empty && CodeOf(slice.status()) == ErrorCode::kStreamNotFound) {
    slice = EventSlice{{}, from, -1};
  }
  if (!slice.ok()) return slice.status();
  return ToWire(*std::move(slice), scope);
}

}  // namespace

HandlerResult<EventAppendResponse> Append(BrokerContext& ctx, const EventAppendRequest& request,
                                          RequestScope&) {
  if (absl::Status s = CheckAcks(request.acks); !s.ok()) co_return s;
  EventAppendResponse response;
  std::vector<storage::events::NewEvent> events;
  events.reserve(request.events.size());
  for (const EventAppendRequest::Event& event : request.events) {
    storage::events::NewEvent& out = events.emplace_back();
    if (!event.id.empty()) {
      absl::StatusOr<std::string> id = ParseEventId(event.id);
      if (!id.ok()) {
        SetError(id.status(), response);
        co_return response;
      }
      out.id = *std::move(id);
    }
    out.type = event.type;
    out.content_type = event.content_type;
    out.data = event.data;
    out.metadata = event.metadata;
  }
  const storage::events::AppendRequest append{request.stream, request.expected_revision, events};
  absl::StatusOr<storage::events::AppendOutcome> outcome =
      co_await AppendQueued(*ctx.events, request.store, append);
  if (!outcome.ok()) {
    SetError(outcome.status(), response);
    co_return response;
  }
  response.actual_revision = outcome->last_revision;
  response.first_revision = outcome->first_revision;
  response.first_position = outcome->first_position;
  response.last_position = outcome->last_position;
  response.duplicate = outcome->duplicate;
  if (request.acks == kAcksAll) {
    // A duplicate waits too: its first append may not be fsynced yet.
    absl::Status durable = co_await WaitDurable(ctx.store, SyncTimeout(request.timeout_ms));
    if (!durable.ok()) SetError(durable, response);
  }
  co_return response;
}

HandlerResult<EventReadResponse> Read(BrokerContext& ctx, const EventReadRequest& request,
                                      RequestScope& scope) {
  if (absl::Status s = CheckRead(request); !s.ok()) co_return s;
  const bool may_wait = request.max_wait_ms > 0 && !request.backwards;
  const auto max_wait = std::clamp(std::chrono::milliseconds(request.max_wait_ms),
                                   std::chrono::milliseconds(0), ctx.config.max_fetch_wait);
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  const auto executor = co_await asio::this_coro::executor;
  auto wait = std::make_shared<FetchWait>(executor);
  std::unique_ptr<FetchWaiters::Registration> registration;
  int64_t from = request.from;
  for (;;) {
    absl::StatusOr<EventReadResponse> response =
        ReadOnce(*ctx.events, request, from, may_wait, scope);
    if (!response.ok()) co_return response.status();
    if (!response->events.empty() || !response->records.empty() || !may_wait ||
        ctx.shutting_down.load() || std::chrono::steady_clock::now() >= deadline) {
      co_return std::move(response);
    }
    from = response->next;  // A filter may have looked past events it skipped.
    if (!registration) {
      // Register, then read again: an append in between would otherwise go unnoticed.
      registration = ctx.waiters.Register(
          wait, {TopicPartition{std::string(EventStore::StoreName(request.store)), kAppendWatch}});
      continue;
    }
    co_await FetchWaiters::Sleep(*wait, deadline);
  }
}

HandlerResult<EventSnapshotSaveResponse> SaveSnapshot(BrokerContext& ctx,
                                                      const EventSnapshotSaveRequest& request,
                                                      RequestScope&) {
  if (absl::Status s = CheckAcks(request.acks); !s.ok()) co_return s;
  if (absl::Status s =
          ctx.events->SaveSnapshot(request.store, request.stream, request.revision, request.data);
      !s.ok()) {
    co_return s;
  }
  if (request.acks == kAcksAll) {
    if (absl::Status s = co_await WaitDurable(ctx.store, SyncTimeout(0)); !s.ok()) co_return s;
  }
  co_return EventSnapshotSaveResponse{};
}

HandlerResult<EventSnapshotLoadResponse> LoadSnapshot(BrokerContext& ctx,
                                                      const EventSnapshotLoadRequest& request,
                                                      RequestScope& scope) {
  absl::StatusOr<storage::events::SnapshotLoad> load =
      ctx.events->LoadSnapshot(request.store, request.stream, request.limit);
  if (!load.ok()) co_return load.status();
  EventSnapshotLoadResponse response;
  if (load->snapshot) {
    response.found = true;
    response.revision = load->snapshot->revision;
    response.data = scope.buffers.emplace_back(std::move(load->snapshot->data));
  }
  response.events = ToWire(std::move(load->events.events), scope);
  response.next = load->events.next;
  response.head = load->events.head;
  co_return response;
}

HandlerResult<EventStreamDeleteResponse> DeleteStream(BrokerContext& ctx,
                                                      const EventStreamDeleteRequest& request,
                                                      RequestScope&) {
  absl::StatusOr<int64_t> revision =
      request.truncate_before < 0
          ? ctx.events->DeleteStream(request.store, request.stream, request.expected_revision)
          : ctx.events->TruncateStream(request.store, request.stream, request.truncate_before,
                                       request.expected_revision);
  if (!revision.ok()) co_return revision.status();
  co_return EventStreamDeleteResponse{*revision};
}

HandlerResult<EventCheckpointResponse> Checkpoint(BrokerContext& ctx,
                                                  const EventCheckpointRequest& request,
                                                  RequestScope&) {
  if (request.position >= 0) {
    if (absl::Status s = ctx.events->SetCheckpoint(request.store, request.name, request.position);
        !s.ok()) {
      co_return s;
    }
  }
  absl::StatusOr<std::optional<int64_t>> checkpoint =
      ctx.events->GetCheckpoint(request.store, request.name);
  if (!checkpoint.ok()) co_return checkpoint.status();
  co_return EventCheckpointResponse{checkpoint->has_value(), checkpoint->value_or(-1)};
}

}  // namespace brook::event_api
