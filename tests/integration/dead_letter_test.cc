// Dead letters end to end over TCP: RecordProcessor retries and dead-letters poison records,
// the broker copies them with brook.dlq.* headers and commits past them atomically and once,
// a retrying partition does not hold up the others, and replays go back exactly once.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/record_processor.h"
#include "protocol/dead_letters.h"
#include "protocol/error_codes.h"
#include "protocol/partitioner.h"
#include "tests/support/embedded_fixture.h"
#include "tests/support/topic_reader.h"

namespace brook {
namespace {

using std::chrono::milliseconds;
using testing::ReadTopic;
using testing::StoredRecord;

struct Fixture : testing::EmbeddedFixture {
  Fixture() : EmbeddedFixture({}, {.acks = -1}) {}

  void CreateTopic(const std::string& name, int partitions,
                   std::map<std::string, std::string> configs = {}) {
    REQUIRE(admin->CreateTopic({.name = name, .partitions = partitions, .configs = configs}).ok());
  }
  void Produce(const std::string& topic, int32_t partition, const std::string& key,
               const std::string& value) {
    const std::string trace = "trace-" + value;
    const HeaderView headers[] = {{"trace-id", trace}};
    auto sent = producer->Send({.topic = topic, .partition = partition, .key = key,
                                .value = value, .headers = headers})
                    .get();
    REQUIRE(sent.ok());
  }
  RecordProcessor::Options Options(const std::string& group, const std::string& topic) {
    RecordProcessor::Options options;
    options.consumer.bootstrap = broker.bootstrap();
    options.consumer.group_id = group;
    options.consumer.auto_offset_reset = OffsetReset::kEarliest;
    options.consumer.session_timeout = std::chrono::seconds(10);
    options.topics = {topic};
    options.retry.max_attempts = 3;
    options.retry.initial_backoff = milliseconds(5);
    options.retry.max_backoff = milliseconds(20);
    options.commit_interval = milliseconds(50);
    return options;
  }
  // The group's committed offset of each partition of `topic` (-1: none).
  std::map<int32_t, int64_t> Committed(const std::string& group, const std::string& topic) {
    auto offsets = admin->ListGroupOffsets(group);
    REQUIRE(offsets.ok());
    std::map<int32_t, int64_t> out;
    for (const auto& c : *offsets) {
      if (c.partition.topic == topic) out[c.partition.partition.value] = c.offset;
    }
    return out;
  }
  std::map<int32_t, int64_t> LogEnds(const std::string& topic) {
    auto description = admin->DescribeTopic(topic);
    REQUIRE(description.ok());
    std::map<int32_t, int64_t> out;
    for (const auto& p : description->partitions) out[p.partition] = p.log_end_offset;
    return out;
  }
};

// Runs rounds until `done` or a generous deadline (a failure, not a hang).
void RunUntil(RecordProcessor& processor, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    absl::Status status = processor.RunOnce(milliseconds(50));
    REQUIRE_MESSAGE(status.ok(), status.ToString());
  }
}

TEST_CASE("poison records are dead-lettered once each; the rest are processed in order") {
  Fixture f;
  f.CreateTopic("orders", 3);
  // 3 x 40 records; every 7th is poison, every 5th (not poison) fails twice before it works.
  std::set<std::pair<int32_t, int64_t>> poison, flaky;
  for (int32_t p = 0; p < 3; ++p) {
    for (int64_t i = 0; i < 40; ++i) {
      const bool is_poison = i % 7 == 3;
      if (is_poison) poison.insert({p, i});
      if (!is_poison && i % 5 == 1) flaky.insert({p, i});
      f.Produce("orders", p, "customer-" + std::to_string((p * 40 + i) % 11),
                (is_poison ? "poison-" : "order-") + std::to_string(p) + "-" + std::to_string(i));
    }
  }
  std::map<std::pair<int32_t, int64_t>, int> attempts;
  std::map<int32_t, std::vector<int64_t>> succeeded;  // Per partition, in handling order.
  auto handler = [&](const ConsumerRecord& r) {
    const std::pair<int32_t, int64_t> id{r.partition, r.offset};
    const int attempt = ++attempts[id];
    if (r.value->starts_with("poison")) return RecordOutcome::Permanent("poison value");
    if (flaky.contains(id) && attempt <= 2) {
      return RecordOutcome::Retry("downstream timeout, attempt " + std::to_string(attempt));
    }
    succeeded[r.partition].push_back(r.offset);
    return RecordOutcome::Success();
  };
  auto processor = RecordProcessor::Create(f.Options("billing", "orders"), handler);
  REQUIRE(processor.ok());
  RunUntil(**processor, [&] {
    return (*processor)->stats().succeeded + (*processor)->stats().dead_lettered == 120;
  });
  (*processor)->Close();

  // Everything but the poison was processed once, in offset order per partition.
  for (int32_t p = 0; p < 3; ++p) {
    std::vector<int64_t> expected;
    for (int64_t i = 0; i < 40; ++i) {
      if (!poison.contains({p, i})) expected.push_back(i);
    }
    CHECK(succeeded[p] == expected);
  }
  for (const auto& id : flaky) CHECK(attempts[id] == 3);
  for (const auto& id : poison) CHECK(attempts[id] == 1);  // Permanent: no retry.
  CHECK((*processor)->stats().dead_lettered == static_cast<int64_t>(poison.size()));
  CHECK((*processor)->stats().failed_attempts ==
        static_cast<int64_t>(poison.size() + 2 * flaky.size()));

  // The DLQ holds exactly the poison records, once each, with their story in headers.
  std::vector<StoredRecord> dead = ReadTopic(f.broker.bootstrap(), "orders.dlq");
  std::set<std::pair<int32_t, int64_t>> seen;
  for (const StoredRecord& d : dead) {
    const int32_t source_partition = std::stoi(d.headers.at("brook.dlq.partition"));
    const int64_t source_offset = std::stoll(d.headers.at("brook.dlq.offset"));
    CHECK(seen.insert({source_partition, source_offset}).second);
    CHECK(d.headers.at("brook.dlq.topic") == "orders");
    CHECK(d.headers.at("brook.dlq.reason") == "poison value");
    CHECK(d.headers.at("brook.dlq.attempts") == "1");
    CHECK(d.headers.at("brook.dlq.group") == "billing");
    CHECK(!d.headers.at("brook.dlq.member").empty());
    CHECK(d.headers.at("brook.dlq.client-id") == "brook-consumer");
    CHECK(d.value == "poison-" + std::to_string(source_partition) + "-" +
                         std::to_string(source_offset));
    CHECK(d.headers.at("trace-id") == "trace-" + *d.value);  // Original headers kept.
    // The same key always lands in the same dead-letter partition.
    CHECK(d.partition == PartitionForKey(*d.key, 3));
  }
  CHECK(seen == poison);

  // The group's offsets end at the log end; the broker counted the dead letters.
  CHECK(f.Committed("billing", "orders") == f.LogEnds("orders"));
  auto stats = f.admin->DeadLetterStats({"orders"});
  REQUIRE(stats.ok());
  REQUIRE(stats->size() == 1);
  CHECK((*stats)[0].group == "billing");
  CHECK((*stats)[0].dead_lettered == static_cast<int64_t>(poison.size()));
  CHECK((*stats)[0].replayed == 0);
}

TEST_CASE("a record that keeps failing is dead-lettered after max_attempts with its failure times") {
  Fixture f;
  f.CreateTopic("payments", 1);
  f.Produce("payments", 0, "k", "always-fails");
  f.Produce("payments", 0, "k", "fine");
  std::vector<std::string> handled;
  auto processor = RecordProcessor::Create(
      f.Options("ledger", "payments"), [&](const ConsumerRecord& r) {
        handled.emplace_back(*r.value);
        if (*r.value == "always-fails") return RecordOutcome::Retry("service unavailable");
        return RecordOutcome::Success();
      });
  REQUIRE(processor.ok());
  RunUntil(**processor, [&] { return (*processor)->stats().succeeded == 1; });
  CHECK(handled == std::vector<std::string>{"always-fails", "always-fails", "always-fails", "fine"});
  std::vector<StoredRecord> dead = ReadTopic(f.broker.bootstrap(), "payments.dlq");
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].headers.at("brook.dlq.attempts") == "3");
  CHECK(dead[0].headers.at("brook.dlq.reason") == "service unavailable");
  CHECK(std::stoll(dead[0].headers.at("brook.dlq.first-failure-ms")) <=
        std::stoll(dead[0].headers.at("brook.dlq.last-failure-ms")));
  // The dead-letter topic was created like the source, with long retention.
  auto description = f.admin->DescribeTopic("payments.dlq");
  REQUIRE(description.ok());
  CHECK(description->partitions.size() == 1);
  CHECK(description->configs.at("retention.ms") == "7776000000");
}

