// kafkajs (Node, tests/kafka/node/*.test.js, run with `node --test`) against an embedded brook's
// Kafka listener. Its packages come from tests/kafka/node/package-lock.json through `npm ci`
// (scripts/install-deps); the test programs read back through `brook consume` too.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "broker/embedded_broker.h"
#include "tests/support/run_command.h"

namespace brook {
namespace {

const std::string kNodeDir = std::string(BROOK_SOURCE_DIR) + "/tests/kafka/node";

void RunNodeTest(const std::string& file) {
  REQUIRE_MESSAGE(std::filesystem::exists(kNodeDir + "/node_modules/kafkajs"),
                  "kafkajs is not installed: run scripts/install-deps");
  EmbeddedBroker broker;
  const std::string env = "BROOK_KAFKA_BOOTSTRAP=" + testing::ShellQuote(broker.kafka_bootstrap()) +
                          " BROOK_BOOTSTRAP=" + testing::ShellQuote(broker.bootstrap()) +
                          " BROOK_BINARY=" + testing::ShellQuote(testing::BrookBinary());
  // --test-force-exit: a failed check can leave a kafkajs client connected, which would keep
  // node running until `timeout`.
  testing::CommandResult result = testing::RunProgram({"timeout", "300", "node", "--test",
                                                       "--test-force-exit", "--test-reporter=spec",
                                                       kNodeDir + "/" + file},
                                                      "", env);
  INFO(result.out);
  INFO(result.err);
  CHECK(result.exit_code == 0);
}

TEST_CASE("kafkajs admin") { RunNodeTest("admin.test.js"); }

TEST_CASE("kafkajs producer") { RunNodeTest("produce.test.js"); }

TEST_CASE("kafkajs consumer groups") { RunNodeTest("groups.test.js"); }

// restart.test.js runs a `brook serve` child of its own, to kill it.
TEST_CASE("kafkajs across a broker kill -9") { RunNodeTest("restart.test.js"); }

}  // namespace
}  // namespace brook
