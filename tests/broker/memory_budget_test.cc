// MemoryBudget (broker/memory_budget.h), and the broker's memory under the two attacks that
// found it missing: unread Fetch answers piling up, and many connections each declaring a
// large frame and sending part of it. The broker runs as a child process, and its peak RSS
// (VmHWM, reset before each attack) stays near its budget while another client is served.
#include <doctest/doctest.h>

#include <sys/socket.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "broker/memory_budget.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "tests/support/child_broker.h"
#include "tests/support/raw_client.h"
#include "tests/support/temp_dir.h"

namespace brook {
namespace {

TEST_CASE("MemoryBudget charges up to its limit, one oversized charge alone") {
  MemoryBudget budget(100, 10);
  CHECK(budget.TryCharge(60));
  CHECK_FALSE(budget.TryCharge(50));
  CHECK(budget.Available() == 40);
  budget.Charge(50);  // Unconditional: may go over.
  CHECK(budget.used() == 110);
  CHECK(budget.Available() == 0);
  int woken = 0;
  budget.OnRelease([&] { ++woken; });
  budget.Release(110);
  CHECK(woken == 1);
  budget.Release(0);
  CHECK(woken == 1);  // A wake-up runs once.
  CHECK(budget.TryCharge(1000));  // Nothing charged: an oversized request proceeds alone.
  CHECK_FALSE(budget.TryCharge(1));
}

// The broker's resident memory, in MiB: its peak since the last reset, or now.
int64_t MemoryMiB(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1)) / 1024;
  }
  FAIL("no " << field << " for " << pid);
  return 0;
}

void ResetPeak(pid_t pid) { std::ofstream("/proc/" + std::to_string(pid) + "/clear_refs") << "5"; }

constexpr int64_t kBudgetMiB = 32;
// What the broker may hold beyond its budget: each waiting connection's first read, one batch
// per fetch answered from an empty budget, allocator slack.
constexpr int64_t kMarginMiB = 48;

struct Broker {
  testing::TempDir dir;
  testing::ChildBroker child{dir.path()};
  Broker() {
    // ASan's quarantine would keep freed answers resident: measure what the broker holds.
    ::setenv("ASAN_OPTIONS", "quarantine_size_mb=1:detect_leaks=0", 1);
    REQUIRE(child.Start({"--max-in-flight-bytes", std::to_string(kBudgetMiB << 20),
                         "--fetch-max-bytes", std::to_string(16 << 20)}));
  }
};

// A client that keeps working while the broker is under attack: produces and reads back.
void CheckServed(const std::string& bootstrap, const std::string& topic) {
  auto producer = Producer::Create({.bootstrap = bootstrap});
  REQUIRE(producer.ok());
  auto sent = (*producer)->Send({.topic = topic, .value = "still served"}).get();
  REQUIRE(sent.ok());
  auto consumer = Consumer::Create({.bootstrap = bootstrap});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Assign({{topic, PartitionId(0)}}).ok());
  REQUIRE((*consumer)->Seek({topic, PartitionId(0)}, sent->offset).ok());
  auto records = (*consumer)->Poll(std::chrono::seconds(10));
  REQUIRE(records.ok());
  REQUIRE(records->size() == 1);
  CHECK(*(*records)[0].value == "still served");
}

TEST_CASE("unread Fetch answers stay within the memory budget") {
  Broker broker;
  const std::string bootstrap = broker.child.bootstrap();
  constexpr int kPartitions = 48;
  auto admin = Admin::Create({.bootstrap = bootstrap});
  REQUIRE(admin.ok());
  REQUIRE((*admin)->CreateTopic({.name = "big", .partitions = kPartitions}).ok());
  REQUIRE((*admin)->CreateTopic({.name = "small", .partitions = 1}).ok());
  {  // 1 MiB in each partition.
    auto producer = Producer::Create({.bootstrap = bootstrap});
    REQUIRE(producer.ok());
    const std::string value(64 << 10, 'v');
    for (int p = 0; p < kPartitions; ++p) {
      for (int i = 0; i < 16; ++i) {
        (*producer)->Send({.topic = "big", .partition = p, .value = value}, nullptr);
      }
    }
    REQUIRE((*producer)->Flush().ok());
  }
  const pid_t pid = broker.child.pid();
  ResetPeak(pid);
  const int64_t before = MemoryMiB(pid, "VmRSS");

  // 8 pipelined fetches of every partition, each asking for all of it, never read: 8 x 48 MiB
  // without a budget.
  testing::RawClient attacker(bootstrap);
  REQUIRE(attacker.ok());
  FetchRequest fetch;
  fetch.max_bytes = INT32_MAX;
  fetch.topics.push_back({"big", {}});
  for (int p = 0; p < kPartitions; ++p) fetch.topics[0].partitions.push_back({p, 0, 2 << 20});
  for (int i = 0; i < 8; ++i) REQUIRE(attacker.Send(fetch, i));
  std::this_thread::sleep_for(std::chrono::seconds(2));

  CheckServed(bootstrap, "small");
  const int64_t peak = MemoryMiB(pid, "VmHWM");
  INFO("RSS before " << before << " MiB, peak " << peak << " MiB");
  CHECK(peak - before < kBudgetMiB + kMarginMiB);
}

TEST_CASE("many connections sending part of a large frame stay within the memory budget") {
  Broker broker;
  const std::string bootstrap = broker.child.bootstrap();
  auto admin = Admin::Create({.bootstrap = bootstrap});
  REQUIRE(admin.ok());
  REQUIRE((*admin)->CreateTopic({.name = "small", .partitions = 1}).ok());
  const pid_t pid = broker.child.pid();
  ResetPeak(pid);
  const int64_t before = MemoryMiB(pid, "VmRSS");

  // 200 connections each declare a 16 MiB frame and send 1 MiB of it: 3.2 GiB of buffers if
  // each were allocated at its declared size.
  const std::string frame_start = std::string("\x01\x00\x00\x00", 4) + std::string(1 << 20, 'x');
  std::vector<std::unique_ptr<testing::RawClient>> attackers;
  for (int i = 0; i < 200; ++i) {
    auto client = std::make_unique<testing::RawClient>(bootstrap);
    REQUIRE(client->ok());
    // Whatever the broker does not read stays in the socket buffers; a blocked send is fine.
    client->SendBytesNonBlocking(frame_start);
    attackers.push_back(std::move(client));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));

  CheckServed(bootstrap, "small");
  const int64_t peak = MemoryMiB(pid, "VmHWM");
  INFO("RSS before " << before << " MiB, peak " << peak << " MiB");
  CHECK(peak - before < kBudgetMiB + kMarginMiB);
}

}  // namespace
}  // namespace brook
