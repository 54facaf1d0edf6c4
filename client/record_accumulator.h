// client/record_accumulator.h: the Producer's buffer of records, batched per partition.
//
// Internal to client/ (used by producer.cc and sender.cc).
//
// Operation: Append puts a record into the open batch of its (topic, partition), choosing the
// partition (explicit, by key, or sticky) from the topic's cached partition count; records
// of a topic whose count is not known yet wait in the topic's side queue until the sender's
// Metadata answer arrives. Per partition, batches form a queue in send order:
//   open -> ready (sealed) -> in flight -> done,   and in flight -> ready again on a retry.
// NextWork (the sender thread) seals lingered batches and hands out sendable ones grouped
// into request plans; OnProduceResponse / OnWritten (the I/O thread) settle them. With
// linger 0 the producer's own thread takes the plans its Send made sendable (TakeWork) and
// sends them, sparing a wake-up of the sender thread. One thread at a time holds drained
// plans until it has handed them to the connection (DoneSending), so requests reach the wire
// in the order they were drained. A partition
// whose head-of-line batch waits to be retried sends nothing newer until it has gone.
// Settled batches leave their queue from the front only, so callbacks keep send order per
// partition; RunCompletions runs them on the I/O thread, then releases their memory.
//
// Idempotence (ProducerOptions::idempotent(), client/idempotence.h): the accumulator also
// keeps the producer id (asked for by the sender, InitProducerId) and each partition's
// sequences. Drain stamps a batch when it first goes and keeps its stamp on retries; a retry
// goes alone and only while its partition has nothing in flight; at most kMaxInFlightBatches
// of a partition are in flight; a partition whose sequence broke waits for a new id.
//
// Flush epochs: every record belongs to the epoch current when it was appended; Flush starts
// a new epoch and waits until no unit (batch or waiting record) of an older epoch is left. A
// batch counts in the oldest epoch of its records.
//
// Concurrency: one mutex guards everything. A batch in flight is owned by its request: the
// sender finishes its bytes outside the lock, and nothing else touches them until the
// request settles. Lock order: this mutex, then the connection's (Post is never called with
// this mutex held, since Post may run its function inline).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/connection.h"
#include "client/idempotence.h"
#include "client/producer.h"
#include "client/sync.h"
#include "protocol/messages.h"
#include "protocol/record_batch.h"

namespace brook::client {

using Clock = std::chrono::steady_clock;

struct TopicState;
struct PartitionQueue;

struct ProducerBatch {
  enum class State { kOpen, kReady, kInFlight, kDone };
  struct Callback {
    int32_t index;  // Position of the record in the batch.
    int64_t timestamp_ms;
    SendCallback fn;
  };

  ProducerBatch(PartitionQueue* queue, Compression compression, uint64_t epoch,
                Clock::time_point created)
      : queue(queue), builder(compression), epoch(epoch), created(created) {}

  PartitionQueue* queue;  // Null for a record that failed before reaching a partition.
  RecordBatchBuilder builder;
  std::string bytes;  // The finished batch; set by the sender while the batch is in flight.
  int32_t record_count = 0;
  size_t reserved_bytes = 0;  // Counted against buffer_memory until completion.
  uint64_t epoch;
  Clock::time_point created;
  std::vector<Callback> callbacks;  // Only records that have a callback.

  // Idempotence: the stamp taken when the batch was first sent (kept on retries, renewed
  // only under a new producer id), the stamp its bytes carry (the sender's, while in flight),
  // and whether its last attempt got no answer, so it may be in the log.
  ProducerStamp stamp;
  ProducerStamp written;
  bool maybe_appended = false;

