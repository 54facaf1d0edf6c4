// tests/support/keyed_records.h: keyed records for compaction tests: building batches of
// (key, value-or-tombstone) records, reading a partition back over a RawClient, and the
// latest value of each key. Test-only; REQUIREs on protocol failures.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/record_batch.h"
#include "tests/support/raw_client.h"

namespace brook::testing {

// A record's key and value; a null value is a tombstone.
using KeyValue = std::pair<std::string, std::optional<std::string>>;

struct KeyedRecord {
  int64_t offset = 0;
  std::string key;
  std::optional<std::string> value;
};

inline int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One batch holding `records` in order, all timestamped `timestamp_ms`.
inline std::string KeyedBatch(const std::vector<KeyValue>& records,
                              int64_t timestamp_ms = WallClockMs()) {
  RecordBatchBuilder builder;
  for (const auto& [key, value] : records) {
    builder.Append(timestamp_ms, key,
                   value ? std::optional<std::string_view>(*value) : std::nullopt);
  }
  return builder.Finish();
}

// Every record of a partition from offset `from` to its log end, in order.
inline std::vector<KeyedRecord> ReadKeyed(RawClient& client, const std::string& topic,
                                          int32_t partition, int64_t from = 0) {
  std::vector<KeyedRecord> records;
  for (int round = 0;; ++round) {
    FetchRequest fetch;
    fetch.max_wait_ms = 0;
    fetch.topics.push_back({topic, {{partition, from, 4 << 20}}});
    REQUIRE(client.Send(fetch, round));
    auto payload = client.ReadFrame(10000);
    REQUIRE(payload);
    auto reply = DecodeReply<FetchResponse>(*payload);
    REQUIRE(reply);
    REQUIRE(reply->first.error_code == ErrorCode::kNone);
    const auto& p = reply->second.topics.at(0).partitions.at(0);
    REQUIRE(p.error_code == ErrorCode::kNone);
    auto batches = SplitBatches(p.records);
    REQUIRE(batches.ok());
    for (std::string_view batch : *batches) {
      std::string scratch;
      std::vector<RecordView> views;
      REQUIRE(DecodeRecords(batch, &scratch, &views).ok());
      for (const RecordView& r : views) {
        if (r.offset < from) continue;  // The first batch may start before `from`.
        records.push_back({r.offset, std::string(r.key.value_or("")),
                           r.value ? std::optional<std::string>(*r.value) : std::nullopt});
        from = r.offset + 1;
      }
    }
    if (batches->empty() || from >= p.log_end_offset) return records;
  }
}

// Key -> latest value (nullopt for a tombstone) of `records` applied in order.
inline std::map<std::string, std::optional<std::string>> LatestByKey(
    const std::vector<KeyedRecord>& records) {
  std::map<std::string, std::optional<std::string>> latest;
  for (const KeyedRecord& r : records) latest[r.key] = r.value;
  return latest;
}

}  // namespace brook::testing
