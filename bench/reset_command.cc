#include "bench/reset_command.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/report.h"
#include "bench/target.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/json/json.h"

namespace brook::bench {
namespace {

struct ResetBenchOptions {
  std::string bootstrap;  // Empty: an embedded broker in a temp dir.
  int runs = 20;
  int topics = 100;
  int partitions = 1;
  int groups = 10;
  bool json = false;
};

// Fills the broker as a test suite might: topics with a record in each partition, groups
// with a commit on every topic. Errors: the clients'.
absl::Status Fill(Admin& admin, const std::string& bootstrap, const ResetBenchOptions& o) {
  auto producer = Producer::Create({.bootstrap = bootstrap});
  if (!producer.ok()) return producer.status();
  std::vector<std::pair<TopicPartition, int64_t>> commits;
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> sent;
  for (int t = 0; t < o.topics; ++t) {
    const std::string topic = fmt::format("reset-bench-{}", t);
    if (absl::Status s = admin.CreateTopic({.name = topic, .partitions = o.partitions});
        !s.ok()) {
      return s;
    }
    for (int p = 0; p < o.partitions; ++p) {
      sent.push_back((*producer)->Send({.topic = topic, .partition = p, .value = "v"}));
    }
    commits.push_back({{topic, PartitionId(0)}, 1});
  }
  for (auto& future : sent) {
    if (absl::StatusOr<RecordMetadata> done = future.get(); !done.ok()) return done.status();
  }
  for (int g = 0; g < o.groups; ++g) {
    if (absl::Status s = admin.AlterGroupOffsets(fmt::format("reset-bench-group-{}", g), commits);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// The nearest-rank quantile of sorted samples.
double Quantile(const std::vector<double>& sorted, double q) {
  const size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

int RunResetBench(const ResetBenchOptions& o) {
  absl::StatusOr<Target> target = ConnectTarget(o.bootstrap);
  if (!target.ok()) {
    fmt::print(stderr, "error: {}\n", MessageOf(target.status()));
    return 1;
  }
  std::vector<double> samples_ms;
  for (int run = 1; run <= o.runs; ++run) {
    if (absl::Status s = Fill(*target->admin, target->bootstrap, o); !s.ok()) {
      fmt::print(stderr, "error: filling the broker: {}\n", MessageOf(s));
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<BrokerResetSummary> reset = target->admin->ResetBroker();
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    if (!reset.ok()) {
      fmt::print(stderr, "error: ResetBroker: {}\n", MessageOf(reset.status()));
      return 1;
    }
    if (reset->topics_deleted != o.topics || reset->groups_deleted != o.groups) {
      fmt::print(stderr, "error: the reset dropped {} topics and {} groups, not {} and {}\n",
                 reset->topics_deleted, reset->groups_deleted, o.topics, o.groups);
      return 1;
    }
    fmt::print(stderr, "reset run {}/{}: {:.2f} ms\n", run, o.runs, took.count());
    samples_ms.push_back(took.count());
  }
  std::sort(samples_ms.begin(), samples_ms.end());
  const double median = Median(samples_ms), p99 = Quantile(samples_ms, 0.99),
               max = samples_ms.back();
  if (o.json) {
    boost::json::object out;
    out["workload"] = "reset";
    out["target"] = target->name();
    out["topics"] = o.topics;
    out["partitions"] = o.partitions;
    out["groups"] = o.groups;
    out["runs"] = o.runs;
    out["median_ms"] = Rounded(median, 3);
    out["p99_ms"] = Rounded(p99, 3);
    out["max_ms"] = Rounded(max, 3);
    fmt::print("{}\n", json::Text(out));
  } else {
    fmt::print("workload   reset\ntarget     {}\nsetup      {} topics x {} partition(s), {} "
               "groups with commits\nruns       {}\nmedian     {:.2f} ms\np99        {:.2f} ms\n"
               "max        {:.2f} ms\n",
               target->name(), o.topics, o.partitions, o.groups, o.runs, median, p99, max);
  }
  return 0;
}

}  // namespace

void AddResetBenchCommand(CLI::App& bench, int* exit_code) {
  auto o = std::make_shared<ResetBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "reset", "Time ResetBroker on a broker filled with topics and groups (as between tests)");
  cmd->add_option("--bootstrap", o->bootstrap,
                  "Broker to measure, HOST:PORT (it is emptied; default: an embedded broker)");
  cmd->add_option("--runs", o->runs, "Resets timed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--topics", o->topics, "Topics before each reset")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--partitions", o->partitions, "Partitions per topic")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--groups", o->groups, "Groups with committed offsets before each reset")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o, exit_code] { *exit_code = RunResetBench(*o); });
}

}  // namespace brook::bench
