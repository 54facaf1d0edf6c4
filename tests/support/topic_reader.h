// tests/support/topic_reader.h: reads every record of a topic back with a plain Consumer, for
// tests that check what a topic holds (owned copies, headers included). REQUIREs on errors.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/admin.h"
#include "client/consumer.h"

namespace brook::testing {

struct StoredRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::map<std::string, std::string> headers;  // The last value of each header key.
};

// Every record of `topic` from each partition's log start to its log end at the call, by
// partition then offset.
inline std::vector<StoredRecord> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  auto admin = Admin::Create({.bootstrap = bootstrap});
  REQUIRE(admin.ok());
  auto description = (*admin)->DescribeTopic(topic);
  REQUIRE_MESSAGE(description.ok(), description.status().ToString());
  auto consumer = Consumer::Create(
      {.bootstrap = bootstrap, .auto_offset_reset = OffsetReset::kEarliest});
  REQUIRE(consumer.ok());
  std::vector<TopicPartition> partitions;
  std::map<int32_t, int64_t> ends;
  for (const auto& p : description->partitions) {
    partitions.push_back({topic, PartitionId(p.partition)});
    if (p.log_end_offset > p.log_start_offset) ends[p.partition] = p.log_end_offset;
  }
  REQUIRE((*consumer)->Assign(partitions).ok());
  std::map<int32_t, std::vector<StoredRecord>> by_partition;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!ends.empty()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    auto records = (*consumer)->Poll(std::chrono::milliseconds(200));
    REQUIRE_MESSAGE(records.ok(), records.status().ToString());
    for (const ConsumerRecord& r : *records) {
      auto end = ends.find(r.partition);
      if (end == ends.end() || r.offset >= end->second) continue;
      StoredRecord& out = by_partition[r.partition].emplace_back();
      out.partition = r.partition;
      out.offset = r.offset;
      out.timestamp_ms = r.timestamp_ms;
      if (r.key) out.key = std::string(*r.key);
      if (r.value) out.value = std::string(*r.value);
      for (const HeaderView& h : r.headers) {
        out.headers[std::string(h.key)] = std::string(h.value.value_or(""));
      }
      if (r.offset + 1 >= end->second) ends.erase(end);
    }
  }
  std::vector<StoredRecord> all;
  for (auto& [partition, records] : by_partition) {
    all.insert(all.end(), records.begin(), records.end());
  }
  return all;
}

}  // namespace brook::testing
