// broker/event_store/event_api.h: the event store's operations as the broker serves them,
// one function per operation over the protocol's request and response structs
// (protocol/messages.h, EventAppend .. EventCheckpoint). brook's protocol handler routes to
// them (brook_handler.cc); another front end (HTTP) calls them the same way with a request it
// built. Each runs on the caller's executor (an io thread); waits (acks=all fsync, a read's
// long poll) never block the thread.
//
//   EventAppendRequest request{.stream = "account-1", .expected_revision = kExpectNoStream};
//   request.events.push_back({.type = "Opened", .data = R"({"owner":"ann"})"});
//   absl::StatusOr<EventAppendResponse> r = co_await event_api::Append(ctx, request, scope);
//
// Errors as a Status are the request's own (bad acks, a bad limit, an unknown store ...);
// EventAppend answers the append's errors in its response (error_code, with actual_revision
// for WRONG_EXPECTED_VERSION). Responses' data and metadata point into `scope`'s buffers.
// REQUIRES: ctx.events is set.
#pragma once

#include "broker/handlers/handlers.h"

namespace brook::event_api {

// The FetchWaiters key that the event store's appends notify, per store topic: a read that
// waits for new events registers (store topic, kAppendWatch).
inline constexpr PartitionId kAppendWatch{-1};

// Appends the events (EventStore::Append), then with acks=all waits for the fsync. Errors:
// INVALID_REQUIRED_ACKS. In the response: INVALID_REQUEST (a bad event id, ...),
// WRONG_EXPECTED_VERSION, EVENT_ID_CONFLICT, NOT_AN_EVENT_STORE, UNKNOWN_TOPIC_OR_PARTITION,
// MESSAGE_TOO_LARGE, STORAGE_ERROR, REQUEST_TIMED_OUT (the fsync).
HandlerResult<EventAppendResponse> Append(BrokerContext& ctx, const EventAppendRequest& request,
                                          RequestScope& scope);
// Reads a stream or $all (with a filter). Forwards with max_wait_ms > 0, waits until there is
// an event to answer (a stream that does not exist yet: its first event), the time is up, or
// the broker stops. Errors: STREAM_NOT_FOUND (without a wait); INVALID_REQUEST (a limit
// not in 1..10000, a filter on a stream, an unknown filter, backwards on $all);
// NOT_AN_EVENT_STORE; UNKNOWN_TOPIC_OR_PARTITION; STORAGE_ERROR.
HandlerResult<EventReadResponse> Read(BrokerContext& ctx, const EventReadRequest& request,
                                      RequestScope& scope);
// Errors: those of EventStore::SaveSnapshot; INVALID_REQUIRED_ACKS; REQUEST_TIMED_OUT.
HandlerResult<EventSnapshotSaveResponse> SaveSnapshot(BrokerContext& ctx,
                                                      const EventSnapshotSaveRequest& request,
                                                      RequestScope& scope);
// Errors: those of EventStore::LoadSnapshot.
HandlerResult<EventSnapshotLoadResponse> LoadSnapshot(BrokerContext& ctx,
                                                      const EventSnapshotLoadRequest& request,
                                                      RequestScope& scope);
// Deletes (truncate_before -1) or truncates a stream. Errors: those of EventStore's
// DeleteStream and TruncateStream.
HandlerResult<EventStreamDeleteResponse> DeleteStream(BrokerContext& ctx,
                                                      const EventStreamDeleteRequest& request,
                                                      RequestScope& scope);
// Stores (position >= 0) and reads a named subscription's checkpoint. Errors: those of
// EventStore's SetCheckpoint and GetCheckpoint.
HandlerResult<EventCheckpointResponse> Checkpoint(BrokerContext& ctx,
                                                  const EventCheckpointRequest& request,
                                                  RequestScope& scope);

}  // namespace brook::event_api
