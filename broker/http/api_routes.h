// broker/http/api_routes.h: brook's protocol over HTTP/JSON, for scripts and the web console
// (docs/http-api.md).
//
//   GET  /api/v1                       the APIs served here: [{"name":"Metadata","key":3},...]
//   POST /api/v1/{Api}                 one request of brook's protocol (docs/protocol.md, §6),
//                                      as JSON (protocol/json/message_json.h), answered as JSON
//   GET  /api/v1/topics/{t}/records    browse a partition: ?partition=P and one of offset=N,
//                                      timestamp=MS or from=end (the last `limit`), limit<=500
//   POST /api/v1/topics/{t}/records    produce one record {"key","value","headers","partition"}
//
// The generic route serves the administrative and read APIs (Metadata, ListOffsets, topics,
// configs, groups, offsets, dead letters) and the event store's (EventAppend, EventRead with
// its long poll, snapshots, delete, checkpoints: docs/event-store.md); a group member's APIs (JoinGroup, Heartbeat, ...),
// the test controls and raw Produce/Fetch stay on the binary protocol. Each request runs the
// same handler (handlers/handlers.h) a brook client's does, so its checks, errors and effects
// (a rebalance, a woken fetch) are the same.
// Thread-safety: the routes run on network threads and share `ctx` as the handlers do.
#pragma once

namespace brook {
struct BrokerContext;
}

namespace brook::http {

class HttpRouter;

void AddApiRoutes(HttpRouter& router, BrokerContext& ctx);

}  // namespace brook::http
