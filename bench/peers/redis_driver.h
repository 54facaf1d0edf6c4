// bench/peers/redis_driver.h: the PeerDriver for Redis Streams, over hiredis (libhiredis-dev).
//
// Mapping (one Redis stream per brook topic; Redis runs commands on one thread, so more streams
// would not make it faster):
//   produce        pipelined `XADD <stream> * v <value> [k <key>]`: batch_records commands per
//                  write, up to max_outstanding without a reply (a refused XADD counts as an
//                  error); the stream is created by its first XADD.
//   plain consume  `XREAD COUNT <batch> BLOCK <ms> STREAMS <stream> <last id>`: no server state.
//   group member   `XREADGROUP GROUP <group> <member> COUNT <batch> BLOCK <ms> STREAMS <stream> >`,
//                  then `XACK` of that batch's ids, pipelined with the next XREADGROUP (one round
//                  trip per batch, as brook's consumer commits asynchronously after each poll).
//                  CreateGroup is `XGROUP CREATE <stream> <group> 0 MKSTREAM`.
//   delete         `DEL <stream>`.
// Each producer and consumer has its own connection; socket reads time out after 60 s.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bench/peers/peer_driver.h"

namespace brook::bench {

// Connects the setup connection. Errors: UNAVAILABLE when the server cannot be reached.
absl::StatusOr<std::unique_ptr<PeerDriver>> ConnectRedis(const std::string& host, int port);

}  // namespace brook::bench
