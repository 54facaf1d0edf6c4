// client/sender.h: the Producer's sender thread.
//
// Internal to client/. The sender asks the RecordAccumulator for work (NextWork) and carries
// it out on the Connection: it reconnects (with backoff) when records wait and the connection
// is down, sends Metadata requests for topics whose partition count is not known,
// InitProducerId when an idempotent producer needs a producer id, and turns
// each request plan into one Produce request: it finishes the plan's batches (encoding,
// compression and CRC happen here, outside the accumulator's lock), encodes the request and
// hands it to the connection. Responses settle the plan on the I/O thread.
// SendNow does the same on the calling thread for what is sendable at once (the producer
// calls it after each Send when linger is 0): one thread wake-up fewer per request.
//
// Concurrency: Start() runs the loop on its own thread; Join() returns once the accumulator
// has been closed and every record has completed. The Connection and RecordAccumulator must
// outlive the Sender.
#pragma once

#include <thread>

#include "client/connection.h"
#include "client/producer.h"
#include "client/record_accumulator.h"

namespace brook::client {

class Sender {
 public:
  Sender(const ProducerOptions& options, Connection* connection, RecordAccumulator* accumulator)
      : options_(options), connection_(connection), accumulator_(accumulator) {}
  ~Sender() { Join(); }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void Start();
  // Sends the requests sendable now from the calling thread, unless another thread is
  // sending (it will send them) or the connection is down (the sender thread reconnects).
  void SendNow();
  // REQUIRES: the accumulator is closed (or will be), else this waits forever.
  void Join();

 private:
  void Run();
  void Reconnect();
  void SendMetadata(std::vector<std::string> topics);
  void SendInitProducerId();
  // Sends drained plans in order, then lets another thread drain.
  void SendAll(std::vector<RequestPlan> plans);
  void SendProduce(RequestPlan plan);

  const ProducerOptions options_;
  Connection* const connection_;
  RecordAccumulator* const accumulator_;
  int reconnect_attempts_ = 0;  // Sender thread only.
  std::thread thread_;
};

}  // namespace brook::client
