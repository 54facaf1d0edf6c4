// brook's idempotent producer against a real broker over TCP, through a proxy that loses the
// answer to a Produce request the broker carried out: the producer's retry is answered with
// the original offsets, and the log holds every record exactly once, in send order. Without
// idempotence the same loss appends the batch twice, which shows the proxy does lose answers.
#include <doctest/doctest.h>

#include <future>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/producer.h"
#include "tests/support/lossy_proxy.h"
#include "tests/support/topic_reader.h"

namespace brook {
namespace {

using std::chrono::milliseconds;
using Result = absl::StatusOr<RecordMetadata>;

struct Fixture {
  EmbeddedBroker broker;
  testing::LossyProxy proxy{static_cast<uint16_t>(
      std::stoi(broker.bootstrap().substr(broker.bootstrap().rfind(':') + 1)))};

  Fixture() {
    auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
    REQUIRE(admin.ok());
    REQUIRE((*admin)->CreateTopic({.name = "t", .partitions = 1}).ok());
  }

  // A producer connected through the proxy; small batches, so that several are in flight.
  std::unique_ptr<Producer> MakeProducer(std::optional<bool> idempotence) {
    auto producer = Producer::Create({.bootstrap = proxy.bootstrap(),
                                      .batch_size = 256,
                                      .linger = milliseconds(1),
                                      .retry_backoff = milliseconds(10),
                                      .idempotence = idempotence});
    REQUIRE(producer.ok());
    return *std::move(producer);
  }

  // Sends "v<first>".."v<last - 1>" and waits for each outcome, in order.
  static std::vector<Result> SendAll(Producer& producer, int first, int last) {
    std::vector<std::future<Result>> futures;
    for (int i = first; i < last; ++i) {
      futures.push_back(producer.Send({.topic = "t", .value = "v" + std::to_string(i)}));
    }
    std::vector<Result> results;
    for (auto& f : futures) results.push_back(f.get());
    return results;
  }

  std::vector<std::string> Log() const {
    std::vector<std::string> values;
    for (const auto& r : testing::ReadTopic(broker.bootstrap(), "t")) values.push_back(*r.value);
    return values;
  }
};

std::vector<std::string> Numbered(int n) {
  std::vector<std::string> values;
  for (int i = 0; i < n; ++i) values.push_back("v" + std::to_string(i));
  return values;
}

TEST_CASE_FIXTURE(Fixture, "a lost answer: the retry gets the original offsets, nothing twice") {
  auto producer = MakeProducer(std::nullopt);  // Idempotent by default.
  REQUIRE(SendAll(*producer, 0, 1).at(0).ok());
  proxy.LoseProduceAnswers(1);
  const std::vector<Result> results = SendAll(*producer, 1, 200);
  for (size_t i = 0; i < results.size(); ++i) {
    REQUIRE(results[i].ok());
    CHECK(results[i]->offset == static_cast<int64_t>(i) + 1);
  }
  CHECK(proxy.answers_lost() == 1);
  REQUIRE(producer->Close().ok());
  CHECK(Log() == Numbered(200));
}

TEST_CASE_FIXTURE(Fixture, "without idempotence the same lost answer appends its batch twice") {
  auto producer = MakeProducer(false);
  REQUIRE(SendAll(*producer, 0, 1).at(0).ok());
  proxy.LoseProduceAnswers(1);
  for (const Result& r : SendAll(*producer, 1, 200)) REQUIRE(r.ok());
  CHECK(proxy.answers_lost() == 1);
  REQUIRE(producer->Close().ok());
  const std::vector<std::string> log = Log();
  CHECK(log.size() > 200);  // The lost batch's records are there twice.
  std::set<std::string> distinct(log.begin(), log.end());
  CHECK(distinct.size() == 200);
}

}  // namespace
}  // namespace brook
