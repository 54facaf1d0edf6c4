// The broker's metrics (docs/metrics.md) over real TCP: the numbers a scrape shows are the
// records produced, fetched and committed, the lag a commit leaves, the group's members and
// rebalances, the dead letters; and promtool accepts the text.
#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

#include "client/consumer.h"
#include "tests/support/embedded_fixture.h"
#include "tests/support/metrics_text.h"

namespace brook {
namespace {

using std::chrono::milliseconds;
using testing::Sample;

EmbeddedBrokerOptions ManualClock() {
  EmbeddedBrokerOptions options;
  options.config.clock = ClockMode::kManual;
  return options;
}

void CheckWithPromtool(const std::string& text) {
  testing::CommandResult check = testing::PromtoolCheck(text);
  INFO(check.out, check.err);
  CHECK(check.exit_code == 0);
}

// Every family the text has is in docs/metrics.md and every metric the doc's tables and the
// Grafana dashboard name is in the text (a broker with a group, a dead letter and a data dir
// has them all).
void CheckDocumented(const std::string& text) {
  const std::string doc = testing::ReadFile(BROOK_SOURCE_DIR "/docs/metrics.md");
  const std::string dashboard = testing::ReadFile(BROOK_SOURCE_DIR "/packaging/grafana/brook.json");
  REQUIRE(!doc.empty());
  REQUIRE(!dashboard.empty());
  const std::regex type_line("# TYPE ([a-z_]+) ");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), type_line);
       it != std::sregex_iterator(); ++it) {
    INFO((*it)[1].str());
    CHECK(doc.find("`" + (*it)[1].str() + "`") != std::string::npos);
  }
  const std::regex doc_row("\\n\\| `((brook|process)_[a-z_]+)` \\|");
  const std::regex named("(brook|process)_[a-z_]+");
  for (const std::string* source : {&doc, &dashboard}) {
    for (auto it = std::sregex_iterator(source->begin(), source->end(),
                                        source == &doc ? doc_row : named);
         it != std::sregex_iterator(); ++it) {
      std::string name = (*it)[source == &doc ? 1 : 0].str();
      for (const char* suffix : {"_bucket", "_count", "_sum"}) {
        if (name.ends_with(suffix) && text.find("# TYPE " + name) == std::string::npos) {
          name.resize(name.size() - std::string_view(suffix).size());
        }
      }
      INFO(name);
      CHECK(text.find("# TYPE " + name + " ") != std::string::npos);
    }
  }
}

// Polls `consumer` until it returned `count` records (at most 20 s); `polled` keeps what the
// records point into.
std::vector<ConsumerRecord> PollRecords(Consumer& consumer, size_t count,
                                        std::vector<ConsumerRecords>& polled) {
  std::vector<ConsumerRecord> records;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
    absl::StatusOr<ConsumerRecords> batch = consumer.Poll(milliseconds(200));
    REQUIRE(batch.ok());
    for (const ConsumerRecord& record : *batch) records.push_back(record);
    polled.push_back(*std::move(batch));
  }
  return records;
}

TEST_CASE("metrics: records in and out per partition, a group's lag in records and seconds") {
  testing::EmbeddedFixture fx(ManualClock(), {.acks = -1});
  REQUIRE(fx.admin->CreateTopic({.name = "orders", .partitions = 2}).ok());
  const int64_t now = fx.broker.ClockNowMs();
  for (int i = 0; i < 5; ++i) {
    // Record i was written 30 - i seconds ago.
    const std::string value = "order " + std::to_string(i);
    REQUIRE(fx.producer
                ->Send({.topic = "orders", .partition = 0, .value = value,
                        .timestamp_ms = now - 30000 + i * 1000})
                .get()
                .ok());
  }
  auto consumer = Consumer::Create({.bootstrap = fx.broker.bootstrap(),
                                    .auto_offset_reset = OffsetReset::kEarliest});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Assign({{"orders", PartitionId(0)}}).ok());
  std::vector<ConsumerRecords> polled;
  REQUIRE(PollRecords(**consumer, 5, polled).size() == 5);
  REQUIRE(fx.admin->AlterGroupOffsets("billing", {{{"orders", PartitionId(0)}, 2}}).ok());

  const std::string text = fx.broker.MetricsText();
  const std::map<std::string, std::string> p0 = {{"topic", "orders"}, {"partition", "0"}};
  const std::map<std::string, std::string> p1 = {{"topic", "orders"}, {"partition", "1"}};
  CHECK(Sample(text, "brook_partition_appended_records_total", p0) == 5);
  CHECK(Sample(text, "brook_partition_appended_records_total", p1) == 0);
  CHECK(Sample(text, "brook_partition_fetched_records_total", p0) == 5);
  CHECK(Sample(text, "brook_partition_appended_bytes_total", p0) > 0);
  CHECK(Sample(text, "brook_partition_fetched_bytes_total", p0) ==
        Sample(text, "brook_partition_appended_bytes_total", p0));
  CHECK(Sample(text, "brook_partition_log_start_offset", p0) == 0);
  CHECK(Sample(text, "brook_partition_log_end_offset", p0) == 5);
  CHECK(Sample(text, "brook_partition_size_bytes", p0) > 0);
  const std::map<std::string, std::string> billing = {
      {"group", "billing"}, {"topic", "orders"}, {"partition", "0"}};
  CHECK(Sample(text, "brook_group_committed_offset", billing) == 2);
  CHECK(Sample(text, "brook_group_lag_records", billing) == 3);
  CHECK(Sample(text, "brook_group_lag_seconds", billing) == doctest::Approx(28));  // Record 2.
  CHECK(Sample(text, "brook_requests_total", {{"listener", "brook"}, {"api", "Produce"}}) >= 1);
  CHECK(Sample(text, "brook_request_duration_seconds_count",
               {{"listener", "brook"}, {"api", "Fetch"}}) >= 1);
  CHECK(Sample(text, "brook_wal_fsync_duration_seconds_count") >= 1);  // acks=all.
  CHECK(Sample(text, "brook_connections", {{"listener", "brook"}}) >= 3);
  CHECK(Sample(text, "brook_disk_used_bytes") > 0);
  CHECK(Sample(text, "process_resident_memory_bytes") > 0);
  CheckWithPromtool(text);

  // Time passes: the oldest unconsumed record ages; a commit at the end leaves no lag.
  REQUIRE(fx.broker.AdvanceClock(std::chrono::seconds(10)).ok());
  CHECK(Sample(fx.broker.MetricsText(), "brook_group_lag_seconds", billing) ==
        doctest::Approx(38));
  REQUIRE(fx.admin->AlterGroupOffsets("billing", {{{"orders", PartitionId(0)}, 5}}).ok());
  const std::string caught_up = fx.broker.MetricsText();
  CHECK(Sample(caught_up, "brook_group_lag_records", billing) == 0);
  CHECK(Sample(caught_up, "brook_group_lag_seconds", billing) == 0);
}

