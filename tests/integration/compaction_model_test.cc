// Log compaction through the real broker, model-based: a Producer writes random puts,
// overwrites and tombstones over a few hundred keys in batches of random sizes, interleaved
// with Admin::CompactTopic runs and broker restarts. After each of those a new Consumer reads
// the topic from the beginning and must get exactly the records the model predicts (the rules
// of docs/storage.md, "Compaction"), whose replay is the model's key -> value map; the
// compaction stats must count exactly what the model says was removed.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "tests/support/keyed_records.h"

namespace brook {
namespace {

using namespace std::chrono_literals;
using testing::KeyedRecord;

constexpr char kTopic[] = "changelog";
constexpr int kPartitions = 2;
constexpr int kKeys = 300;
constexpr int kSteps = 150;

// Key -> live value of `records` applied in order: a tombstone deletes its key.
std::map<std::string, std::string> Replay(const std::vector<KeyedRecord>& records) {
  std::map<std::string, std::string> state;
  for (const KeyedRecord& r : records) {
    if (r.value) {
      state[r.key] = *r.value;
    } else {
      state.erase(r.key);
    }
  }
  return state;
}

// CHECKs that `read` is `expected`, naming the first record that differs.
void CheckRecords(const std::vector<KeyedRecord>& read, const std::vector<KeyedRecord>& expected) {
  CHECK(read.size() == expected.size());
  for (size_t i = 0; i < std::min(read.size(), expected.size()); ++i) {
    const KeyedRecord& r = read[i];
    const KeyedRecord& e = expected[i];
    if (r.offset != e.offset || r.key != e.key || r.value != e.value) {
      FAIL_CHECK(fmt::format("record {}: read offset {} key {} value {}, expected offset {} key {} "
                             "value {}",
                             i, r.offset, r.key, r.value.value_or("<tombstone>"), e.offset, e.key,
                             e.value.value_or("<tombstone>")));
      return;
    }
  }
}

// What one compaction of a partition removes.
struct Removal {
  int64_t records = 0;
  int64_t tombstones = 0;  // Expired tombstones among them.
};

// One partition as the model sees it. Compaction keeps, below its checkpoint, the latest
// record of each key there (a tombstone only until it expires, unless it was the log's last
// record when the compaction ran), and everything from the checkpoint on; a compaction cleans
// up to the log end.
struct PartitionModel {
  std::vector<KeyedRecord> appended;  // Every record produced, in offset order.
  int64_t cleaned_up_to = 0;          // Offsets below it are compacted.

  int64_t LogEnd() const { return appended.empty() ? 0 : appended.back().offset + 1; }

  // Key -> offset of its latest record below `end`.
  std::map<std::string, int64_t> LatestBelow(int64_t end) const {
    std::map<std::string, int64_t> latest;
    for (const KeyedRecord& r : appended) {
      if (r.offset < end) latest[r.key] = r.offset;
    }
    return latest;
  }

  // The records a read returns. `tombstones_expire`: delete.retention.ms is 0 and every
  // tombstone was older than the compaction's clock, so none survives in the compacted part
  // but the record that ended the log at the last compaction.
  std::vector<KeyedRecord> Expected(bool tombstones_expire) const {
    const std::map<std::string, int64_t> latest = LatestBelow(cleaned_up_to);
    std::vector<KeyedRecord> expected;
    for (const KeyedRecord& r : appended) {
      const bool compacted = r.offset < cleaned_up_to;
      const bool stays = r.value.has_value() || !tombstones_expire || r.offset == cleaned_up_to - 1;
      if (!compacted || (latest.at(r.key) == r.offset && stays)) expected.push_back(r);
    }
    return expected;
  }