  State state = State::kOpen;
  int32_t attempts = 0;
  Clock::time_point retry_at{};
  absl::Status last_error;
  // Outcome, once kDone.
  absl::Status status;
  int64_t base_offset = -1;
};

struct PartitionQueue {
  TopicState* topic;
  int32_t partition;
  std::unique_ptr<ProducerBatch> open;
  std::deque<std::unique_ptr<ProducerBatch>> queue;  // Sealed batches in send order.
  PartitionSequence sequence;                         // Idempotence only.
};

// A record of a topic whose partition count is not known yet: owned copies.
struct WaitingRecord {
  std::optional<int32_t> partition;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  int64_t timestamp_ms;
  SendCallback callback;
  uint64_t epoch;
  size_t bytes;
  Clock::time_point created;
};

struct TopicState {
  std::string name;
  int32_t partition_count = -1;  // -1 until Metadata answers.
  std::vector<std::unique_ptr<PartitionQueue>> partitions;
  int32_t sticky = 0;
  std::deque<WaitingRecord> waiting;
  bool metadata_in_flight = false;
  bool refresh_metadata = false;  // Set by UNKNOWN_TOPIC_OR_PARTITION from a Produce.
  Clock::time_point metadata_retry_at{};
  int32_t metadata_attempts = 0;
};

// The batches of one partition that go into one request, in order.
struct PartitionPlan {
  PartitionQueue* queue;
  std::vector<ProducerBatch*> batches;
};
struct RequestPlan {
  std::vector<PartitionPlan> partitions;
};

class RecordAccumulator {
 public:
  // `post` runs a function on the I/O thread; `in_io_thread` tells whether the caller is it.
  RecordAccumulator(const ProducerOptions& options,
                    std::function<void(absl::AnyInvocable<void()>)> post,
                    std::function<bool()> in_io_thread);
  ~RecordAccumulator();

  // Producer::Send. Blocks while buffer_memory is exhausted (not on the I/O thread). With
  // `caller_sends` the caller calls TakeWork next, so the record's batch does not wake the
  // sender thread.
  void Append(const ProducerRecord& record, SendCallback callback, bool caller_sends = false);
  // Producer::Flush. Errors: INVALID_REQUEST when called on the I/O thread.
  absl::Status Flush();
  // Refuses new records; NextWork returns `stop` once nothing is left to complete.
  void Close();

  struct Work {
    bool stop = false;
    bool connect = false;  // Records are waiting and the connection is down.
    bool init_producer_id = false;  // Idempotence: ask the broker for a producer id.
    std::vector<std::string> metadata_topics;
    std::vector<RequestPlan> requests;
    bool empty() const {
      return !stop && !connect && !init_producer_id && metadata_topics.empty() &&
             requests.empty();
    }
  };
  // The sender's wait: blocks until there is something to do. `connected` is re-checked on
  // every wake-up. When `requests` is not empty, DoneSending must follow once they are sent.
  Work NextWork(const std::function<bool()>& connected);
  // The requests sendable now, for the calling thread to send; empty when another thread is
  // sending (it sends these after its own) or the connection is down (the sender thread is
  // woken to reconnect). When not empty, DoneSending must follow once they are sent.
  std::vector<RequestPlan> TakeWork(const std::function<bool()>& connected);
  // The drained requests are with the connection: another thread may drain. Wakes the sender
  // thread when records became sendable meanwhile.
  void DoneSending();
  // Sleeps until `deadline`, or until Close.
  void SleepUntil(Clock::time_point deadline);
  // Remembers why the last connect failed, for the messages of records that time out.
  void SetConnectError(absl::Status status);

  // Settle a request (I/O thread). They run completions before returning.
  void OnProduceResponse(RequestPlan plan, absl::StatusOr<Reply<ProduceResponse>> response);
  void OnWritten(RequestPlan plan, absl::Status status);
  void OnMetadata(std::vector<std::string> topics,
                  absl::StatusOr<Reply<MetadataResponse>> response);
  void OnProducerId(absl::StatusOr<Reply<InitProducerIdResponse>> response);

  // Runs the callbacks of settled batches in order, then releases them. On the I/O thread
  // (or, after the connection is closed, on the closing thread).
  void RunCompletions();

 private:
  struct RecordRef {
    std::optional<int32_t> partition;
    std::optional<std::string_view> key;
    std::optional<std::string_view> value;
    std::span<const HeaderView> headers;
    int64_t timestamp_ms;
  };

