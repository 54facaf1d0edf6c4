// Chaos, CI-sized: rounds of mixed load ended by kill -9 at a random moment, each followed by a
// restart that checks what the broker acknowledged before it died. The load, all at once:
//   - acks=1 and acks=all producers on plain topics ("a", "b"): no acknowledged record lost,
//     moved or duplicated, no offset gap;
//   - a group committing offsets on "a": every acknowledged commit held;
//   - keyed records on a compacted topic ("c") compacted over and over (CompactTopic and the
//     background cleaner): an acknowledged record is there, or a later record of its key is;
//   - records on a topic with tiny retention ("r"): above the log start, nothing is missing;
//   - records dead-lettered and replayed ("d" -> "d.dlq" -> "d"), requests whose answers the
//     kill cut off sent again after the restart: no record dead-lettered or replayed twice;
//   - topics created and deleted: an acknowledged deletion holds, an acknowledged creation too.
// The seed is printed; BROOK_CHAOS_SEED replays it, BROOK_CHAOS_ROUNDS runs longer (CI: 10).
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "fmt/format.h"
#include "protocol/dead_letters.h"
#include "tests/support/batches.h"
#include "tests/support/child_broker.h"
#include "tests/support/keyed_records.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/topic_reader.h"

namespace brook {
namespace {

using testing::RawClient;
using testing::TryRoundtrip;

constexpr int kPartitions = 2;
constexpr int kCompactedKeys = 16;

// What the broker acknowledged, across rounds.
struct Acked {
  std::mutex mu;
  // Topic and partition -> offset -> value, for "a", "b", "c" and "r".
  std::map<std::pair<std::string, int32_t>, std::map<int64_t, std::string>> records;
  std::map<int32_t, int64_t> commit_acked;  // Partition of "a" -> last acknowledged commit.
  std::map<int32_t, int64_t> commit_sent;   // ...and the last one sent.
  // Dead letters of "d" (one partition): source offset -> its value, its copy in the
  // dead-letter topic, and where its replay went.
  std::map<int64_t, std::string> dead_sources;
  std::map<int64_t, std::pair<int32_t, int64_t>> dead_lettered;
  std::map<int64_t, int64_t> replayed;
  std::set<int64_t> letters_unanswered;   // Source offsets whose DeadLetter got no answer.
  std::set<int64_t> replays_unanswered;   // Source offsets whose replay got no answer.
  // Topics created and deleted.
  std::set<std::string> created;          // Creation acknowledged.
  std::set<std::string> delete_sent;
  std::set<std::string> deleted;          // Deletion acknowledged.
  std::atomic<int> refused{0};  // Requests the broker answered with an error (none expected).
  std::atomic<int> compactions{0};
};

// Topic "c" is compacted as eagerly as brook allows; "r" keeps about 8 KiB per partition.
const std::vector<ConfigEntry> kCompacted = {{"cleanup.policy", "compact"},
                                             {"segment.bytes", "1024"},
                                             {"min.cleanable.dirty.ratio", "0"},
                                             {"min.compaction.lag.ms", "0"}};
const std::vector<ConfigEntry> kRetained = {{"segment.bytes", "1024"},
                                            {"retention.bytes", "8192"}};

std::string KeyOf(int i, int j) { return fmt::format("k{}", (i * 5 + j) % kCompactedKeys); }

// Whether the broker accepted a request it answered: no error in the answer's header, then
// none in `answer_error(body)` (a header error leaves the body empty). A refusal is counted:
// none is expected.
template <class Response, class AnswerError>
bool Accepted(const testing::Reply<Response>& reply, AnswerError answer_error, Acked* acked) {
  if (reply.first.error_code == ErrorCode::kNone &&
      answer_error(reply.second) == ErrorCode::kNone) {
    return true;
  }
  acked->refused.fetch_add(1);
  return false;
}

ErrorCode NoAnswerError(const auto&) { return ErrorCode::kNone; }

// Produces `batch` to (topic, partition): its base offset, or nullopt when the broker died
// (not acknowledged) or refused it.
std::optional<int64_t> ProduceBatch(RawClient& client, const std::string& topic,
                                    int32_t partition, const std::string& batch, int16_t acks,
                                    int32_t id, Acked* acked) {
  ProduceRequest produce;  // Holds a view of `batch`.
  produce.acks = acks;
  produce.topics.push_back({topic, {{partition, batch}}});
  auto reply = TryRoundtrip(client, produce, id);
  const auto partition_error = [](const ProduceResponse& r) {
    return r.topics.at(0).partitions.at(0).error_code;
  };
  if (!reply || !Accepted(*reply, partition_error, acked)) return std::nullopt;
  return reply->second.topics.at(0).partitions.at(0).base_offset;
}

// The error of the first topic of a CreateTopics or DeleteTopics answer.
ErrorCode TopicError(const auto& response) { return response.topics.at(0).error_code; }

// Produces batches of 5 records (keyed when `keyed`) to `topic` round-robin over its
// partitions until the broker dies, recording what it acknowledged.
void Produce(const std::string& bootstrap, const std::string& topic, int16_t acks, bool keyed,
             int round, Acked* acked) {
  RawClient client(bootstrap);
  for (int i = 0;; ++i) {
    const int32_t partition = i % kPartitions;
    std::vector<std::string> values;
    std::vector<testing::KeyValue> keyed_values;
    for (int j = 0; j < 5; ++j) {
      values.push_back(fmt::format("{}/{}/{}/{}", topic, round, i, j));
      keyed_values.emplace_back(KeyOf(i, j), values.back());
    }
    const std::string batch =
        keyed ? testing::KeyedBatch(keyed_values) : testing::MakeBatch(values);
    const std::optional<int64_t> base =
        ProduceBatch(client, topic, partition, batch, acks, i, acked);
    if (!base) return;
    std::lock_guard lock(acked->mu);
    auto& log = acked->records[{topic, partition}];
    for (size_t j = 0; j < values.size(); ++j) log[*base + static_cast<int64_t>(j)] = values[j];
  }
}

// Commits rising offsets of group "g" on topic "a" until the broker dies.
void Commit(const std::string& bootstrap, Acked* acked) {
  RawClient client(bootstrap);
  for (int i = 0;; ++i) {
    const int32_t partition = i % kPartitions;
    int64_t offset = 0;
    {
      std::lock_guard lock(acked->mu);
      offset = acked->commit_sent[partition] + 1;
      acked->commit_sent[partition] = offset;
    }
    OffsetCommitRequest commit;
    commit.group_id = "g";
    commit.topics.push_back({"a", {{partition, offset, std::nullopt}}});
    auto reply = TryRoundtrip(client, commit, i);
    const auto partition_error = [](const OffsetCommitResponse& r) {
      return r.topics.at(0).partitions.at(0).error_code;
    };
    if (!reply || !Accepted(*reply, partition_error, acked)) return;
    std::lock_guard lock(acked->mu);
    acked->commit_acked[partition] = offset;
  }
}

// Compacts "c" again and again until the broker dies.
void Compact(const std::string& bootstrap, Acked* acked) {
  RawClient client(bootstrap);
  for (int i = 0;; ++i) {
    auto reply = TryRoundtrip(client, CompactTopicRequest{"c", std::nullopt}, i, 20000);
    if (!reply || !Accepted(*reply, NoAnswerError<CompactTopicResponse>, acked)) return;
    acked->compactions.fetch_add(1);
  }
}

// Dead-letters `source` (an offset of "d") for group "dl"; false when the broker died.
bool DeadLetter(RawClient& client, int64_t source, int32_t id, Acked* acked) {
  {
    std::lock_guard lock(acked->mu);
    acked->letters_unanswered.insert(source);
  }
  DeadLetterRequest letter;
  letter.group_id = "dl";
  letter.topic = "d";
  letter.offset = source;
  letter.reason = "chaos";
  letter.first_failure_ms = letter.last_failure_ms = testing::WallClockMs();
  auto reply = TryRoundtrip(client, letter, id);
  if (!reply || !Accepted(*reply, NoAnswerError<DeadLetterResponse>, acked)) return false;
  std::lock_guard lock(acked->mu);
  acked->letters_unanswered.erase(source);
  acked->dead_lettered[source] = {reply->second.dlq_partition, reply->second.dlq_offset};
  return true;
}

// Replays the dead letter of `source`; false when the broker died.
bool Replay(RawClient& client, int64_t source, int32_t id, Acked* acked) {
  ReplayDeadLettersRequest replay;
  replay.dlq_topic = "d.dlq";
  {
    std::lock_guard lock(acked->mu);
    const auto [partition, offset] = acked->dead_lettered.at(source);
    replay.partition = partition;
    replay.offsets = {offset};
    acked->replays_unanswered.insert(source);
  }
  auto reply = TryRoundtrip(client, replay, id);
  const auto record_error = [](const ReplayDeadLettersResponse& r) {
    return r.records.at(0).error_code;
  };
  if (!reply || !Accepted(*reply, record_error, acked)) return false;
  std::lock_guard lock(acked->mu);
  acked->replays_unanswered.erase(source);
  acked->replayed[source] = reply->second.records.at(0).replayed_offset;
  return true;
}

// First sends again the dead letters and replays whose answers the last kill cut off (each
// must land at most once), then produces records to "d" (acks=all), dead-letters each and
// replays every other one, until the broker dies.
void DeadLetterAndReplay(const std::string& bootstrap, int round, Acked* acked) {
  RawClient client(bootstrap);
  std::set<int64_t> letters, replays;
  {
    std::lock_guard lock(acked->mu);
    letters = acked->letters_unanswered;
    replays = acked->replays_unanswered;
  }
  int32_t id = 0;
  for (int64_t source : letters) {
    if (!DeadLetter(client, source, ++id, acked)) return;
  }
  for (int64_t source : replays) {
    if (!Replay(client, source, ++id, acked)) return;
  }
  for (int i = 0;; ++i) {
    const std::string value = fmt::format("d/{}/{}", round, i);
    const std::optional<int64_t> source =
        ProduceBatch(client, "d", 0, testing::MakeBatch({value}), kAcksAll, ++id, acked);
    if (!source) return;
    {
      std::lock_guard lock(acked->mu);
      acked->dead_sources[*source] = value;
    }
    if (!DeadLetter(client, *source, ++id, acked)) return;
    if (i % 2 == 0 && !Replay(client, *source, ++id, acked)) return;
  }
}

// Creates topics "t-<round>-<n>" and deletes every other one, until the broker dies.
void Churn(const std::string& bootstrap, int round, Acked* acked) {
  RawClient client(bootstrap);
  for (int n = 0;; ++n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::string name = fmt::format("t-{}-{}", round, n);
    CreateTopicsRequest create;
    create.topics.push_back({name, 1, {}});
    auto created = TryRoundtrip(client, create, 2 * n);
    if (!created || !Accepted(*created, TopicError<CreateTopicsResponse>, acked)) return;
    {
      std::lock_guard lock(acked->mu);
      acked->created.insert(name);
      if (n % 2 == 1) continue;
      acked->delete_sent.insert(name);
    }
    auto deleted = TryRoundtrip(client, DeleteTopicsRequest{{name}}, 2 * n + 1);
    if (!deleted || !Accepted(*deleted, TopicError<DeleteTopicsResponse>, acked)) return;
    std::lock_guard lock(acked->mu);
    acked->deleted.insert(name);
  }
}

bool CreateChaosTopic(RawClient& client, const std::string& name,
                      std::vector<ConfigEntry> configs) {
  CreateTopicsRequest create;
  create.topics.push_back({name, name == "d" ? 1 : kPartitions, std::move(configs)});
  auto reply = TryRoundtrip(client, create, 0);
  return reply && reply->second.topics.at(0).error_code == ErrorCode::kNone;
}

// Every topic's partitions: log start and log end.
std::map<std::string, std::map<int32_t, std::pair<int64_t, int64_t>>> Offsets(
    const std::string& bootstrap) {
  RawClient client(bootstrap);
  auto reply = TryRoundtrip(client, MetadataRequest{}, 1);
  REQUIRE(reply);
  std::map<std::string, std::map<int32_t, std::pair<int64_t, int64_t>>> offsets;
  for (const auto& topic : reply->second.topics) {
    for (const auto& p : topic.partitions) {
      offsets[topic.name][p.partition] = {p.log_start_offset, p.log_end_offset};
    }
  }
  return offsets;
}

using Stored = std::map<int32_t, std::map<int64_t, testing::StoredRecord>>;

Stored Read(const std::string& bootstrap, const std::string& topic) {
  Stored stored;
  size_t repeated_offsets = 0;
  for (testing::StoredRecord& record : testing::ReadTopic(bootstrap, topic)) {
    auto& partition = stored[record.partition];
    repeated_offsets += partition.count(record.offset);
    partition[record.offset] = std::move(record);
  }
  CHECK(repeated_offsets == 0);
  return stored;
}

// "a" and "b": every acknowledged record at its offset, no gap, no value twice.
void VerifyPlain(const std::string& bootstrap, const std::string& topic, Acked& acked) {
  const Stored stored = Read(bootstrap, topic);
  for (int32_t partition = 0; partition < kPartitions; ++partition) {
    INFO(topic, "-", partition);
    const auto found = stored.find(partition);
    const std::map<int64_t, testing::StoredRecord> none;
    const auto& records = found == stored.end() ? none : found->second;
    // Counted, not checked one by one: a long chaos run reads millions of records.
    std::set<std::string> values;
    int64_t expected_offset = 0;
    size_t gaps = 0;
    for (const auto& [offset, record] : records) {
      gaps += offset != expected_offset++;
      values.insert(record.value.value_or(""));
    }
    CHECK(gaps == 0);
    CHECK(values.size() == records.size());  // No value twice.
    size_t lost_or_moved = 0;
    for (const auto& [offset, value] : acked.records[{topic, partition}]) {
      const auto at = records.find(offset);
      lost_or_moved += at == records.end() || at->second.value != value;
    }
    CHECK(lost_or_moved == 0);
  }
}

// "c": an acknowledged record is at its offset, or a later record of its key is.
void VerifyCompacted(const std::string& bootstrap, Acked& acked) {
  const Stored stored = Read(bootstrap, "c");
  for (int32_t partition = 0; partition < kPartitions; ++partition) {
    INFO("c-", partition);
    const auto found = stored.find(partition);
    const std::map<int64_t, testing::StoredRecord> none;
    const auto& records = found == stored.end() ? none : found->second;
    std::map<std::string, int64_t> last_of_key;
    for (const auto& [offset, record] : records) last_of_key[record.key.value_or("")] = offset;
    size_t lost = 0;
    for (const auto& [offset, value] : acked.records[{"c", partition}]) {
      const auto at = records.find(offset);
      if (at != records.end()) {
        lost += at->second.value != value;
        continue;
      }
      // Compacted away: only a later record of the same key may have replaced it. The key is
      // what Produce gave it, from the value "c/<round>/<i>/<j>".
      int round = 0, i = 0, j = 0;
      REQUIRE(std::sscanf(value.c_str(), "c/%d/%d/%d", &round, &i, &j) == 3);
      const auto last = last_of_key.find(KeyOf(i, j));
      lost += last == last_of_key.end() || last->second <= offset;
    }
    CHECK(lost == 0);
  }
}

// "r": above the log start nothing is missing, and nothing acknowledged is past the log end.
void VerifyRetained(const std::string& bootstrap, Acked& acked) {
  const Stored stored = Read(bootstrap, "r");
  // Read after the records: the cleaner may have moved the log start while they were read.
  const auto offsets = Offsets(bootstrap).at("r");
  for (int32_t partition = 0; partition < kPartitions; ++partition) {
    INFO("r-", partition);
    const auto [log_start, log_end] = offsets.at(partition);
    const auto found = stored.find(partition);
    const std::map<int64_t, testing::StoredRecord> none;
    const auto& records = found == stored.end() ? none : found->second;
    int64_t missing = 0;
    for (int64_t offset = log_start; offset < log_end; ++offset) missing += !records.count(offset);
    CHECK(missing == 0);
    size_t lost_or_moved = 0;
    for (const auto& [offset, value] : acked.records[{"r", partition}]) {
      lost_or_moved += offset >= log_end;
      if (offset < log_start) continue;  // Removed by retention.
      const auto at = records.find(offset);
      lost_or_moved += at == records.end() || at->second.value != value;
    }
    CHECK(lost_or_moved == 0);
  }
}

// "d" and "d.dlq": every acknowledged dead letter and replay where its answer said, none twice.
void VerifyDeadLetters(const std::string& bootstrap, Acked& acked) {
  const Stored sources = Read(bootstrap, "d");
  const Stored letters = Read(bootstrap, "d.dlq");
  std::map<std::string, int> copies;  // Value -> records of "d" holding it.
  for (const auto& [offset, record] : sources.count(0) ? sources.at(0) : Stored::mapped_type{}) {
    ++copies[record.value.value_or("")];
  }
  for (const auto& value_copies : copies) {  // clang 14 cannot capture a structured binding.
    INFO(value_copies.first);
    CHECK(value_copies.second <= 2);  // The original and at most one replay.
  }
  std::map<int64_t, int> letters_of;  // Source offset -> dead letters of it.
  for (const auto& [partition, records] : letters) {
    for (const auto& [offset, record] : records) {
      auto header = record.headers.find("brook.dlq.offset");
      REQUIRE(header != record.headers.end());
      ++letters_of[std::stoll(header->second)];
    }
  }
  for (const auto& source_letters : letters_of) {
    INFO("dead letters of d@", source_letters.first);
    CHECK(source_letters.second == 1);
  }
  for (const auto& source_value : acked.dead_sources) {
    const int64_t source = source_value.first;
    const std::string& value = source_value.second;
    INFO("d@", source);
    REQUIRE(sources.count(0));
    const auto at = sources.at(0).find(source);
    REQUIRE(at != sources.at(0).end());
    CHECK(at->second.value == value);
    if (auto letter = acked.dead_lettered.find(source); letter != acked.dead_lettered.end()) {
      const auto [partition, offset] = letter->second;
      REQUIRE(letters.count(partition));
      const auto copy = letters.at(partition).find(offset);
      REQUIRE(copy != letters.at(partition).end());
      CHECK(copy->second.value == value);
      CHECK(copy->second.headers.at("brook.dlq.offset") == std::to_string(source));
    }
    if (auto replay = acked.replayed.find(source); replay != acked.replayed.end()) {
      const auto copy = sources.at(0).find(replay->second);
      REQUIRE(copy != sources.at(0).end());
      CHECK(copy->second.value == value);
      CHECK(copy->second.headers.count(std::string(kReplayedFromHeader)) == 1);
    }
  }
}

// An acknowledged deletion holds; an acknowledged creation holds unless a deletion was sent.
void VerifyTopics(const std::string& bootstrap, Acked& acked) {
  const auto offsets = Offsets(bootstrap);
  for (const std::string& name : acked.deleted) {
    INFO(name);
    CHECK(offsets.count(name) == 0);
  }
  for (const std::string& name : acked.created) {
    INFO(name);
    if (acked.delete_sent.count(name) == 0) CHECK(offsets.count(name) == 1);
  }
}

void Verify(const std::string& bootstrap, Acked& acked) {
  std::lock_guard lock(acked.mu);
  VerifyPlain(bootstrap, "a", acked);
  VerifyPlain(bootstrap, "b", acked);
  VerifyCompacted(bootstrap, acked);
  VerifyRetained(bootstrap, acked);
  VerifyDeadLetters(bootstrap, acked);
  VerifyTopics(bootstrap, acked);
  RawClient client(bootstrap);
  OffsetFetchRequest fetch;
  fetch.group_id = "g";
  auto reply = TryRoundtrip(client, fetch, 1);
  REQUIRE(reply);
  std::map<int32_t, int64_t> committed;
  for (const auto& topic : reply->second.topics) {
    for (const auto& p : topic.partitions) committed[p.partition] = p.committed_offset;
  }
  for (const auto& [partition, offset] : acked.commit_acked) {
    // An acknowledged commit holds; one sent but not acknowledged may have landed too.
    CHECK(committed[partition] >= offset);
    CHECK(committed[partition] <= acked.commit_sent[partition]);
  }
}

int EnvOr(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : fallback;
}

TEST_CASE("chaos: kill -9 under mixed load loses, moves and duplicates no acknowledged record") {
  const unsigned seed = static_cast<unsigned>(EnvOr("BROOK_CHAOS_SEED", std::random_device{}()));
  const int rounds = EnvOr("BROOK_CHAOS_ROUNDS", 10);
  MESSAGE("BROOK_CHAOS_SEED=", seed, " BROOK_CHAOS_ROUNDS=", rounds);
  std::mt19937 random(seed);
  testing::TempDir dir;
  testing::ChildBroker broker(dir.path());
  // The background cleaner runs often, so retention and compaction race the load too.
  const std::vector<std::string> flags = {"--log-cleanup-interval-ms", "100"};
  REQUIRE(broker.Start(flags));
  {
    RawClient client(broker.bootstrap());
    REQUIRE(CreateChaosTopic(client, "a", {}));
    REQUIRE(CreateChaosTopic(client, "b", {}));
    REQUIRE(CreateChaosTopic(client, "c", kCompacted));
    REQUIRE(CreateChaosTopic(client, "r", kRetained));
    REQUIRE(CreateChaosTopic(client, "d", {}));
  }
  Acked acked;
  const std::string bootstrap = broker.bootstrap();
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::thread> load;
    load.emplace_back([&] { Produce(bootstrap, "a", kAcksLeader, false, round, &acked); });
    load.emplace_back([&] { Produce(bootstrap, "b", kAcksAll, false, round, &acked); });
    load.emplace_back([&] { Produce(bootstrap, "c", kAcksLeader, true, round, &acked); });
    load.emplace_back([&] { Produce(bootstrap, "r", kAcksLeader, false, round, &acked); });
    load.emplace_back([&] { Commit(bootstrap, &acked); });
    load.emplace_back([&] { Compact(bootstrap, &acked); });
    load.emplace_back([&] { DeadLetterAndReplay(bootstrap, round, &acked); });
    load.emplace_back([&] { Churn(bootstrap, round, &acked); });
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1500)(random)));
    broker.Kill();
    for (std::thread& t : load) t.join();
    REQUIRE(broker.Start(flags));
    Verify(bootstrap, acked);
  }
  CHECK(acked.refused.load() == 0);
  std::lock_guard lock(acked.mu);
  size_t records = 0;
  for (const auto& partition : acked.records) records += partition.second.size();
  MESSAGE(rounds, " kills; acknowledged: ", records, " records, ", acked.compactions.load(),
          " compactions, ", acked.dead_lettered.size(), " dead letters, ", acked.replayed.size(),
          " replays, ", acked.created.size(), " topics created, ", acked.deleted.size(),
          " deleted");
  // Every kind of work was acknowledged at least once.
  CHECK(acked.records.size() == 4 * kPartitions);
  CHECK(acked.commit_acked.size() == kPartitions);
  CHECK(acked.compactions.load() > 0);
  CHECK(!acked.dead_lettered.empty());
  CHECK(!acked.replayed.empty());
  CHECK(!acked.deleted.empty());
}

}  // namespace
}  // namespace brook
