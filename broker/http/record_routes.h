// broker/http/record_routes.h: a topic's records over HTTP, for the web console and scripts
// (docs/http-api.md).
//
//   GET  /api/v1/topics/{topic}/records?partition=P&offset=N&limit=L
//        (or timestamp=MS: from the first record at or after it; or from=end: the last L)
//        -> {"topic","partition","log_start","log_end","records":[{"offset","timestamp",
//            "key","value","headers":[{"key","value"}]}], "next_offset"}
//        limit is 1..500 (default 50); keys, values and header values follow json::Bytes; a
//        dead letter (protocol/dead_letters.h) also has "dead_letter": where it came from, why.
//   POST /api/v1/topics/{topic}/records   {"key","value","headers":{"k":"v"},"partition"}
//        -> 201 {"topic","partition","offset"}; appended with acks=all through the Produce
//        handler (the key picks the partition as brook's clients do, when none is given).
// Errors: UNKNOWN_TOPIC_OR_PARTITION (404), OFFSET_OUT_OF_RANGE and bad parameters (400), and
// the Produce handler's.
// Thread-safety: as the handlers.
#pragma once

namespace brook {
struct BrokerContext;
}

namespace brook::http {

class HttpRouter;

void AddRecordRoutes(HttpRouter& router, BrokerContext& ctx);

}  // namespace brook::http
