// The Go Kafka clients' test programs (tests/kafka/go/: sarama and segmentio/kafka-go, from
// Debian's packages, built with Debian's Go in GOPATH mode) against an embedded brook's Kafka
// listener. Each package is compiled with `go test -c` into the build tree (Go's build cache
// is kept there too, so reruns compile nothing) and run with the listener's address, and with
// the brook CLI and brook's own address to read records back.
#include <doctest/doctest.h>

#include <string>

#include "broker/embedded_broker.h"
#include "tests/support/child_broker.h"
#include "tests/support/run_command.h"

namespace brook {
namespace {

// GOPATH mode: brooktest/... is tests/kafka/go (linked into the build tree by CMake), the
// libraries are Debian's under /usr/share/gocode; nothing is downloaded.
std::string GoEnv() {
  const std::string build = BROOK_GO_BUILD_DIR;
  return "GO111MODULE=off GOFLAGS= GOPROXY=off GOPATH=" + build + "/gopath:/usr/share/gocode" +
         " GOCACHE=" + build + "/cache";
}

// Builds and runs one package; both packages together stay within ctest's 600 s even when a
// Go test hangs (it then prints every goroutine's stack).
void RunGoTest(const std::string& package) {
  const std::string binary = std::string(BROOK_GO_BUILD_DIR) + "/" + package + ".test";
  testing::CommandResult built = testing::RunProgram(
      {"timeout", "100", "go", "test", "-p", "2", "-c", "-o", binary, "brooktest/" + package}, "",
      GoEnv());
  INFO(built.out);
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  EmbeddedBroker broker;
  testing::CommandResult ran = testing::RunProgram(
      {"timeout", "160", binary, "-test.v", "-test.timeout", "150s", "-bootstrap",
       broker.kafka_bootstrap(), "-brook", testing::BrookBinary(), "-brook-bootstrap",
       broker.bootstrap()});
  INFO(ran.out);
  INFO(ran.err);
  CHECK(ran.exit_code == 0);
}

TEST_CASE("sarama") { RunGoTest("sarama"); }

TEST_CASE("segmentio/kafka-go") { RunGoTest("kafkago"); }

}  // namespace
}  // namespace brook