  // A compaction (min.compaction.lag.ms = 0): cleans up to the log end; returns what it
  // removes.
  Removal Compact(bool tombstones_expire) {
    const std::vector<KeyedRecord> before = Expected(tombstones_expire);
    cleaned_up_to = std::max(cleaned_up_to, LogEnd());
    const std::vector<KeyedRecord> after = Expected(tombstones_expire);
    std::set<int64_t> kept;
    for (const KeyedRecord& r : after) kept.insert(r.offset);
    const std::map<std::string, int64_t> latest = LatestBelow(LogEnd());
    Removal removal;
    removal.records = static_cast<int64_t>(before.size() - after.size());
    for (const KeyedRecord& r : before) {
      // A tombstone removed as its key's latest record (not superseded by a later one).
      if (!r.value && !kept.contains(r.offset) && latest.at(r.key) == r.offset) ++removal.tombstones;
    }
    return removal;
  }
};

EmbeddedBrokerOptions BrokerOptions() {
  EmbeddedBrokerOptions options;
  options.config.log_cleanup_interval = std::chrono::hours(1);  // Only CompactTopic compacts.
  return options;
}

class CompactionModel {
 public:
  CompactionModel(uint32_t seed, bool tombstones_expire)
      : rng_(seed), tombstones_expire_(tombstones_expire), broker_(BrokerOptions()) {
    auto admin = Admin::Create({.bootstrap = broker_.bootstrap()});
    REQUIRE(admin.ok());
    admin_ = *std::move(admin);
    REQUIRE(admin_
                ->CreateTopic({.name = kTopic,
                               .partitions = kPartitions,
                               .configs = {{"cleanup.policy", "compact"},
                                           {"segment.bytes", "1024"},
                                           {"min.compaction.lag.ms", "0"},
                                           {"delete.retention.ms",
                                            tombstones_expire ? "0" : "86400000"}}})
                .ok());
    // Only Flush seals a batch, so each group of sends is one batch per partition.
    auto producer = Producer::Create({.bootstrap = broker_.bootstrap(),
                                      .linger = std::chrono::hours(1),
                                      .retry_backoff = 10ms});
    REQUIRE(producer.ok());
    producer_ = *std::move(producer);
  }

  // The random steps, then a last compaction; checks that removals really happened.
  void Run() {
    for (int step = 0; step < kSteps; ++step) {
      CAPTURE(step);
      const int action = step == 0 ? 0 : Pick(100);
      if (action < 70) {
        Produce(step);
      } else if (action < 88) {
        Compact();
        Check();
      } else {
        REQUIRE(broker_.Restart().ok());  // The Producer and the Admin reconnect.
        ++restarts_;
        Check();
      }
    }
    Compact();
    Check();
    CHECK(removing_compactions_ >= 10);
    CHECK(restarts_ >= 5);
    if (tombstones_expire_) CHECK(tombstones_removed_ >= 10);
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }

  // Sends 1 to 24 records (a fifth of them tombstones) and flushes.
  void Produce(int step) {
    std::vector<KeyedRecord> records(static_cast<size_t>(1 + Pick(24)));
    std::vector<std::future<absl::StatusOr<RecordMetadata>>> sent;
    for (size_t i = 0; i < records.size(); ++i) {
      KeyedRecord& r = records[i];
      r.key = fmt::format("key{}", Pick(kKeys));
      if (Pick(100) >= 20) r.value = fmt::format("s{}-{}-{}", step, i, std::string(Pick(40), 'v'));
      sent.push_back(producer_->Send(
          {.topic = kTopic,
           .key = r.key,
           .value = r.value ? std::optional<std::string_view>(*r.value) : std::nullopt}));
    }
    const absl::Status flushed = producer_->Flush();
    REQUIRE_MESSAGE(flushed.ok(), MessageOf(flushed));
    for (size_t i = 0; i < records.size(); ++i) {
      absl::StatusOr<RecordMetadata> metadata = sent[i].get();
      REQUIRE(metadata.ok());
      PartitionModel& partition = model_.at(static_cast<size_t>(metadata->partition));
      if (!partition.appended.empty()) CHECK(metadata->offset > partition.appended.back().offset);
      newest_timestamp_ = std::max(newest_timestamp_, metadata->timestamp_ms);
      records[i].offset = metadata->offset;
      partition.appended.push_back(std::move(records[i]));
    }
  }

  // CompactTopic, checking its stats against the model's.
  void Compact() {
    // A tombstone expires when its timestamp is below the compaction's clock: let it pass
    // every record's timestamp.
    while (testing::WallClockMs() <= newest_timestamp_) std::this_thread::sleep_for(1ms);
    absl::StatusOr<std::vector<PartitionCompactionStats>> stats = admin_->CompactTopic(kTopic);
    REQUIRE_MESSAGE(stats.ok(), MessageOf(stats.status()));
    REQUIRE(stats->size() == kPartitions);
    int64_t removed = 0;
    for (int p = 0; p < kPartitions; ++p) {
      CAPTURE(p);
      const PartitionCompactionStats& s = (*stats)[static_cast<size_t>(p)];
      PartitionModel& partition = model_[static_cast<size_t>(p)];
      const Removal expected = partition.Compact(tombstones_expire_);
      CHECK(s.partition == p);
      CHECK(s.cleaned_up_to == partition.cleaned_up_to);
      CHECK(s.records_removed == expected.records);
      CHECK(s.tombstones_removed == expected.tombstones);
      removed += s.records_removed;
      tombstones_removed_ += s.tombstones_removed;
    }
    if (removed > 0) ++removing_compactions_;
  }

