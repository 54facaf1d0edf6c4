// bench/peers/nats_driver.h: the PeerDriver for NATS JetStream, over the NATS C client
// (libnats-dev).
//
// Mapping (one JetStream stream per brook topic, file storage, one replica):
//   stream         `<stream>` with subjects `<stream>.>`; records go to `<stream>.r`, or
//                  `<stream>.k.<key>` when they have a key (NATS routes by subject).
//   produce        js_PublishAsync with at most max_outstanding publishes unacknowledged
//                  (jsOptions.PublishAsync.MaxPending); the C client coalesces writes on its
//                  own flusher thread, so batch_records only matters as batch_records = 1,
//                  which asks the client to send each publish at once (SendAsap). Flush is
//                  js_PublishAsyncComplete; a negative PubAck counts as an error.
//   plain consume  a pull consumer with AckPolicy All: each Fetch of up to `batch` records is
//                  acknowledged by acking its last record (one ack per batch, as NATS suggests
//                  for a single puller).
//   group member   the members bind to one durable pull consumer with AckPolicy Explicit and
//                  ack every record (an async publish, no round trip). AckAll is not used here:
//                  one member's ack would also acknowledge records other members still hold.
//                  Both consumer kinds raise MaxAckPending to 20,000 (the server's default is
//                  1,000, less than one fetch of the compare's 5,000), so that limit does not
//                  throttle the fetches.
// Each producer and consumer has its own connection.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "bench/peers/peer_driver.h"

namespace brook::bench {

// Connects the setup connection and its JetStream context. Errors: UNAVAILABLE when the
// server cannot be reached.
absl::StatusOr<std::unique_ptr<PeerDriver>> ConnectNats(const std::string& host, int port);

}  // namespace brook::bench
