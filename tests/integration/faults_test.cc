// Injected faults on brook's own protocol, with brook's client: Admin arms, lists and clears
// rules over the wire; the producer retries an injected NOT_LEADER_OR_FOLLOWER and a dropped
// connection and appends each record once; an error reaches the caller when it is not
// retriable; a topic rule spares other topics.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/producer.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "tests/support/topic_reader.h"

namespace brook {
namespace {

using std::chrono::milliseconds;

struct Fixture {
  EmbeddedBroker broker;
  std::unique_ptr<Admin> admin = [this] {
    auto a = Admin::Create({.bootstrap = broker.bootstrap()});
    REQUIRE(a.ok());
    return *std::move(a);
  }();

  Fixture() {
    REQUIRE(admin->CreateTopic({.name = "orders", .partitions = 1}).ok());
    REQUIRE(admin->CreateTopic({.name = "payments", .partitions = 1}).ok());
  }

  std::unique_ptr<Producer> MakeProducer() {
    auto producer =
        Producer::Create({.bootstrap = broker.bootstrap(), .retry_backoff = milliseconds(10)});
    REQUIRE(producer.ok());
    return *std::move(producer);
  }

  size_t Records(const std::string& topic) const {
    return testing::ReadTopic(broker.bootstrap(), topic).size();
  }
};

TEST_CASE_FIXTURE(Fixture, "brook faults: Admin adds, lists and clears rules over the wire") {
  absl::StatusOr<int32_t> first = admin->AddFault({.api = "Produce",
                                                   .listener = FaultListener::kBrook,
                                                   .topic = "orders",
                                                   .error_code = 6,
                                                   .count = 2});
  REQUIRE(first.ok());
  absl::StatusOr<int32_t> second = admin->AddFault(
      {.api = "fetch", .action = FaultAction::kDelay, .delay_ms = 50, .share_percent = 25});
  REQUIRE(second.ok());
  absl::StatusOr<std::vector<FaultState>> listed = admin->ListFaults();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].id == *first);
  CHECK((*listed)[0].listener == FaultListener::kBrook);
  CHECK((*listed)[0].topic == "orders");
  CHECK((*listed)[0].remaining == 2);
  CHECK((*listed)[1].api == "Fetch");
  CHECK((*listed)[1].action == FaultAction::kDelay);
  CHECK((*listed)[1].share_percent == 25);
  absl::StatusOr<int32_t> bad = admin->AddFault({.api = "NoSuchApi", .error_code = 6});
  CHECK(CodeOf(bad.status()) == ErrorCode::kInvalidRequest);
  CHECK(MessageOf(bad.status()) == "no API 'NoSuchApi' is served by either listener");
  CHECK(*admin->ClearFaults(*first) == 1);
  CHECK(CodeOf(admin->ClearFaults(*first).status()) == ErrorCode::kInvalidRequest);
  CHECK(*admin->ClearFaults() == 1);
  CHECK(admin->ListFaults()->empty());
  CHECK(broker.ListFaults().empty());
}

TEST_CASE_FIXTURE(Fixture, "brook faults: the producer retries NOT_LEADER_OR_FOLLOWER; once") {
  REQUIRE(admin->AddFault({.api = "Produce", .topic = "orders", .error_code = 6, .count = 2})
              .ok());
  auto producer = MakeProducer();
  absl::StatusOr<RecordMetadata> sent = producer->Send({.topic = "orders", .value = "o1"}).get();
  REQUIRE(sent.ok());
  CHECK(sent->offset == 0);
  const FaultState state = admin->ListFaults()->at(0);
  CHECK(state.fired == 2);
  CHECK(state.remaining == 0);
  CHECK(Records("orders") == 1);
}

TEST_CASE_FIXTURE(Fixture, "brook faults: a dropped connection is reconnected and retried") {
  REQUIRE(admin->AddFault({.api = "Produce", .action = FaultAction::kDrop}).ok());
  auto producer = MakeProducer();
  absl::StatusOr<RecordMetadata> sent = producer->Send({.topic = "orders", .value = "o1"}).get();
  REQUIRE(sent.ok());
  CHECK(admin->ListFaults()->at(0).fired == 1);
  CHECK(Records("orders") == 1);
}

TEST_CASE_FIXTURE(Fixture, "brook faults: a non-retriable error reaches the caller; topic rules") {
  REQUIRE(admin->AddFault({.api = "Produce",
                           .topic = "orders",
                           .error_code = static_cast<int16_t>(ErrorCode::kInvalidRecord)})
              .ok());
  auto producer = MakeProducer();
  auto payment = producer->Send({.topic = "payments", .value = "p1"});
  REQUIRE(payment.get().ok());
  absl::StatusOr<RecordMetadata> order = producer->Send({.topic = "orders", .value = "o1"}).get();
  CHECK(CodeOf(order.status()) == ErrorCode::kInvalidRecord);
  CHECK(Records("orders") == 0);
  CHECK(Records("payments") == 1);
}

TEST_CASE_FIXTURE(Fixture, "brook faults: a reset clears every armed rule") {
  REQUIRE(broker.AddFault({.api = "Produce", .error_code = 6, .count = 5}).ok());
  REQUIRE(admin->ListFaults()->size() == 1);
  REQUIRE(broker.Reset().ok());
  CHECK(admin->ListFaults()->empty());
}

}  // namespace
}  // namespace brook