TEST_CASE("metrics: a group's members, state and rebalances; dead letters by reason and depth") {
  testing::EmbeddedFixture fx({}, {.acks = -1});
  REQUIRE(fx.admin->CreateTopic({.name = "orders", .partitions = 1}).ok());
  REQUIRE(fx.producer->Send({.topic = "orders", .value = "poison"}).get().ok());
  REQUIRE(fx.producer->Send({.topic = "orders", .value = "fine"}).get().ok());
  auto consumer = Consumer::Create({.bootstrap = fx.broker.bootstrap(),
                                    .auto_offset_reset = OffsetReset::kEarliest,
                                    .group_id = "billing",
                                    .enable_auto_commit = false});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Subscribe({"orders"}).ok());
  std::vector<ConsumerRecords> polled;
  std::vector<ConsumerRecord> records = PollRecords(**consumer, 2, polled);
  REQUIRE(records.size() == 2);
  REQUIRE((*consumer)
              ->DeadLetter(records[0], {.reason = "timeout calling billing: 503 after 3 tries",
                                        .attempts = 3})
              .ok());
  // And one failed request, so that every family has a series.
  REQUIRE(fx.broker.AddFault({.api = "ListGroups", .error_code = 42, .count = 1}).ok());
  CHECK(!fx.admin->ListGroups().ok());

  const std::string text = fx.broker.MetricsText();
  const std::map<std::string, std::string> group = {{"group", "billing"}, {"kind", "brook"}};
  CHECK(Sample(text, "brook_group_members", group) == 1);
  CHECK(Sample(text, "brook_group_state",
               {{"group", "billing"}, {"kind", "brook"}, {"state", "Stable"}}) == 1);
  CHECK(Sample(text, "brook_group_state",
               {{"group", "billing"}, {"kind", "brook"}, {"state", "Empty"}}) == 0);
  CHECK(Sample(text, "brook_group_rebalances_total", group) == 1);
  CHECK(Sample(text, "brook_group_last_rebalance_seconds", group) > 0);  // The initial delay.
  const std::map<std::string, std::string> source = {{"topic", "orders"}, {"group", "billing"}};
  CHECK(Sample(text, "brook_dead_letters_total", source) == 1);
  CHECK(Sample(text, "brook_dead_letters_replayed_total", source) == 0);
  CHECK(Sample(text, "brook_dead_letter_reasons_total",
               {{"topic", "orders"}, {"group", "billing"}, {"reason", "timeout calling billing"}}) ==
        1);
  CHECK(Sample(text, "brook_dead_letter_topic_records", {{"topic", "orders.dlq"}}) == 1);
  CHECK(!Sample(text, "brook_dead_letter_topic_records", {{"topic", "orders"}}));
  // The dead letter committed past the record: one record left.
  CHECK(Sample(text, "brook_group_lag_records",
               {{"group", "billing"}, {"topic", "orders"}, {"partition", "0"}}) == 1);
  CHECK(Sample(text, "brook_requests_total", {{"listener", "brook"}, {"api", "DeadLetter"}}) ==
        1);
  CheckWithPromtool(text);
  CheckDocumented(text);

  (*consumer)->Close();
  const std::string after = fx.broker.MetricsText();
  CHECK(Sample(after, "brook_group_members", group) == 0);
  CHECK(Sample(after, "brook_group_state",
               {{"group", "billing"}, {"kind", "brook"}, {"state", "Empty"}}) == 1);
}

TEST_CASE("metrics: request errors are counted by error code name") {
  testing::EmbeddedFixture fx;
  REQUIRE(fx.broker.AddFault({.api = "ListGroups", .error_code = 42, .count = 1}).ok());
  CHECK(!fx.admin->ListGroups().ok());
  CHECK(fx.admin->ListGroups().ok());
  const std::string text = fx.broker.MetricsText();
  CHECK(Sample(text, "brook_requests_total", {{"listener", "brook"}, {"api", "ListGroups"}}) ==
        2);
  CHECK(Sample(text, "brook_request_errors_total",
               {{"listener", "brook"}, {"api", "ListGroups"}, {"code", "INVALID_REQUEST"}}) == 1);
  CheckWithPromtool(text);
}

}  // namespace
}  // namespace brook
