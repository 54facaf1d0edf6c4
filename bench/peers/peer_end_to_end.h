// bench/peers/peer_end_to_end.h: the end-to-end latency workload (bench/end_to_end.h) against a
// peer broker through its PeerDriver, measured exactly as brook's RunEndToEnd: the same
// schedule, stamps and histogram.
//
// The producer writes every record at once (batch_records = 1) with acknowledgements collected
// in the background; a plain reader receives. Thread-safety: runs its own two threads.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "bench/end_to_end.h"
#include "bench/peers/peer_driver.h"

namespace brook::bench {

// Sends options.total_records() records to `stream` (made by the caller with
// driver.CreateStream) on the schedule and receives them with one plain reader. Errors: a
// producer or reader cannot connect or fails; not every record arrives within 30 s of the
// schedule's end.
absl::StatusOr<EndToEndResult> RunPeerEndToEnd(PeerDriver& driver, const std::string& stream,
                                               const EndToEndOptions& options);

}  // namespace brook::bench