TEST_CASE("a handler that throws is retried like a retryable failure") {
  Fixture f;
  f.CreateTopic("events", 1);
  f.Produce("events", 0, "k", "boom");
  auto processor = RecordProcessor::Create(
      f.Options("g", "events"),
      [&](const ConsumerRecord&) -> RecordOutcome { throw std::runtime_error("parse error"); });
  REQUIRE(processor.ok());
  RunUntil(**processor, [&] { return (*processor)->stats().dead_lettered == 1; });
  CHECK((*processor)->stats().failed_attempts == 3);
  CHECK(ReadTopic(f.broker.bootstrap(), "events.dlq").at(0).headers.at("brook.dlq.reason") ==
        "parse error");
}

TEST_CASE("while one partition backs off, the others keep flowing; its order is kept") {
  Fixture f;
  f.CreateTopic("mixed", 2);
  for (int i = 0; i < 5; ++i) f.Produce("mixed", 0, "a", "slow-" + std::to_string(i));
  for (int i = 0; i < 50; ++i) f.Produce("mixed", 1, "b", "fast-" + std::to_string(i));
  std::vector<std::string> events;  // Handling order of successes and failures.
  bool failed_once = false;
  auto options = f.Options("flow", "mixed");
  options.retry.initial_backoff = std::chrono::seconds(2);  // Far longer than partition 1 needs.
  options.retry.max_backoff = std::chrono::seconds(2);
  auto processor = RecordProcessor::Create(options, [&](const ConsumerRecord& r) {
    if (*r.value == "slow-0" && !failed_once) {
      failed_once = true;
      events.push_back("fail slow-0");
      return RecordOutcome::Retry("not yet");
    }
    events.push_back(std::string(*r.value));
    return RecordOutcome::Success();
  });
  REQUIRE(processor.ok());
  RunUntil(**processor, [&] { return (*processor)->stats().succeeded == 55; });
  // Partition 1 finished while partition 0 waited out its backoff.
  const auto fail = std::find(events.begin(), events.end(), "fail slow-0");
  const auto retry = std::find(events.begin(), events.end(), "slow-0");
  const auto last_fast = std::find(events.begin(), events.end(), "fast-49");
  REQUIRE(fail != events.end());
  REQUIRE(retry != events.end());
  CHECK(last_fast < retry);
  // Partition 0 kept its order: slow-1..4 only after slow-0 succeeded.
  std::vector<std::string> slow;
  for (const std::string& e : events) {
    if (e.starts_with("slow")) slow.push_back(e);
  }
  CHECK(slow == std::vector<std::string>{"slow-0", "slow-1", "slow-2", "slow-3", "slow-4"});
}

