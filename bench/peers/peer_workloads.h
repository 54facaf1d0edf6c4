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

// The peer clients' batching in `brook bench compare`, the counterpart of brook's batch_bytes
// (256 KiB, about 2,000 records of 100 B), max_in_flight (5 requests) and fetch size. Chosen by
// measurement here (300,000 records, 1 to 3 runs each): Redis produced about 300-400k records/s
// at 200 to 2,000 records per write with 800 to 16,000 unanswered, no setting clearly ahead of
// the noise; NATS did no better with more than 2,000 unacknowledged (1,000-2,000: 172-190k/s;
// 4,000-16,000: 159-176k/s); reads of 5,000 gave NATS about 10% more than reads of 1,000 and 50%
// more than reads of 200, and Redis the same (about 1 M/s). The Kafka driver batches by its own
// settings (kafka_driver.h) and uses consume_batch only.
inline constexpr PeerSettings kPeerSettings{
    .producer = {.batch_records = 1000, .max_outstanding = 2000},
    .consume_batch = 5000,
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
