// client/producer.h: brook::Producer, which batches records and sends them to a broker.
//
//   auto producer = brook::Producer::Create({.bootstrap = "127.0.0.1:9292"});
//   if (!producer.ok()) { /* e.g. "cannot connect to ...: connection refused — ..." */ }
//   (*producer)->Send({.topic = "orders", .key = "customer-7", .value = payload},
//                     [](const absl::StatusOr<brook::RecordMetadata>& md) { ... });
//   absl::Status status = (*producer)->Flush();  // the first error since the last Flush
//
// Operation: Send copies the record into the open batch of its (topic, partition) and
// returns; a batch is sealed when it reaches batch_size, when it has lingered `linger`, or on
// Flush/Close. A sender thread puts every sendable batch into as few Produce requests as it
// can (several partitions, and several batches of a partition, per request), with at most
// max_in_flight requests outstanding on the one connection. With linger 0, Send itself sends
// what can go at once (the request is written from the calling thread when the connection
// is idle), which saves two thread hand-offs per record; what cannot go yet (max_in_flight
// reached) is batched and sent by the sender thread. Each partition's answer completes its
// batches: record i of a batch gets offset base_offset + i.
//
// Partitioning: an explicit partition is checked against the topic's partition count; a key
// picks PartitionForKey(key, count) (the same partition as Kafka's Java client); otherwise
// records stick to one partition until its batch is sealed, then move to the next. The
// partition count is fetched (Metadata) on a topic's first use and cached; while it is being
// fetched the topic's records wait in a small side queue.
//
// Idempotence (on by default, as in Kafka since 3.0; ProducerOptions::idempotence): before
// its first batch the producer asks the broker for a producer id (InitProducerId), and stamps
// every batch with it, its epoch and a sequence per partition. The broker then appends a
// batch at most once however often it is retried (a retry of a batch it has is answered with
// the original offsets), and in sequence order. The producer keeps a batch's stamp across
// retries, never re-batches what it sent, keeps at most 5 batches of a partition in flight
// (what the broker remembers; 1 until the partition's first batch under its producer id is
// acknowledged), and retries a batch only while nothing else of its partition is in flight,
// alone in its partition's record set: records land exactly once and in send order, retries
// included. Idempotence needs acks = -1 (all).
// A batch refused because an earlier one is missing (OUT_OF_ORDER_SEQUENCE_NUMBER while an
// earlier batch of its partition is outstanding) is retried after it. When a stamped batch
// fails for good (a non-retriable error, delivery_timeout, or OUT_OF_ORDER_SEQUENCE_NUMBER /
// INVALID_PRODUCER_EPOCH / DUPLICATE_SEQUENCE_NUMBER where nothing explains them: the message
// says the records were not appended), its partition continues under a new producer id once
// its batches in flight have settled, so later records are not refused. UNKNOWN_PRODUCER_ID
// (the broker forgot the producer) is recovered the same way without failing any record.
//
// Errors and retries: a retriable error (IsRetriable, e.g. NETWORK_EXCEPTION after the
// connection dropped, REQUEST_TIMED_OUT, STORAGE_ERROR) puts the batch back to be sent again
// after retry_backoff (doubling per attempt up to retry_backoff_max), reconnecting first if
// needed, until `retries` attempts or delivery_timeout from the batch's creation have passed;
// then its records fail with the last error. Other errors fail the batch's records at once
// (with the broker's code and message). An unknown topic fails each of its records with
// UNKNOWN_TOPIC_OR_PARTITION "topic 'x' does not exist".
// Ordering: callbacks run in send order within a partition. With idempotence records land in
// send order; without it, a batch which is retried may land after batches of its partition
// that were already in flight when it failed (as with Kafka without idempotence), and a retry
// after a lost answer may append its records twice; max_in_flight = 1 rules the first out.
//
// Thread-safety: Send, Flush and Close may be called from any threads. Callbacks and futures
// complete on the producer's I/O thread. Back-pressure: Send blocks while the records
// buffered but not yet completed exceed buffer_memory (except on the I/O thread, i.e. from a
// callback, where it never blocks).
// Lifecycle: Create connects (and fails if it cannot); Close (also run by the destructor)
// flushes, stops the sender and closes the connection. After Close, Send fails at once
// (inline) with INVALID_REQUEST "the producer is closed". No callback runs after Close returns.
// REQUIRES: the Producer is not destroyed, flushed or closed from one of its callbacks.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/producer_record.h"
#include "protocol/record_batch.h"

