// client/fetch_slot.h: the Consumer's Fetch in flight, and the one read ahead after it.
//
// Internal to client/ (consumer.cc). A FetchSlot is one Fetch request: what it asked for and,
// once answered, the answer, which the application thread waits for.
// Read-ahead: when the answer of a slot the application still holds arrives with no
// partition error, the I/O thread sends the next fetch at once (the same partitions, from
// where the answer ends, rotated by one as the consumer's own fetches are) and hangs it on
// the slot as `next`, before waking the application. The application adopts it when it
// still wants exactly those offsets (no seek, pause, assignment or generation change since);
// else it drops it and fetches itself. So Poll returns its records without first writing
// the next request, and the broker prepares the next answer while the application works.
// An answer whose slot nobody holds any more is dropped, and no read-ahead follows it.
//
// Concurrency: `mu` guards done, result and next; the request, offsets and generation are
// set before the slot is sent and only read after.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "client/connection.h"
#include "client/sync.h"
#include "protocol/messages.h"
#include "protocol/types.h"

namespace brook::client {

struct FetchSlot {
  Mutex mu;
  CondVar cv;
  bool done ABSL_GUARDED_BY(mu) = false;
  std::optional<absl::StatusOr<Reply<FetchResponse>>> result ABSL_GUARDED_BY(mu);
  std::shared_ptr<FetchSlot> next ABSL_GUARDED_BY(mu);  // The read-ahead, if one was sent.

  FetchRequest request;                       // As sent.
  std::map<TopicPartition, int64_t> offsets;  // What it asked for, per partition.
  int32_t generation = -1;                    // The member's generation when sent.
};

// A slot asking for the partitions of `order` from their offsets, in that order, with
// `request`'s other fields.
std::shared_ptr<FetchSlot> MakeFetchSlot(
    FetchRequest request, const std::vector<std::pair<TopicPartition, int64_t>>& order,
    int32_t partition_max_bytes, int32_t generation);

// Sends `slot`; its answer is delivered to it, after the read-ahead (see above) is sent with
// `read_ahead_wait` as its max wait. A fetch's timeout is its max wait + `request_timeout`.
void SendFetch(Connection& connection, const std::shared_ptr<FetchSlot>& slot,
               std::chrono::milliseconds request_timeout,
               std::chrono::milliseconds read_ahead_wait);

// The offsets after `response` answered a fetch of `asked`: per partition, past the last
// batch of its records (as Consumer positions move). nullopt when a partition has an error
// or its batches do not parse.
std::optional<std::map<TopicPartition, int64_t>> OffsetsAfter(
    const FetchResponse& response, const std::map<TopicPartition, int64_t>& asked);

}  // namespace brook::client
