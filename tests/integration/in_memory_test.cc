// EmbeddedBroker with in_memory: it serves brook's clients like any broker, makes no
// directory, and forgets everything when it stops.
#include <doctest/doctest.h>

#include <filesystem>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "tests/support/scoped_env.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

TEST_CASE("an in-memory embedded broker serves records, writes no file and restarts empty") {
  testing::TempDir tmp;  // The broker's $TMPDIR: where it would make its data dir.
  testing::ScopedEnv tmpdir("TMPDIR", tmp.path());
  {
    EmbeddedBroker broker({.in_memory = true});
    CHECK(broker.data_dir().empty());
    auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
    REQUIRE(admin.ok());
    REQUIRE((*admin)->CreateTopic({.name = "orders", .partitions = 2}).ok());
    auto producer = Producer::Create({.bootstrap = broker.bootstrap(), .acks = -1});
    REQUIRE(producer.ok());
    absl::StatusOr<RecordMetadata> sent =
        (*producer)->Send({.topic = "orders", .partition = 1, .key = "k", .value = "v"}).get();
    REQUIRE(sent.ok());
    CHECK(sent->offset == 0);

    auto consumer = Consumer::Create(
        {.bootstrap = broker.bootstrap(), .auto_offset_reset = OffsetReset::kEarliest});
    REQUIRE(consumer.ok());
    REQUIRE((*consumer)->Assign({{"orders", PartitionId(1)}}).ok());
    std::vector<std::string> values;
    for (int i = 0; i < 40 && values.empty(); ++i) {
      auto records = (*consumer)->Poll(std::chrono::milliseconds(250));
      REQUIRE(records.ok());
      for (const ConsumerRecord& r : *records) values.emplace_back(r.value.value_or(""));
    }
    CHECK(values == std::vector<std::string>{"v"});
    (*consumer).reset();
    (*producer).reset();

    REQUIRE(broker.Restart().ok());
    auto topics = (*admin)->ListTopics();
    REQUIRE(topics.ok());
    CHECK(topics->empty());
  }
  CHECK(std::filesystem::is_empty(tmp.path()));
}

}  // namespace
}  // namespace brook
