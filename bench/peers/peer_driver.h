// bench/peers/peer_driver.h: what `brook bench compare` needs from a peer broker's client: make
// and drop a stream, produce to it, read it back plainly or as one member of a group. One
// implementation per peer (redis_driver.h, nats_driver.h); peer_workloads.h runs brook's
// workloads over this interface so every system is measured the same way.
//
// The interface also carries what an end-to-end latency workload needs: a producer can be asked
// to put every record on the wire at once (ProducerSettings::batch_records = 1) while its
// acknowledgements are collected in the background of later Sends, and a consumer hands each
// record's value to the caller, so a timestamp written into the value can be read back.
//
// Threads: a PeerDriver is used from one thread (setup, teardown) and is safe to use while
// producers and consumers it made run on other threads. Each PeerProducer and PeerConsumer owns
// one connection and is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace brook::bench {

struct ProducerSettings {
  int batch_records = 1000;     // Records queued before they are written (pipeline depth).
  int max_outstanding = 4000;   // Unacknowledged records before Send waits for acknowledgements.
};

// One connection that appends records to one stream.
class PeerProducer {
 public:
  virtual ~PeerProducer() = default;
  // Queues one record (the key, when given, travels with it). Writes the queue once it holds
  // batch_records, and waits for acknowledgements while max_outstanding are unacknowledged.
  // A record the server refuses is counted in errors(), not returned. Errors: the connection
  // failed or timed out (the producer is unusable afterwards).
  virtual absl::Status Send(std::optional<std::string_view> key, std::string_view value) = 0;
  // Writes what is queued and waits until every record sent is acknowledged. Errors: as Send.
  virtual absl::Status Flush() = 0;
  // Records the server refused so far.
  virtual int64_t errors() const = 0;
};

// Called once per record received; the view is valid during the call only.
using RecordFn = absl::FunctionRef<void(std::string_view value)>;

// One connection that reads one stream from its beginning: alone (a plain reader, no state on
// the server) or as one member of a group (records are shared among members and acknowledged).
class PeerConsumer {
 public:
  virtual ~PeerConsumer() = default;
  // Waits up to `timeout` for records and calls `on_record` for each. A group member
  // acknowledges them (the acknowledgement may travel with the next request). Returns how many
  // records it delivered: 0 when none arrived in time. Errors: connection or server errors.
  virtual absl::StatusOr<int> Poll(std::chrono::milliseconds timeout, RecordFn on_record) = 0;
  // Sends acknowledgements still held back, and waits for them. Errors: as Poll.
  virtual absl::Status Close() = 0;
};

// A connection for setup, and the factory of producers and consumers, for one peer server.
class PeerDriver {
 public:
  virtual ~PeerDriver() = default;
  // "Redis Streams", "NATS JetStream": for reports.
  virtual std::string name() const = 0;
  // Makes an empty stream `stream` (a name of letters, digits and '-'). Errors: the server's.
  virtual absl::Status CreateStream(const std::string& stream) = 0;
  // Drops the stream and everything in it. Errors: the server's.
  virtual absl::Status DeleteStream(const std::string& stream) = 0;
  // Makes consumer group `group` on `stream`, positioned at its beginning. Errors: the server's.
  virtual absl::Status CreateGroup(const std::string& stream, const std::string& group) = 0;
  // Errors: cannot connect.
  virtual absl::StatusOr<std::unique_ptr<PeerProducer>> NewProducer(
      const std::string& stream, const ProducerSettings& settings) = 0;
  // A plain reader of `stream` from its beginning (group empty), or member `member` of `group`
  // (made with CreateGroup). Each Poll returns at most `batch_records` records.
  // Errors: cannot connect or subscribe.
  virtual absl::StatusOr<std::unique_ptr<PeerConsumer>> NewConsumer(const std::string& stream,
                                                                    const std::string& group,
                                                                    int member,
                                                                    int batch_records) = 0;
};

}  // namespace brook::bench
