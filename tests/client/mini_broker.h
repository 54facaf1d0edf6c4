// tests/client/mini_broker.h: an in-memory broker, enough to test Producer and Consumer.
//
// Built on FakeBroker (fake_broker.h). Keeps topics and their partitions' batches in memory
// and serves Metadata, Produce (validating every batch and assigning offsets; idempotent
// producers' batches are checked, deduplicated and ordered by storage's own rules,
// storage/producer_state.h), InitProducerId, Fetch (a real long poll: it answers when data
// arrives or max_wait_ms passes, out of order with other requests), ListOffsets, CreateTopics
// and DeleteTopics. Tests inject faults through the hooks below. All methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/producer_state.h"
#include "tests/client/fake_broker.h"

namespace brook::testing {

class MiniBroker {
 public:
  struct StoredRecord {
    int64_t offset = 0;
    int64_t timestamp = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  };

  // What to do with one partition of a Produce request: append (NONE) or fail with a code.
  using ProduceFault = std::function<ErrorCode(const std::string& topic, int32_t partition)>;

  MiniBroker();
  ~MiniBroker();

  std::string address() const { return fake_->address(); }
  int connections_accepted() const { return fake_->connections_accepted(); }

  void CreateTopic(const std::string& name, int32_t partitions);
  void DeleteTopic(const std::string& name);
  // Makes offsets below `offset` unreadable (as if deleted by retention).
  void SetLogStart(const std::string& topic, int32_t partition, int64_t offset);
  // Appends records directly (as a producer would), one batch; returns its base offset.
  int64_t Append(const std::string& topic, int32_t partition,
                 const std::vector<std::pair<std::string, std::string>>& key_values,
                 int64_t timestamp_ms = 1000);

  std::vector<StoredRecord> Records(const std::string& topic, int32_t partition) const;
  // Batches as stored, in order (each a whole RecordBatch v2).
  std::vector<std::string> Batches(const std::string& topic, int32_t partition) const;

  int produce_requests() const;
  // Batches in every Produce request received, appended or not.
  int received_batches() const;
  int init_producer_id_requests() const;
  // Produce partitions answered as duplicates of batches appended before.
  int duplicates() const;
  int fetch_requests() const;
  // Number of batches seen in each Produce request's partitions, in arrival order.
  std::vector<int> batches_per_produce() const;

  void SetProduceFault(ProduceFault fault);
  // While held, Produce responses are kept (the records are appended) until ReleaseHeld.
  void HoldProduceResponses(bool hold);
  // Sends the held responses, newest first when `reverse`.
  void ReleaseHeld(bool reverse);
  size_t held() const;
  // Drops the connection instead of answering the next `n` Produce requests (not appended).
  void DropNextProduces(int n);
  // Appends the next `n` Produce requests, then drops the connection instead of answering:
  // the answers are lost.
  void LoseNextAnswers(int n);
  // Never answers Produce requests (they are appended).
  void IgnoreProduces(bool ignore);

 private:
  struct Partition {
    std::vector<std::string> batches;  // With offsets assigned.
    std::vector<StoredRecord> records;
    int64_t log_start = 0;
    int64_t log_end = 0;
    storage::ProducerEntries producers;  // Idempotent producers' state.
  };
  struct Held {
    std::shared_ptr<FakeBroker::Session> session;
    int32_t correlation_id;
    ProduceResponse response;
  };
  struct PendingFetch {
    std::shared_ptr<FakeBroker::Session> session;
    int32_t correlation_id;
    FetchRequest request;
    std::string body;  // Keeps the request's views alive.
    std::chrono::steady_clock::time_point deadline;
  };

  void Handle(const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& header,
              std::string_view body);
  void HandleProduce(const std::shared_ptr<FakeBroker::Session>& session, int32_t id,
                     std::string_view body);
  void HandleFetch(const std::shared_ptr<FakeBroker::Session>& session, int32_t id,
                   std::string_view body);
  // Appends validated batches; returns the base offset. REQUIRES: mu_ held.
  int64_t AppendBatches(Partition& partition, const std::vector<std::string_view>& batches);
  // Produce's answer for one partition's record set. REQUIRES: mu_ held.
  ProduceResponse::Partition ProducePartition(const std::string& topic, int32_t partition,
                                              std::string_view records);
  // Builds the answer to a fetch from the current logs; `bytes` gets the records' size and
  // `error` whether a partition has an error (answered at once, like a real broker).
  std::string FetchAnswer(const FetchRequest& request, size_t* bytes, bool* error);
  void FetchLoop();

  mutable std::mutex mu_;
  std::condition_variable fetch_cv_;
  std::map<std::string, std::vector<Partition>> topics_;
  int produce_requests_ = 0;
  int received_batches_ = 0;
  int fetch_requests_ = 0;
  std::vector<int> batches_per_produce_;
  ProduceFault fault_;
  bool hold_ = false;
  std::vector<Held> held_;
  int drop_next_ = 0;
  int lose_next_ = 0;
  int init_producer_id_requests_ = 0;
  int duplicates_ = 0;
  bool ignore_produces_ = false;
  std::vector<PendingFetch> pending_fetches_;
  bool stopping_ = false;
  std::thread fetch_thread_;
  std::unique_ptr<FakeBroker> fake_;  // Last: destroyed first, so no handler outlives us.
};

}  // namespace brook::testing