  TopicState* TopicFor(std::string_view name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetPartitionCount(TopicState* topic, int32_t count) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // With `caller_sends`, a new or full batch does not wake the sender thread.
  void AppendKnown(TopicState* topic, const RecordRef& record, SendCallback callback, size_t bytes,
                   uint64_t epoch, bool caller_sends = false) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Wait(TopicState* topic, const ProducerRecord& record, SendCallback callback, size_t bytes,
            int64_t timestamp_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReplayWaiting(TopicState* topic) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FailRecord(SendCallback callback, size_t bytes, uint64_t epoch, absl::Status status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Seal(PartitionQueue* queue, bool wake_sender = true) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SealAll() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Settle(ProducerBatch* batch, absl::Status status, Clock::time_point now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PopSettled(PartitionQueue* queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Expire(Clock::time_point now, Clock::time_point* wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CollectMetadata(Clock::time_point now, Work* work, Clock::time_point* wake)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Drain(Clock::time_point now, Work* work, Clock::time_point* wake)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Idempotence: what Drain does with `batch`, the next ready batch of `queue`, whose
  // partition has `in_flight` batches in flight (counting those this drain took) and may take
  // new stamps when `gate` is kOpen. Stamps the batch when it goes.
  enum class Step { kSend, kSendAlone, kSkip, kStop };
  Step Sequence(PartitionQueue* queue, ProducerBatch* batch, int in_flight,
                PartitionSequence::Gate gate) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Idempotence: whether `queue` may take new stamps; asks for a new producer id if it needs
  // one. Sets *in_flight to the partition's batches in flight.
  PartitionSequence::Gate PrepareSequence(PartitionQueue* queue, int* in_flight)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Settles `batch` for good with `status`; an idempotent producer's stamped batch breaks its
  // partition's sequence.
  void Fail(ProducerBatch* batch, absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Idempotence: every batch of `batch`'s partition before it has succeeded.
  static bool FirstPending(const ProducerBatch* batch);
  bool HasUnsent() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // When the next unsent batch may go: now for a sealed batch (or its retry time), the end
  // of its linger for an open one; max when there is none.
  Clock::time_point NextSendable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Wakes a waiting sender thread if NextSendable is earlier than it would wake by itself.
  void WakeSenderIfSendable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WakeSender(Clock::time_point due) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Hands settled batches to the I/O thread; true if a RunCompletions must be posted.
  bool NeedsCompletionPost() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AddUnit(uint64_t epoch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveUnit(uint64_t epoch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Clock::duration Backoff(int32_t attempts) const;
  absl::Status TimedOut(const ProducerBatch& batch) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PostCompletions();

  const ProducerOptions options_;
  const bool idempotent_;
  const std::function<void(absl::AnyInvocable<void()>)> post_;
  const std::function<bool()> in_io_thread_;

  mutable Mutex mu_;
  CondVar sender_cv_;  // The sender waits here for work.
  CondVar space_cv_;   // Send waits here for buffer memory.
  CondVar flush_cv_;   // Flush waits here for its epoch to complete.

  absl::flat_hash_map<std::string, std::unique_ptr<TopicState>> topics_ ABSL_GUARDED_BY(mu_);
  std::vector<PartitionQueue*> all_partitions_ ABSL_GUARDED_BY(mu_);
  size_t drain_cursor_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_requests_ ABSL_GUARDED_BY(mu_) = 0;
  size_t buffered_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<uint64_t, int64_t> units_by_epoch_ ABSL_GUARDED_BY(mu_);
  int64_t units_ ABSL_GUARDED_BY(mu_) = 0;
  int flushers_ ABSL_GUARDED_BY(mu_) = 0;
  ProducerIds producer_ids_ ABSL_GUARDED_BY(mu_);  // Idempotence only.
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
  absl::Status connect_error_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // A thread holds drained requests it has not yet handed to the connection.
  bool sending_ ABSL_GUARDED_BY(mu_) = false;
  // The sender's state, to signal it only when that changes what it would do.
  bool sender_waiting_ ABSL_GUARDED_BY(mu_) = false;
  Clock::time_point sender_wake_ ABSL_GUARDED_BY(mu_) = Clock::time_point::max();
  Clock::time_point next_expiry_check_ ABSL_GUARDED_BY(mu_){};
  // Settled batches whose callbacks have not run, in settlement order.
  std::vector<std::unique_ptr<ProducerBatch>> completions_ ABSL_GUARDED_BY(mu_);
  bool completions_posted_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace brook::client