TEST_CASE("dead-lettering is idempotent and fenced, and dlq.topic picks the topic") {
  Fixture f;
  f.CreateTopic("signups", 2, {{"dlq.topic", "signups-parked"}});
  f.Produce("signups", 1, "user-1", "bad-email");
  auto consumer = Consumer::Create({.bootstrap = f.broker.bootstrap(),
                                    .auto_offset_reset = OffsetReset::kEarliest,
                                    .group_id = "mailer"});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Subscribe({"signups"}).ok());
  std::optional<ConsumerRecords> records;
  for (int i = 0; i < 100 && (!records || records->empty()); ++i) {
    auto polled = (*consumer)->Poll(milliseconds(100));
    REQUIRE(polled.ok());
    records = *polled;
  }
  REQUIRE(records->size() == 1);
  const ConsumerRecord& record = (*records)[0];
  RecordFailure failure{"invalid email", 1, 1000, 1000};
  auto first = (*consumer)->DeadLetter(record, failure);
  REQUIRE(first.ok());
  CHECK_FALSE(first->duplicate);
  CHECK(first->dlq.topic == "signups-parked");
  CHECK(first->dlq.partition.value == PartitionForKey("user-1", 2));
  auto again = (*consumer)->DeadLetter(record, failure);  // A retry after a lost answer.
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->offset == first->offset);
  CHECK(ReadTopic(f.broker.bootstrap(), "signups-parked").size() == 1);
  CHECK(f.Committed("mailer", "signups").at(1) == 1);

  // Someone outside the group (no member id, generation -1) cannot dead-letter for it.
  auto outsider = Consumer::Create({.bootstrap = f.broker.bootstrap(), .group_id = "mailer"});
  REQUIRE(outsider.ok());
  REQUIRE((*outsider)->Assign({{"signups", PartitionId(1)}}).ok());
  auto fenced = (*outsider)->DeadLetter(record, failure);
  CHECK(CodeOf(fenced.status()) == ErrorCode::kNonEmptyGroup);

  // Bad input gets a clear error and writes nothing.
  CHECK(CodeOf((*consumer)->DeadLetter(record, {"x", 0, 0, 0}).status()) ==
        ErrorCode::kInvalidRequest);
  ConsumerRecord missing = record;
  missing.offset = 99;
  auto gone = (*consumer)->DeadLetter(missing, failure);
  CHECK(CodeOf(gone.status()) == ErrorCode::kOffsetOutOfRange);
  CHECK(ReadTopic(f.broker.bootstrap(), "signups-parked").size() == 1);
}

