// client/consumer_record.h: the records a Consumer returns, as views into fetched bytes.
//
// A ConsumerRecord views bytes owned by the ConsumerRecords that holds it (the Fetch response
// frames, and the decompressed sections of compressed batches): it is valid while that
// ConsumerRecords (or a copy of it) lives. Copying a ConsumerRecords copies the views and
// shares the owned bytes, so copies are cheap and independent. Not thread-safe to mutate;
// const access from several threads is fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "protocol/record_batch.h"

namespace brook {
namespace client {
class ConsumerRecordsBuilder;
}  // namespace client

struct ConsumerRecord {
  std::string_view topic{};
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string_view> key{};    // nullopt = no key.
  std::optional<std::string_view> value{};  // nullopt = a tombstone.
  std::vector<HeaderView> headers{};
};

// The result of one Consumer::Poll: records of every assigned partition, each partition's in
// offset order.
class ConsumerRecords {
 public:
  using const_iterator = std::vector<ConsumerRecord>::const_iterator;

  const_iterator begin() const { return records_.begin(); }
  const_iterator end() const { return records_.end(); }
  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const ConsumerRecord& operator[](size_t i) const { return records_[i]; }

 private:
  friend class client::ConsumerRecordsBuilder;
  std::vector<ConsumerRecord> records_;
  std::vector<std::shared_ptr<const void>> owners_;  // What the views point into.
};

}  // namespace brook