  // Reads every partition from the beginning with a new Consumer.
  std::array<std::vector<KeyedRecord>, kPartitions> ReadAll(const TopicDescription& topic) {
    auto consumer = Consumer::Create({.bootstrap = broker_.bootstrap(),
                                      .auto_offset_reset = OffsetReset::kEarliest,
                                      .fetch_max_wait = 20ms});
    REQUIRE(consumer.ok());
    std::vector<TopicPartition> partitions;
    for (int p = 0; p < kPartitions; ++p) partitions.push_back({kTopic, PartitionId(p)});
    REQUIRE((*consumer)->Assign(partitions).ok());
    REQUIRE((*consumer)->SeekToBeginning({}).ok());
    auto done = [&] {
      for (int p = 0; p < kPartitions; ++p) {
        absl::StatusOr<int64_t> position = (*consumer)->Position(partitions[p]);
        REQUIRE(position.ok());
        if (*position < topic.partitions[p].log_end_offset) return false;
      }
      return true;
    };
    std::array<std::vector<KeyedRecord>, kPartitions> read;
    for (int polls = 0; !done(); ++polls) {
      REQUIRE_MESSAGE(polls < 200, "the consumer does not reach the log end");
      absl::StatusOr<ConsumerRecords> records = (*consumer)->Poll(100ms);
      REQUIRE_MESSAGE(records.ok(), MessageOf(records.status()));
      for (const ConsumerRecord& r : *records) {
        REQUIRE(r.key.has_value());
        read.at(static_cast<size_t>(r.partition))
            .push_back({r.offset, std::string(*r.key),
                        r.value ? std::optional<std::string>(*r.value) : std::nullopt});
      }
    }
    return read;
  }

  // Reads the topic and compares it with the model.
  void Check() {
    absl::StatusOr<TopicDescription> topic = admin_->DescribeTopic(kTopic);
    REQUIRE_MESSAGE(topic.ok(), MessageOf(topic.status()));
    REQUIRE(topic->partitions.size() == kPartitions);
    const auto read = ReadAll(*topic);
    for (int p = 0; p < kPartitions; ++p) {
      CAPTURE(p);
      const std::vector<KeyedRecord>& records = read[static_cast<size_t>(p)];
      const PartitionModel& partition = model_[static_cast<size_t>(p)];
      const PartitionDescription& description = topic->partitions[static_cast<size_t>(p)];
      const int64_t log_end = partition.appended.empty() ? 0 : partition.appended.back().offset + 1;
      CHECK(description.log_end_offset == log_end);
      const auto not_increasing = [](const KeyedRecord& a, const KeyedRecord& b) {
        return a.offset >= b.offset;
      };
      CHECK(std::adjacent_find(records.begin(), records.end(), not_increasing) == records.end());
      if (!records.empty()) {
        CHECK(records.back().offset + 1 == log_end);
        CHECK(description.log_start_offset <= records.front().offset);
      }
      CheckRecords(records, partition.Expected(tombstones_expire_));
      CHECK(Replay(records) == Replay(partition.appended));
    }
  }

  std::mt19937 rng_;
  const bool tombstones_expire_;
  EmbeddedBroker broker_;
  std::unique_ptr<Admin> admin_;
  std::unique_ptr<Producer> producer_;
  std::array<PartitionModel, kPartitions> model_;
  int64_t newest_timestamp_ = 0;
  int removing_compactions_ = 0;  // Compactions that removed records.
  int restarts_ = 0;
  int64_t tombstones_removed_ = 0;
};

TEST_CASE("model: compaction through the broker keeps each key's latest record, tombstones "
          "within delete.retention.ms, across restarts") {
  for (uint32_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    CompactionModel(seed, /*tombstones_expire=*/false).Run();
  }
}

TEST_CASE("model: with delete.retention.ms=0 compaction drops every tombstone below the last "
          "batch, across restarts") {
  for (uint32_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    CompactionModel(seed, /*tombstones_expire=*/true).Run();
  }
}

}  // namespace
}  // namespace brook
