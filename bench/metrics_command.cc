#include "bench/metrics_command.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/report.h"
#include "bench/workload.h"
#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/json/json.h"

namespace brook::bench {
namespace {

struct MetricsBenchOptions {
  int topics = 100;
  int partitions = 10;  // Per topic: 1,000 partitions by default.
  int records = 20;     // Per partition, before the measurements.
  int groups = 100;
  int scrapes = 50;
  int runs = 5;
  int64_t records_per_run = 3'000'000;
  int scrape_interval_ms = 1000;
  bool json = false;
};

// Topics with records in every partition, and groups halfway through one topic each.
absl::Status Fill(EmbeddedBroker& broker, const MetricsBenchOptions& o) {
  auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
  if (!admin.ok()) return admin.status();
  auto producer = Producer::Create({.bootstrap = broker.bootstrap()});
  if (!producer.ok()) return producer.status();
  std::vector<std::future<absl::StatusOr<RecordMetadata>>> sent;
  for (int t = 0; t < o.topics; ++t) {
    const std::string topic = fmt::format("metrics-bench-{}", t);
    if (absl::Status s = (*admin)->CreateTopic({.name = topic, .partitions = o.partitions});
        !s.ok()) {
      return s;
    }
    for (int p = 0; p < o.partitions; ++p) {
      for (int r = 0; r < o.records; ++r) {
        sent.push_back((*producer)->Send({.topic = topic, .partition = p, .value = "record"}));
      }
    }
  }
  for (auto& future : sent) {
    if (absl::StatusOr<RecordMetadata> done = future.get(); !done.ok()) return done.status();
  }
  for (int g = 0; g < o.groups; ++g) {
    std::vector<std::pair<TopicPartition, int64_t>> halfway;
    for (int p = 0; p < o.partitions; ++p) {
      halfway.push_back({{fmt::format("metrics-bench-{}", g % o.topics), PartitionId(p)},
                         o.records / 2});
    }
    if (absl::Status s = (*admin)->AlterGroupOffsets(fmt::format("metrics-bench-group-{}", g),
                                                     halfway);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

struct RenderFigures {
  double median_ms = 0, p99_ms = 0, max_ms = 0;
  size_t bytes = 0;
  size_t series = 0;  // Sample lines.
};

RenderFigures MeasureRender(const EmbeddedBroker& broker, int scrapes) {
  RenderFigures figures;
  std::vector<double> samples;
  for (int i = 0; i < scrapes; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const std::string text = broker.MetricsText();
    samples.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    figures.bytes = text.size();
    // Every line but the # HELP and # TYPE ones is a sample.
    figures.series = static_cast<size_t>(std::count(text.begin(), text.end(), '\n') -
                                         std::count(text.begin(), text.end(), '#'));
  }
  std::sort(samples.begin(), samples.end());
  figures.median_ms = Median(samples);
  figures.p99_ms = samples[std::min(samples.size() - 1,
                                    static_cast<size_t>(0.99 * static_cast<double>(samples.size())))];
  figures.max_ms = samples.back();
  return figures;
}

// CPU seconds of the calling thread (CLOCK_THREAD_CPUTIME_ID) or of the whole process.
double CpuSeconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Renders the broker's metrics every `interval` until destroyed; counts the scrapes and the
// CPU time they took.
class Scraper {
 public:
  Scraper(const EmbeddedBroker& broker, std::chrono::milliseconds interval)
      : thread_([this, &broker, interval] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, interval, [this] { return stop_; })) {
            lock.unlock();
            const double start = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
            (void)broker.MetricsText();
            cpu_seconds_ += CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - start;
            ++scrapes_;
            lock.lock();
          }
        }) {}
  ~Scraper() { Stop(); }
  // Waits for a scrape in progress and stops scraping. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  int scrapes() const { return scrapes_.load(); }
  double cpu_seconds() const { return cpu_seconds_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<int> scrapes_{0};
  std::atomic<double> cpu_seconds_{0};
  std::thread thread_;  // Last: starts once the rest is built.
};

int RunMetricsBench(const MetricsBenchOptions& o) {
  absl::StatusOr<std::unique_ptr<EmbeddedBroker>> broker = EmbeddedBroker::Create();
  if (!broker.ok()) {
    fmt::print(stderr, "error: cannot start an embedded broker: {}\n", MessageOf(broker.status()));
    return 1;
  }
  if (absl::Status s = Fill(**broker, o); !s.ok()) {
    fmt::print(stderr, "error: filling the broker: {}\n", MessageOf(s));
    return 1;
  }
  const RenderFigures render = MeasureRender(**broker, o.scrapes);
  fmt::print(stderr, "render: median {:.2f} ms over {} scrapes ({} bytes, {} series)\n",
             render.median_ms, o.scrapes, render.bytes, render.series);

  auto admin = Admin::Create({.bootstrap = (*broker)->bootstrap()});
  if (!admin.ok()) return 1;
  WorkloadOptions produce;
  produce.records = o.records_per_run;
  std::vector<double> alone, scraped;
  int scrapes_during = 0;
  double scrape_cpu = 0, process_cpu = 0;  // Over the scraped runs.
  for (int run = 1; run <= o.runs; ++run) {
    for (bool scraping : {false, true}) {
      const std::string topic = fmt::format("metrics-bench-produce-{}-{}", run, scraping);
      if (absl::Status s = (*admin)->CreateTopic({.name = topic, .partitions = produce.partitions});
          !s.ok()) {
        fmt::print(stderr, "error: {}\n", MessageOf(s));
        return 1;
      }
      std::optional<Scraper> scraper;
      const double cpu_start = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
      if (scraping) scraper.emplace(**broker, std::chrono::milliseconds(o.scrape_interval_ms));
      absl::StatusOr<RunResult> result = RunProduce((*broker)->bootstrap(), topic, produce);
      if (scraping) {
        process_cpu += CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
        scraper->Stop();
        scrapes_during += scraper->scrapes();
        scrape_cpu += scraper->cpu_seconds();
      }
      if (!result.ok() || result->errors > 0) {
        fmt::print(stderr, "error: produce run failed\n");
        return 1;
      }
      (scraping ? scraped : alone).push_back(result->records_per_second());
      fmt::print(stderr, "produce run {}/{} {}: {:.0f} records/s in {:.2f} s\n", run, o.runs,
                 scraping ? "scraped" : "alone  ", result->records_per_second(), result->seconds);
      if (absl::Status s = (*admin)->DeleteTopic(topic); !s.ok()) return 1;
    }
  }
  const double alone_median = Median(alone), scraped_median = Median(scraped);
  const double cost_percent = 100.0 * (alone_median - scraped_median) / alone_median;
  const double cpu_share_percent = process_cpu > 0 ? 100.0 * scrape_cpu / process_cpu : 0;
  const std::string setup = fmt::format("{} partitions ({} topics x {}), {} groups with lag",
                                        o.topics * o.partitions, o.topics, o.partitions,
                                        o.groups);
  if (o.json) {
    boost::json::object out;
    out["workload"] = "metrics";
    out["setup"] = setup;
    out["render_median_ms"] = Rounded(render.median_ms, 3);
    out["render_p99_ms"] = Rounded(render.p99_ms, 3);
    out["render_max_ms"] = Rounded(render.max_ms, 3);
    out["render_bytes"] = render.bytes;
    out["series"] = render.series;
    out["produce_alone_rps"] = Rounded(alone_median, 0);
    out["produce_scraped_rps"] = Rounded(scraped_median, 0);
    out["scrape_cost_percent"] = Rounded(cost_percent, 2);
    out["scrapes_during"] = scrapes_during;
    out["scrape_cpu_share_percent"] = Rounded(cpu_share_percent, 2);
    fmt::print("{}\n", json::Text(out));
  } else {
    fmt::print("workload          metrics\nsetup             {}\n"
               "render            median {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms ({} scrapes)\n"
               "text              {} bytes, {} series\n"
               "produce alone     {:.0f} records/s (median of {})\n"
               "produce scraped   {:.0f} records/s (median of {}; a scrape every {} ms, {} in all)\n"
               "scrape cost       {:.2f}% of produce throughput\n"
               "scrape CPU        {:.2f}% of the process's CPU time during the scraped runs\n",
               setup, render.median_ms, render.p99_ms, render.max_ms, o.scrapes, render.bytes,
               render.series, alone_median, o.runs, scraped_median, o.runs,
               o.scrape_interval_ms, scrapes_during, cost_percent, cpu_share_percent);
  }
  return 0;
}

}  // namespace

void AddMetricsBenchCommand(CLI::App& bench, int* exit_code) {
  auto o = std::make_shared<MetricsBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "metrics", "Time rendering the metrics (GET /metrics) of a broker with many partitions and "
                 "groups, and what scraping them costs produce throughput");
  cmd->add_option("--topics", o->topics, "Topics")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--partitions", o->partitions, "Partitions per topic")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--records", o->records, "Records in each partition before measuring")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  cmd->add_option("--groups", o->groups, "Groups, each halfway through one topic")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  cmd->add_option("--scrapes", o->scrapes, "Renders timed")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--runs", o->runs, "Produce runs of each kind (alone, scraped), alternated")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--records-per-run", o->records_per_run, "Records each produce run sends")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--scrape-interval-ms", o->scrape_interval_ms,
                  "How often the scraper renders during the scraped runs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o, exit_code] { *exit_code = RunMetricsBench(*o); });
}

}  // namespace brook::bench
