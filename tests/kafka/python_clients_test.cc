// The Python Kafka clients' test programs (tests/kafka/python/*.py, run with Debian's
// /usr/bin/python3) against an embedded brook's Kafka listener: kafka-python and
// confluent-kafka-python.
#include <doctest/doctest.h>

#include <string>

#include "broker/embedded_broker.h"
#include "tests/support/run_command.h"

namespace brook {
namespace {

void RunPythonTest(const std::string& script) {
  EmbeddedBroker broker;
  testing::CommandResult result = testing::RunProgram(
      {"timeout", "300", "/usr/bin/python3", std::string(BROOK_SOURCE_DIR) + "/tests/kafka/python/" + script,
       broker.kafka_bootstrap()});
  INFO(result.err);
  CHECK(result.exit_code == 0);
}

TEST_CASE("kafka-python") { RunPythonTest("kafka_python_test.py"); }

TEST_CASE("confluent-kafka-python") { RunPythonTest("confluent_kafka_test.py"); }

}  // namespace
}  // namespace brook
