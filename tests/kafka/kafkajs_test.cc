// kafkajs (Node, tests/kafka/node/*.test.js, run with `node --test`) against an embedded brook's
// Kafka listener. Its packages come from tests/kafka/node/package-lock.json through `npm ci`
// (scripts/install-deps); the test programs read back through `brook consume` too.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "broker/embedded_broker.h"
#include "tests/support/run_command.h"

namespace brook {
namespace {

const std::string kNodeDir = std::string(BROOK_SOURCE_DIR) + "/tests/kafka/node";

// `node --test` and its options: --test-force-exit (node 20.14 on) ends a run that a failed
// check left with a kafkajs client connected, which would otherwise keep node running until
// `timeout`; Debian 12's own node (18) does not have it.
std::vector<std::string> NodeTestCommand() {
  static const bool force_exit =
      testing::RunProgram({"node", "--test-force-exit", "-e", "0"}).exit_code == 0;
  std::vector<std::string> command = {"timeout", "300", "node", "--test", "--test-reporter=spec"};
  if (force_exit) command.push_back("--test-force-exit");
  return command;
}

void RunNodeTest(const std::string& file) {
  REQUIRE_MESSAGE(std::filesystem::exists(kNodeDir + "/node_modules/kafkajs"),
                  "kafkajs is not installed: run scripts/install-deps");
  EmbeddedBroker broker;
  const std::string env = "BROOK_KAFKA_BOOTSTRAP=" + testing::ShellQuote(broker.kafka_bootstrap()) +
                          " BROOK_BOOTSTRAP=" + testing::ShellQuote(broker.bootstrap()) +
                          " BROOK_BINARY=" + testing::ShellQuote(testing::BrookBinary());
  std::vector<std::string> command = NodeTestCommand();
  command.push_back(kNodeDir + "/" + file);
  testing::CommandResult result = testing::RunProgram(command, "", env);
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