TEST_CASE("replay sends dead letters back once; a dry run changes nothing") {
  Fixture f;
  f.CreateTopic("jobs", 1);
  for (int i = 0; i < 4; ++i) f.Produce("jobs", 0, "job-" + std::to_string(i), "bad-" + std::to_string(i));
  auto processor = RecordProcessor::Create(
      f.Options("workers", "jobs"),
      [](const ConsumerRecord&) { return RecordOutcome::Permanent("bug #42"); });
  REQUIRE(processor.ok());
  RunUntil(**processor, [&] { return (*processor)->stats().dead_lettered == 4; });
  (*processor)->Close();
  const TopicPartition dlq{"jobs.dlq", PartitionId(0)};

  auto dry = f.admin->ReplayDeadLetters(dlq, {0, 1, 2, 3}, /*dry_run=*/true);
  REQUIRE(dry.ok());
  for (const DeadLetterReplay& r : *dry) {
    CHECK(r.status.ok());
    CHECK_FALSE(r.already_replayed);
    CHECK(r.target == TopicPartition{"jobs", PartitionId(0)});
    CHECK(r.replayed_offset == -1);
  }
  CHECK(f.LogEnds("jobs").at(0) == 4);

  auto partial = f.admin->ReplayDeadLetters(dlq, {1, 2});  // Interrupted after two...
  REQUIRE(partial.ok());
  auto rest = f.admin->ReplayDeadLetters(dlq, {0, 1, 2, 3});  // ...and run again in full.
  REQUIRE(rest.ok());
  CHECK((*rest)[1].already_replayed);
  CHECK((*rest)[2].already_replayed);
  CHECK((*rest)[1].replayed_offset == (*partial)[0].replayed_offset);
  CHECK_FALSE((*rest)[0].already_replayed);
  CHECK_FALSE((*rest)[3].already_replayed);

  std::vector<StoredRecord> jobs = ReadTopic(f.broker.bootstrap(), "jobs");
  REQUIRE(jobs.size() == 8);  // 4 originals + each dead letter once.
  std::set<std::string> replayed_from;
  for (size_t i = 4; i < jobs.size(); ++i) {
    CHECK(replayed_from.insert(jobs[i].headers.at("brook.replayed-from")).second);
    CHECK(jobs[i].headers.count("brook.dlq.reason") == 0);
    CHECK(jobs[i].headers.at("trace-id") == "trace-" + *jobs[i].value);
    CHECK(jobs[i].key->starts_with("job-"));
  }
  CHECK(replayed_from ==
        std::set<std::string>{"jobs.dlq-0@0", "jobs.dlq-0@1", "jobs.dlq-0@2", "jobs.dlq-0@3"});
  auto stats = f.admin->DeadLetterStats();
  REQUIRE(stats.ok());
  REQUIRE(stats->size() == 1);
  CHECK((*stats)[0].dead_lettered == 4);
  CHECK((*stats)[0].replayed == 4);

  // Per-record errors: no record there, or not a dead letter.
  f.Produce("jobs.dlq", 0, "k", "not-a-dead-letter");
  auto errors = f.admin->ReplayDeadLetters(dlq, {4, 99});
  REQUIRE(errors.ok());
  CHECK(CodeOf((*errors)[0].status) == ErrorCode::kInvalidRecord);
  CHECK(CodeOf((*errors)[1].status) == ErrorCode::kOffsetOutOfRange);
  CHECK(CodeOf(f.admin->ReplayDeadLetters({"nope", PartitionId(0)}, {0}).status()) ==
        ErrorCode::kUnknownTopicOrPartition);
}

}  // namespace
}  // namespace brook
