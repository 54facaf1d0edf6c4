// bench/peers/peer_workloads.h: brook's `produce`, `consume` and `group-consume` workloads
// (bench/workload.h) run against a peer broker through a PeerDriver, timed the same way and
// reported as the same RunResult, so `brook bench compare` can set them side by side.
//
// Each takes a stream the caller made with driver.CreateStream (and drops afterwards), and
// reads the same WorkloadOptions fields as brook's workload: records, value_size, key_count,
// producers, consumers. Values and keys come from ValuePool (bench/value_pool.h).
// Thread-safety: each call runs its own threads and connections; calls are independent.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "bench/peers/peer_driver.h"
#include "bench/workload.h"

namespace brook::bench {

// How the peer clients batch: the counterpart of brook's batch_bytes / max_in_flight / fetch size.
struct PeerSettings {
  ProducerSettings producer;
  int consume_batch = 1000;  // Records per read (XREAD COUNT, Fetch batch).
};

// options.producers producers (one connection and thread each) send their share of
// options.records records to `stream`, then flush; the clock runs from the first Send to the
// last acknowledgement. Refused records are RunResult::errors. Errors: a producer cannot
// connect, or a connection fails during the run.
absl::StatusOr<RunResult> RunPeerProduce(PeerDriver& driver, const std::string& stream,
                                         const WorkloadOptions& options,
                                         const PeerSettings& settings);

// Fills `stream` (untimed, with RunPeerProduce), then one plain reader reads every record from
// the beginning; the clock runs from its first Poll to the last record. Errors: as
// RunPeerProduce; INTERNAL when records were refused while filling or the reader stalls (nothing
// for 10 s); the reader's errors.
absl::StatusOr<RunResult> RunPeerConsume(PeerDriver& driver, const std::string& stream,
                                         const WorkloadOptions& options,
                                         const PeerSettings& settings);

// RunPeerProduce and, at the same time, one plain reader of `stream` from its beginning; the
// clock runs from the first send until the reader has every record. Errors: as RunPeerConsume.
absl::StatusOr<RunResult> RunPeerMixed(PeerDriver& driver, const std::string& stream,
                                       const WorkloadOptions& options,
                                       const PeerSettings& settings);

// Fills `stream` (untimed), makes a group on it, then options.consumers members (one connection
// and thread each) share its records, acknowledging each batch; the clock runs from the moment
// the first member is connected to the last record any member receives. Errors: as
// RunPeerConsume; a member's error; INTERNAL when the group has not read everything in 5 min.
absl::StatusOr<RunResult> RunPeerGroupConsume(PeerDriver& driver, const std::string& stream,
                                              const WorkloadOptions& options,
                                              const PeerSettings& settings);

}  // namespace brook::bench