namespace brook {

struct ProducerOptions {
  std::string bootstrap = "127.0.0.1:9292";      // The broker, host:port.
  std::string client_id = "brook-producer";      // Shown in the broker's logs.
  int16_t acks = -1;  // 0 = no response, 1 = in the broker's WAL, -1 = all (fsynced).
  size_t batch_size = 64 << 10;                  // A batch is sealed at this many bytes.
  std::chrono::milliseconds linger{5};           // ...or when its first record is this old.
  Compression compression = Compression::kNone;  // Any codec (protocol/compression.h).
  int max_in_flight = 5;                         // Produce requests outstanding at once.
  int32_t retries = std::numeric_limits<int32_t>::max();  // Bounded by delivery_timeout.
  std::chrono::milliseconds retry_backoff{100};           // First retry's wait; doubles...
  std::chrono::milliseconds retry_backoff_max{1000};      // ...up to this.
  std::chrono::milliseconds delivery_timeout{120000};     // From Send to final outcome.
  size_t buffer_memory = 64 << 20;                        // Bytes buffered before Send blocks.
  std::chrono::milliseconds request_timeout{30000};       // One request's wait; connect uses
                                                          // min(this, 10 s).
  // Idempotence (see the Producer's comment) needs acks = -1, as in Kafka:
  //   unset (the default): on with acks -1, off with acks 0 or 1 (Kafka too turns it off
  //     when acks conflicts and enable.idempotence was not set);
  //   true: on; Create fails with INVALID_CONFIG if acks is 0 or 1;
  //   false: off (batches carry no producer id; a retry may append records twice).
  std::optional<bool> idempotence = std::nullopt;
  // Called with the broker's retriable error each time a batch is to be retried after it
  // (e.g. STORAGE_ERROR while the broker's disk is full), so a program can tell its user
  // before delivery_timeout fails the records. Runs on the producer's I/O thread under its
  // lock: it must not block or call the producer. Empty: none.
  std::function<void(const absl::Status&)> on_retry{};

  // Whether the producer is idempotent with these options.
  bool idempotent() const { return idempotence.value_or(acks == -1) && acks == -1; }
};

// acks from its name on a command line: "0", "1", "all" or "-1"; nullopt for anything else.
std::optional<int16_t> AcksFromName(std::string_view name);

class Producer {
 public:
  // Validates the options, connects and starts the sender. Errors: INVALID_REQUEST for bad
  // options (the message names the field), INVALID_REQUIRED_ACKS for acks outside {0,1,-1},
  // INVALID_CONFIG for idempotence = true with acks 0 or 1, UNSUPPORTED_COMPRESSION_TYPE for a
  // compression value that is not a codec (5-7), and the errors of connecting
  // (NETWORK_EXCEPTION "cannot connect to ...", UNSUPPORTED_VERSION, also when the producer is
  // idempotent and the broker does not serve InitProducerId).
  static absl::StatusOr<std::unique_ptr<Producer>> Create(ProducerOptions options);

  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `record`; `callback` (may be empty) gets its metadata or its error. Outcomes
  // delivered to the callback: OK with RecordMetadata; UNKNOWN_TOPIC_OR_PARTITION (no such
  // topic, or an explicit partition outside the topic); MESSAGE_TOO_LARGE (the record alone
  // exceeds buffer_memory or 8 MiB, the most one Produce request carries); REQUEST_TIMED_OUT (not
  // delivered within delivery_timeout); the broker's error; with idempotence, the errors
  // described above; INVALID_REQUEST "the producer is closed" (inline, after Close).
  void Send(const ProducerRecord& record, SendCallback callback);
  // The same, with the outcome as a future.
  std::future<absl::StatusOr<RecordMetadata>> Send(const ProducerRecord& record);

  // Seals every open batch and waits until every record sent before this call has completed
  // (its callback has returned). Returns the first error any record met since the previous
  // Flush (or since Create), or OK. Errors: INVALID_REQUEST when called from a callback.
  absl::Status Flush();

  // Flush, then stop: no callback runs after Close returns. Returns Flush's result.
  // Idempotent (a second Close returns OK).
  absl::Status Close();

  const ProducerOptions& options() const;

 private:
  class Impl;
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brook
