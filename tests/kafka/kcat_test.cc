// kcat (Debian's, on librdkafka 2.0.2) against brook's Kafka listener: metadata, producing and
// consuming with keys, headers and every codec, and records crossing between kcat and brook's
// own CLI in both directions.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "broker/embedded_broker.h"
#include "tests/support/run_command.h"

namespace brook {
namespace {

using testing::CommandResult;
using testing::RunBrook;
using testing::RunProgram;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

CommandResult Kcat(const EmbeddedBroker& broker, std::vector<std::string> args,
                   const std::string& input = "") {
  std::vector<std::string> argv = {"kcat", "-b", broker.kafka_bootstrap(), "-m", "10"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, input);
}

TEST_CASE("kcat lists the broker and its topics") {
  EmbeddedBroker broker;
  REQUIRE(RunBrook({"topic", "create", "orders", "--partitions", "3", "--bootstrap",
                    broker.bootstrap()})
              .exit_code == 0);
  CommandResult listed = Kcat(broker, {"-L"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  CHECK(Contains(listed.out, "1 brokers:"));
  CHECK(Contains(listed.out, "broker 1 at " + broker.kafka_bootstrap()));
  CHECK(Contains(listed.out, "topic \"orders\" with 3 partitions"));
  CHECK(Contains(listed.out, "partition 2, leader 1, replicas: 1, isrs: 1"));
}

TEST_CASE("kcat produces and consumes keyed records with headers, in every codec brook serves") {
  EmbeddedBroker broker;
  for (const std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    CAPTURE(codec);
    const std::string topic = "kcat-" + codec;
    CommandResult produced =
        Kcat(broker, {"-P", "-t", topic, "-K", ":", "-H", "source=kcat", "-z", codec},
             "alice:one\nbob:two\nalice:three\n");
    INFO(produced.err);
    REQUIRE(produced.exit_code == 0);
    CommandResult consumed =
        Kcat(broker, {"-C", "-t", topic, "-o", "beginning", "-e", "-f", "%k=%s@%o %h\n"});
    INFO(consumed.err);
    REQUIRE(consumed.exit_code == 0);
    CHECK(consumed.out ==
          "alice=one@0 source=kcat\nbob=two@1 source=kcat\nalice=three@2 source=kcat\n");
  }
}

TEST_CASE("records cross between kcat and brook's CLI intact, both ways") {
  EmbeddedBroker broker;
  // kcat -> brook consume: same keys, values, headers and offsets.
  REQUIRE(Kcat(broker, {"-P", "-t", "cross", "-K", ":", "-H", "h=1"}, "k1:v1\nk2:v2\n")
              .exit_code == 0);
  CommandResult read = RunBrook({"consume", "cross", "--from-beginning", "--count", "2",
                                 "--format", "%k %v %o %h", "--bootstrap", broker.bootstrap()});
  INFO(read.err);
  REQUIRE(read.exit_code == 0);
  CHECK(read.out == "k1 v1 0 h=1\nk2 v2 1 h=1\n");

  // brook produce -> kcat: the same, with a timestamp kcat reads back.
  REQUIRE(RunBrook({"produce", "cross", "--key-separator", ":", "--header", "from=brook",
                    "--bootstrap", broker.bootstrap()},
                   "k3:v3\n")
              .exit_code == 0);
  CommandResult got =
      Kcat(broker, {"-C", "-t", "cross", "-o", "2", "-e", "-f", "%k=%s@%o %h %T\n"});
  INFO(got.err);
  REQUIRE(got.exit_code == 0);
  CHECK(Contains(got.out, "k3=v3@2 from=brook "));
  CHECK_FALSE(Contains(got.out, " -1\n"));  // A real timestamp.
}

TEST_CASE("kcat asks for an unknown topic without auto-creation and gets an error") {
  EmbeddedBrokerOptions options;
  options.config.kafka.auto_create_topics = false;
  EmbeddedBroker broker(options);
  CommandResult listed = Kcat(broker, {"-L", "-t", "missing"});
  CHECK(Contains(listed.out, "topic \"missing\" with 0 partitions: Broker: Unknown topic or "
                             "partition"));
}

TEST_CASE("kcat appends events with an expected revision to a store topic") {
  EmbeddedBroker broker;
  REQUIRE(RunBrook({"topic", "create", "ledger", "--partitions", "3", "--config",
                    "event.store=true", "--bootstrap", broker.bootstrap()})
              .exit_code == 0);
  const auto append = [&](const std::string& type, const std::string& expected) {
    return Kcat(broker, {"-P", "-t", "ledger", "-K", ":", "-X", "partitioner=murmur2_random",
                         "-H", "es.type=" + type, "-H", "es.expected-revision=" + expected},
                "acct-1:{\"amount\":5}\n");
  };
  CommandResult opened = append("Opened", "no-stream");
  INFO(opened.err);
  REQUIRE(opened.exit_code == 0);
  // The stream exists now: refused with INVALID_RECORD, which librdkafka words like this.
  CommandResult stale = append("Opened", "no-stream");
  CHECK(stale.exit_code != 0);
  CHECK(Contains(stale.err, "Broker failed to validate record"));
  REQUIRE(append("Deposited", "0").exit_code == 0);
  // The events are the store's: brook's CLI reads the stream with its revisions.
  CommandResult read =
      RunBrook({"stream", "read", "acct-1", "--store", "ledger", "--bootstrap", broker.bootstrap()});
  INFO(read.err);
  REQUIRE(read.exit_code == 0);
  CHECK(Contains(read.out, "acct-1@0"));
  CHECK(Contains(read.out, "Opened"));
  CHECK(Contains(read.out, "acct-1@1"));
  CHECK(Contains(read.out, "Deposited"));
  CHECK_FALSE(Contains(read.out, "acct-1@2"));
}

}  // namespace
}  // namespace brook
