// `brook serve` started by a test harness: port 0 on every listener, the ready line on stdout
// and in --ready-file, --in-memory, and --exit-with-parent.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <simdjson.h>
#include <string>
#include <thread>

#include "tests/cli/cli_fixture.h"
#include "tests/support/ready_broker.h"
#include "tests/support/scoped_env.h"

namespace brook {
namespace {

using testing::CommandResult;
using testing::Contains;
using testing::ReadFile;
using testing::ReadyBroker;
using testing::RunBrook;
using testing::RunProgram;
using testing::TempDir;

// The port of "127.0.0.1:PORT"; 0 when the text is not that.
int LoopbackPort(const std::string& address) {
  const std::string prefix = "127.0.0.1:";
  if (address.rfind(prefix, 0) != 0) return 0;
  return std::stoi(address.substr(prefix.size()));
}

CommandResult Kcat(const std::string& bootstrap, std::vector<std::string> args,
                   const std::string& input = "") {
  std::vector<std::string> argv = {"kcat", "-b", bootstrap, "-m", "10"};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, input);
}

TEST_CASE("serve on port 0 prints one ready line with the bound addresses, and --ready-file") {
  TempDir dir;
  const std::string data_dir = dir.path() + "/data";
  const std::string ready_file = dir.path() + "/ready.json";
  ReadyBroker broker(dir.path());
  REQUIRE(broker.Start({"--data-dir", data_dir, "--ready-file", ready_file, "--log-level",
                        "info"})
              .ok());

  // Checked with a JSON parser of its own, as a harness in another language would read it.
  simdjson::dom::parser parser;
  simdjson::dom::element line;
  REQUIRE(parser.parse(broker.line()).get(line) == simdjson::SUCCESS);
  CHECK(std::string_view(line["brook"]) == "ready");
  CHECK(int64_t(line["pid"]) == broker.pid());
  const std::string native{std::string_view(line["native"])};
  const std::string kafka{std::string_view(line["kafka"])};
  CHECK(std::string_view(line["data_dir"]) == data_dir);
  CHECK(LoopbackPort(native) > 0);
  const std::string http{std::string_view(line["http"])};
  CHECK(LoopbackPort(kafka) > 0);
  CHECK(LoopbackPort(http) > 0);
  CHECK(native != kafka);

  CHECK(ReadFile(ready_file) == broker.line() + "\n");
  CHECK_FALSE(std::filesystem::exists(ready_file + ".tmp"));

  // Both listeners accept, and Kafka's Metadata advertises the port actually bound.
  CHECK(RunBrook({"topic", "create", "orders", "--partitions", "1", "--bootstrap", native})
            .exit_code == 0);
  CommandResult listed = Kcat(kafka, {"-L"});
  INFO(listed.err);
  CHECK(listed.exit_code == 0);
  CHECK(Contains(listed.out, "broker 1 at " + kafka));
  CHECK(Contains(listed.out, "topic \"orders\""));
  CommandResult health = RunProgram({"curl", "-sf", "http://" + http + "/healthz"});
  CHECK(health.out == R"({"status":"ok"})");

  CHECK(broker.Terminate() == 0);
  CHECK(broker.Stdout() == broker.line() + "\n");  // Nothing else ever goes to stdout...
  CHECK(Contains(broker.Stderr(), "brook is serving"));  // ...logs go to stderr.
}

TEST_CASE("with the Kafka listener off, the ready line's kafka is null") {
  TempDir dir;
  ReadyBroker broker(dir.path());
  REQUIRE(broker.Start({"--kafka-listen", "off", "--data-dir", dir.path() + "/data"}).ok());
  CHECK(Contains(broker.line(), "\"kafka\":null"));
  CHECK_FALSE(broker.ready().kafka.has_value());
  CHECK(LoopbackPort(broker.ready().native) > 0);
  CHECK(broker.Terminate() == 0);
}

TEST_CASE("a --ready-file that cannot be written stops the start with exit code 1") {
  TempDir dir;
  CommandResult result =
      RunBrook({"serve", "--listen", "127.0.0.1:0", "--kafka-listen", "off", "--http-listen", "off", "--in-memory",
                "--ready-file", dir.path() + "/no-such-dir/ready.json"});
  CHECK(result.exit_code == 1);
  CHECK(Contains(result.err, "error: --ready-file: cannot write"));
  CHECK(result.out.empty());  // No ready line: it is not ready for anyone.
}

TEST_CASE("--in-memory and --data-dir together are a usage error") {
  CommandResult result = RunBrook({"serve", "--in-memory", "--data-dir", "/tmp/x"});
  CHECK(result.exit_code == 2);
  CHECK(Contains(result.err, "--in-memory"));
}

TEST_CASE("--in-memory serves brook's and Kafka's clients and writes no file") {
  TempDir logs;
  TempDir work;  // The broker's working directory and $TMPDIR: must stay empty.
  ReadyBroker broker(logs.path());
  {
    testing::ScopedEnv tmpdir("TMPDIR", work.path());  // Seen by the child only (forked here).
    REQUIRE(broker.Start({"--in-memory"}, work.path()).ok());
  }
  CHECK(Contains(broker.line(), "\"data_dir\":null"));
  CHECK_FALSE(broker.ready().data_dir.has_value());
  const std::string native = broker.ready().native;
  const std::string kafka = broker.ready().kafka.value_or("");

  REQUIRE(RunBrook({"topic", "create", "orders", "--partitions", "1", "--bootstrap", native})
              .exit_code == 0);
  CHECK(RunBrook({"produce", "orders", "--bootstrap", native}, "from brook\n").exit_code == 0);
  CommandResult produced = Kcat(kafka, {"-P", "-t", "orders"}, "from kcat\n");
  INFO(produced.err);
  CHECK(produced.exit_code == 0);
  CommandResult consumed = RunBrook({"consume", "orders", "--from-beginning", "--count", "2",
                                     "--timeout-ms", "10000", "--bootstrap", native});
  CHECK(consumed.out == "from brook\nfrom kcat\n");
  CommandResult read = Kcat(kafka, {"-C", "-t", "orders", "-o", "beginning", "-e"});
  CHECK(read.out == "from brook\nfrom kcat\n");

  CHECK(broker.Terminate() == 0);
  CHECK(std::filesystem::is_empty(work.path()));
}

TEST_CASE("--exit-with-parent: the broker stops gracefully when its parent is killed") {
  TempDir dir;
  const std::string ready_file = dir.path() + "/ready.json";
  // The broker's parent is a shell this test starts; once the shell is killed the orphaned
  // broker is re-parented to this process (a subreaper), which can then reap it and read its
  // exit status.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  const std::string command = fmt::format(
      "{} serve --listen 127.0.0.1:0 --kafka-listen off --http-listen off --in-memory --exit-with-parent "
      "--ready-file {} >/dev/null 2>{}/serve.err & wait",
      testing::ShellQuote(testing::BrookBinary()), testing::ShellQuote(ready_file),
      testing::ShellQuote(dir.path()));
  const pid_t shell = ::fork();
  if (shell == 0) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  REQUIRE(shell > 0);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!std::filesystem::exists(ready_file) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  absl::StatusOr<ReadyLine> ready = ParseReadyLine(ReadFile(ready_file));
  INFO(ReadFile(dir.path() + "/serve.err"));
  REQUIRE(ready.ok());
  const pid_t broker = static_cast<pid_t>(ready->pid);
  CHECK(broker != shell);

  ::kill(shell, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(shell, &status, 0) == shell);
  pid_t reaped = 0;
  while (reaped == 0 && std::chrono::steady_clock::now() < deadline + std::chrono::seconds(20)) {
    reaped = ::waitpid(broker, &status, WNOHANG);
    if (reaped == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (reaped == 0) ::kill(broker, SIGKILL);  // Leave nothing running if the check fails.
  REQUIRE(reaped == broker);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);  // A graceful stop, not death by a signal.
  CHECK(Contains(ReadFile(dir.path() + "/serve.err"), "signal received"));
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

}  // namespace
}  // namespace brook
