#include "bench/events/events_command.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/barrier.h"
#include "absl/synchronization/mutex.h"
#include "bench/events/event_target.h"
#include "bench/peers/peer_server.h"
#include "bench/report.h"
#include "bench/server_cpu.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/json/json.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPage = 5000;
// PeerServer::StartPostgres allows 300 connections.
constexpr int kMaxPostgresConnections = 256;

struct EventsBenchOptions {
  int clients = 16;
  int runs = 3;
  double seconds = 5;
  int batch = 100;
  int streams_per_client = 100;
  int in_flight = 8;
  int read_events = 1000;
  int reads = 500;
  int64_t streams = 1'000'000;
  std::string durability = "both";  // fsync | no-fsync | both
  bool json = false;
};

// One system under test: a name and how to connect a client.
struct System {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<EventTarget>>()> connect;
};

// The reads start once the machine is idle: what the appends left the servers to do (brook's
// flushes and compactions, PostgreSQL's autovacuum and checkpoints) is done, as reads made
// later would find it, and neither server's leftovers run during the other's reads.
constexpr auto kSettleAtMost = std::chrono::seconds(120);

struct ModeFigures {
  std::string mode;
  // Per system (brook, postgres): events/s of each run, then the one-off figures.
  std::vector<double> single[2], pipelined[2], batched[2];
  // Reads of a stream written in appends of 100 events, then of one written one event at a
  // time among other streams' appends.
  double read_p50_ms[2] = {0, 0}, read_p99_ms[2] = {0, 0};
  double spread_p50_ms[2] = {0, 0}, spread_p99_ms[2] = {0, 0};
  double catch_up_per_second[2] = {0, 0};
  int64_t catch_up_events[2] = {0, 0};
};

// Appends `batch` events per append to the streams `prefix`-0.. in turn until `deadline`,
// with up to `window` appends in flight, each to a stream with none in flight (its exact
// revision expected); returns how many events were appended. REQUIRES: window <= streams.
absl::StatusOr<int64_t> AppendUntil(EventTarget& target, const std::string& prefix, int streams,
                                    int batch, int window, Clock::time_point deadline) {
  struct Window {
    bool HasRoom() const { return in_flight < limit; }
    bool Idle() const { return in_flight == 0; }
    absl::Mutex mu;
    int limit = 1;
    int in_flight = 0;
    int64_t appended = 0;
    absl::Status error;
    std::vector<int64_t> revisions;  // Each stream's last revision.
    std::vector<bool> busy;          // Each stream's append in flight.
  } w;
  w.limit = window;
  w.revisions.assign(static_cast<size_t>(streams), -1);
  w.busy.assign(static_cast<size_t>(streams), false);
  for (size_t s = 0;; s = (s + 1) % w.revisions.size()) {
    int64_t expected = 0;
    {
      absl::MutexLock lock(&w.mu);
      w.mu.Await(absl::Condition(&w, &Window::HasRoom));
      if (!w.error.ok() || Clock::now() >= deadline) break;
      while (w.busy[s]) s = (s + 1) % w.revisions.size();  // Fewer in flight than the window.
      w.busy[s] = true;
      ++w.in_flight;
      expected = w.revisions[s];
    }
    target.AppendAsync(fmt::format("{}-{}", prefix, s), expected, batch, kEventData,
                       [&w, s, batch](absl::Status status) {
                         absl::MutexLock lock(&w.mu);
                         --w.in_flight;
                         w.busy[s] = false;
                         if (!status.ok()) {
                           if (w.error.ok()) w.error = status;
                           return;
                         }
                         w.revisions[s] += batch;
                         w.appended += batch;
                       });
  }
  absl::MutexLock lock(&w.mu);
  w.mu.Await(absl::Condition(&w, &Window::Idle));
  if (!w.error.ok()) return w.error;
  return w.appended;
}

// Runs --clients clients for --seconds, each appending `batch` events per append to its own
// streams in turn with `in_flight` appends in flight; returns events per second. A target
// that keeps one append in flight per connection gets a connection per append in flight,
// each with its share of the client's streams (so both append to as many streams).
absl::StatusOr<double> RunAppends(const System& system, const EventsBenchOptions& o, int batch,
                                  int in_flight, const std::string& prefix) {
  absl::StatusOr<std::unique_ptr<EventTarget>> first = system.connect();
  if (!first.ok()) return first.status();
  const bool pipelines = (*first)->pipelines();
  const int window = pipelines ? in_flight : 1;
  const size_t connections = static_cast<size_t>(pipelines ? o.clients : o.clients * in_flight);
  std::vector<std::unique_ptr<EventTarget>> targets;
  targets.push_back(*std::move(first));
  while (targets.size() < connections) {
    absl::StatusOr<std::unique_ptr<EventTarget>> target = system.connect();
    if (!target.ok()) return target.status();
    targets.push_back(*std::move(target));
  }
  std::atomic<int64_t> appended{0};
  std::vector<absl::Status> errors(targets.size());
  absl::Barrier* start = new absl::Barrier(static_cast<int>(targets.size()) + 1);
  std::vector<std::thread> threads;
  Clock::time_point deadline;
  for (size_t c = 0; c < targets.size(); ++c) {
    threads.emplace_back([&, c] {
      if (start->Block()) delete start;
      absl::StatusOr<int64_t> mine =
          AppendUntil(*targets[c], fmt::format("{}-c{}-s", prefix, c),
                      pipelines ? o.streams_per_client
                                : std::max(2, o.streams_per_client / in_flight),
                      batch, window, deadline);
      if (!mine.ok()) {
        errors[c] = mine.status();
        return;
      }
      appended += *mine;
    });
  }
  deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(o.seconds));
  const Clock::time_point began = Clock::now();
  if (start->Block()) delete start;
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
  for (const absl::Status& e : errors) {
    if (!e.ok()) return e;
  }
  return static_cast<double>(appended.load()) / elapsed;
}

// Writes a --read-events stream, then reads it --reads times: p50 and p99 in ms. Unless
// `spread`, the stream is written in appends of 100 events, one after the other; when
// `spread`, one event at a time, each followed by 100 events of one of 8 other streams, as an
// aggregate's events lie among other aggregates'.
absl::Status RunReads(const System& system, const EventsBenchOptions& o, bool spread,
                      double* p50, double* p99) {
  absl::StatusOr<std::unique_ptr<EventTarget>> target = system.connect();
  if (!target.ok()) return target.status();
  const std::string stream = fmt::format("{}-{}", spread ? "spread" : "read", o.read_events);
  constexpr int kFillers = 8, kFill = 100;
  int64_t filler_last[kFillers];
  std::fill(std::begin(filler_last), std::end(filler_last), -1);
  for (int64_t written = 0; written < o.read_events;) {
    const int count =
        spread ? 1 : static_cast<int>(std::min<int64_t>(100, o.read_events - written));
    if (absl::Status s = (*target)->Append(stream, written - 1, count, kEventData); !s.ok()) {
      return s;
    }
    written += count;
    if (spread) {
      const int f = static_cast<int>(written % kFillers);
      if (absl::Status s = (*target)->Append(fmt::format("{}-filler-{}", stream, f),
                                             filler_last[f], kFill, kEventData);
          !s.ok()) {
        return s;
      }
      filler_last[f] += kFill;
    }
  }
  std::vector<double> samples;
  for (int r = 0; r < o.reads; ++r) {
    const Clock::time_point began = Clock::now();
    absl::StatusOr<int> read = (*target)->ReadStream(stream, o.read_events);
    if (!read.ok()) return read.status();
    if (*read != o.read_events) {
      return absl::InternalError(fmt::format("{} read {} of {} events", system.name, *read,
                                             o.read_events));
    }
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - began).count());
  }
  std::sort(samples.begin(), samples.end());
  *p50 = Percentile(samples, 50);
  *p99 = Percentile(samples, 99);
  return absl::OkStatus();
}

// Reads every event in the global order, --runs times; sets the median events per second
// and how many.
absl::Status RunCatchUp(const System& system, const EventsBenchOptions& o, double* per_second,
                        int64_t* events) {
  std::vector<double> rates;
  for (int run = 0; run < o.runs; ++run) {
    absl::StatusOr<std::unique_ptr<EventTarget>> target = system.connect();
    if (!target.ok()) return target.status();
    int64_t cursor = 0, total = 0;
    const Clock::time_point began = Clock::now();
    for (;;) {
      absl::StatusOr<int> read = (*target)->ReadAll(&cursor, kPage);
      if (!read.ok()) return read.status();
      if (*read == 0) break;
      total += *read;
    }
    rates.push_back(static_cast<double>(total) /
                    std::chrono::duration<double>(Clock::now() - began).count());
    *events = total;
  }
  *per_second = Median(std::move(rates));
  return absl::OkStatus();
}

absl::StatusOr<ModeFigures> RunMode(const EventsBenchOptions& o, bool fsync) {
  ModeFigures figures;
  figures.mode = fsync ? "fsync" : "no fsync";
  absl::StatusOr<std::unique_ptr<PeerServer>> brook = PeerServer::StartBrook();
  if (!brook.ok()) return brook.status();
  absl::StatusOr<std::unique_ptr<PeerServer>> postgres = PeerServer::StartPostgres(fsync);
  if (!postgres.ok()) return postgres.status();
  const std::string pg_host = (*postgres)->host();
  const int pg_port = (*postgres)->port();
  if (absl::Status s = CreatePostgresSchema(pg_host, pg_port); !s.ok()) return s;
  const std::string bootstrap = fmt::format("{}:{}", (*brook)->host(), (*brook)->port());
  const System systems[2] = {
      {"brook", [&] { return ConnectBrookEvents(bootstrap, fsync ? -1 : 1, "events"); }},
      {"postgres", [&] { return ConnectPostgres(pg_host, pg_port); }}};
  for (int run = 1; run <= o.runs; ++run) {
    for (int s = 0; s < 2; ++s) {
      absl::StatusOr<double> single =
          RunAppends(systems[s], o, 1, 1, fmt::format("r{}-single", run));
      if (!single.ok()) return single.status();
      absl::StatusOr<double> pipelined =
          RunAppends(systems[s], o, 1, o.in_flight, fmt::format("r{}-pipelined", run));
      if (!pipelined.ok()) return pipelined.status();
      absl::StatusOr<double> batched =
          RunAppends(systems[s], o, o.batch, 1, fmt::format("r{}-batch", run));
      if (!batched.ok()) return batched.status();
      figures.single[s].push_back(*single);
      figures.pipelined[s].push_back(*pipelined);
      figures.batched[s].push_back(*batched);
      fmt::print(stderr,
                 "events {} run {}/{} {}: single {:.0f} ev/s, {} in flight {:.0f} ev/s, batched "
                 "{:.0f} ev/s\n",
                 figures.mode, run, o.runs, systems[s].name, *single, o.in_flight, *pipelined,
                 *batched);
    }
  }
  for (int s = 0; s < 2; ++s) {
    WaitUntilMachineIdle(kSettleAtMost);
    if (absl::Status st = RunReads(systems[s], o, /*spread=*/false, &figures.read_p50_ms[s],
                                   &figures.read_p99_ms[s]);
        !st.ok()) {
      return st;
    }
    if (absl::Status st = RunReads(systems[s], o, /*spread=*/true, &figures.spread_p50_ms[s],
                                   &figures.spread_p99_ms[s]);
        !st.ok()) {
      return st;
    }
    WaitUntilMachineIdle(kSettleAtMost);
    if (absl::Status st = RunCatchUp(systems[s], o, &figures.catch_up_per_second[s],
                                     &figures.catch_up_events[s]);
        !st.ok()) {
      return st;
    }
  }
  return figures;
}

// The resident memory of process `pid` in bytes (VmRSS), or -1.
int64_t ResidentBytes(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

struct StreamsFigures {
  int64_t streams = 0;
  double per_second = 0;
  int64_t rss_before = 0, rss_after = 0;
};

// One event to each of o.streams new streams on a fresh brook (acks=1), o.clients at a time.
absl::StatusOr<StreamsFigures> RunManyStreams(const EventsBenchOptions& o) {
  absl::StatusOr<std::unique_ptr<PeerServer>> brook = PeerServer::StartBrook();
  if (!brook.ok()) return brook.status();
  const std::string bootstrap = fmt::format("{}:{}", (*brook)->host(), (*brook)->port());
  StreamsFigures figures;
  figures.streams = o.streams;
  figures.rss_before = ResidentBytes((*brook)->pid());
  std::atomic<int64_t> next{0};
  std::vector<absl::Status> errors(static_cast<size_t>(o.clients));
  std::vector<std::thread> threads;
  const Clock::time_point began = Clock::now();
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      absl::StatusOr<std::unique_ptr<EventTarget>> target =
          ConnectBrookEvents(bootstrap, 1, "events");
      if (!target.ok()) {
        errors[static_cast<size_t>(c)] = target.status();
        return;
      }
      for (int64_t i = next++; i < o.streams; i = next++) {
        if (absl::Status s = (*target)->Append(fmt::format("stream-{}", i), -1, 1, kEventData);
            !s.ok()) {
          errors[static_cast<size_t>(c)] = s;
          return;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& e : errors) {
    if (!e.ok()) return e;
  }
  figures.per_second = static_cast<double>(o.streams) /
                       std::chrono::duration<double>(Clock::now() - began).count();
  figures.rss_after = ResidentBytes((*brook)->pid());
  return figures;
}

double Ratio(double brook, double postgres) { return postgres > 0 ? brook / postgres : 0; }

std::string FormatTable(const EventsBenchOptions& o, const std::vector<ModeFigures>& modes,
                        const std::optional<StreamsFigures>& streams) {
  std::string text = fmt::format(
      "workload  event store: brook vs PostgreSQL (events table, unique (stream, revision), "
      "SELECT max + INSERT\n          in one transaction), {} clients, expected revisions, "
      "medians of {} runs of {} s\n",
      o.clients, o.runs, o.seconds);
  text += fmt::format(
      "          {} in flight: brook pipelines them on each client's connection; PostgreSQL, one "
      "transaction\n          at a time per connection, gets {} connections\n",
      o.in_flight, o.clients * o.in_flight);
  text +=
      "          reads and catch-ups start once the machine is idle after the appends (the "
      "servers' flushes,\n          compactions, autovacuum); catch-up: median of the runs' "
      "full reads\n";
  for (const ModeFigures& m : modes) {
    text += fmt::format(
        "\n{}: {}\n{:<28}{:>16}{:>16}{:>9}\n", m.mode,
        m.mode == "fsync" ? "brook acks=all, PostgreSQL synchronous_commit=on"
                          : "brook acks=1, PostgreSQL synchronous_commit=off",
        "", "brook", "postgres", "ratio");
    const double single[2] = {Median(m.single[0]), Median(m.single[1])};
    const double pipelined[2] = {Median(m.pipelined[0]), Median(m.pipelined[1])};
    const double batched[2] = {Median(m.batched[0]), Median(m.batched[1])};
    text += fmt::format("{:<28}{:>12.0f} ev/s{:>11.0f} ev/s{:>8.1f}x\n", "single-event appends",
                        single[0], single[1], Ratio(single[0], single[1]));
    text += fmt::format("{:<28}{:>12.0f} ev/s{:>11.0f} ev/s{:>8.1f}x\n",
                        fmt::format("  {} in flight per client", o.in_flight), pipelined[0],
                        pipelined[1], Ratio(pipelined[0], pipelined[1]));
    text += fmt::format("{:<28}{:>12.0f} ev/s{:>11.0f} ev/s{:>8.1f}x\n",
                        fmt::format("appends of {} events", o.batch), batched[0], batched[1],
                        Ratio(batched[0], batched[1]));
    const auto latency = [&](std::string_view what, const double (&ms)[2]) {
      text += fmt::format("{:<28}{:>13.2f} ms{:>13.2f} ms\n", what, ms[0], ms[1]);
    };
    latency(fmt::format("read {} events, p50", o.read_events), m.read_p50_ms);
    latency(fmt::format("read {} events, p99", o.read_events), m.read_p99_ms);
    latency(fmt::format("read {} spread, p50", o.read_events), m.spread_p50_ms);
    latency(fmt::format("read {} spread, p99", o.read_events), m.spread_p99_ms);
    text += fmt::format("{:<28}{:>12.0f} ev/s{:>11.0f} ev/s{:>8.1f}x   ({} / {} events)\n",
                        "$all catch-up", m.catch_up_per_second[0], m.catch_up_per_second[1],
                        Ratio(m.catch_up_per_second[0], m.catch_up_per_second[1]),
                        m.catch_up_events[0], m.catch_up_events[1]);
  }
  if (streams) {
    text += fmt::format(
        "\n{} streams, one event each (brook, acks=1): {:.0f} ev/s; broker RSS {:.0f} MiB "
        "before, {:.0f} MiB after\n",
        streams->streams, streams->per_second, streams->rss_before / 1048576.0,
        streams->rss_after / 1048576.0);
  }
  return text;
}

std::string FormatJson(const EventsBenchOptions& o, const std::vector<ModeFigures>& modes,
                       const std::optional<StreamsFigures>& streams) {
  boost::json::object out;
  out["workload"] = "events";
  out["clients"] = o.clients;
  out["runs"] = o.runs;
  out["seconds"] = o.seconds;
  out["batch"] = o.batch;
  out["in_flight"] = o.in_flight;
  boost::json::array mode_list;
  for (const ModeFigures& m : modes) {
    boost::json::object mode;
    mode["durability"] = m.mode;
    const char* names[2] = {"brook", "postgres"};
    for (int s = 0; s < 2; ++s) {
      boost::json::object system;
      system["single_events_per_second"] = Rounded(Median(m.single[s]), 0);
      system["pipelined_single_events_per_second"] = Rounded(Median(m.pipelined[s]), 0);
      system["batched_events_per_second"] = Rounded(Median(m.batched[s]), 0);
      system["read_p50_ms"] = Rounded(m.read_p50_ms[s], 3);
      system["read_p99_ms"] = Rounded(m.read_p99_ms[s], 3);
      system["read_spread_p50_ms"] = Rounded(m.spread_p50_ms[s], 3);
      system["read_spread_p99_ms"] = Rounded(m.spread_p99_ms[s], 3);
      system["catch_up_events_per_second"] = Rounded(m.catch_up_per_second[s], 0);
      system["catch_up_events"] = m.catch_up_events[s];
      mode[names[s]] = std::move(system);
    }
    mode_list.push_back(std::move(mode));
  }
  out["modes"] = std::move(mode_list);
  if (streams) {
    out["streams"] = boost::json::object{{"count", streams->streams},
                                         {"events_per_second", Rounded(streams->per_second, 0)},
                                         {"rss_before_bytes", streams->rss_before},
                                         {"rss_after_bytes", streams->rss_after}};
  }
  return json::Text(out);
}

int RunEventsBench(const EventsBenchOptions& o) {
  if (o.in_flight > o.streams_per_client || o.clients * o.in_flight > kMaxPostgresConnections) {
    fmt::print(stderr,
               "error: --in-flight must be at most --streams-per-client (one append in flight "
               "per stream), and --clients x --in-flight at most {} (PostgreSQL's connections)\n",
               kMaxPostgresConnections);
    return 1;
  }
  std::vector<ModeFigures> modes;
  for (const bool fsync : {true, false}) {
    if ((fsync && o.durability == "no-fsync") || (!fsync && o.durability == "fsync")) continue;
    absl::StatusOr<ModeFigures> figures = RunMode(o, fsync);
    if (!figures.ok()) {
      fmt::print(stderr, "error: {}\n", MessageOf(figures.status()));
      return 1;
    }
    modes.push_back(*std::move(figures));
  }
  std::optional<StreamsFigures> streams;
  if (o.streams > 0) {
    absl::StatusOr<StreamsFigures> figures = RunManyStreams(o);
    if (!figures.ok()) {
      fmt::print(stderr, "error: {}\n", MessageOf(figures.status()));
      return 1;
    }
    streams = *figures;
  }
  fmt::print("{}", o.json ? FormatJson(o, modes, streams) + "\n" : FormatTable(o, modes, streams));
  return 0;
}

}  // namespace

void AddEventsBenchCommand(CLI::App& bench, int* exit_code) {
  auto o = std::make_shared<EventsBenchOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "events", "brook's event store beside PostgreSQL's tutorial design (needs postgresql)");
  cmd->add_option("--clients", o->clients, "Concurrent clients")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--runs", o->runs, "Runs per durability (medians reported)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Length of each append run")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->add_option("--batch", o->batch, "Events per batched append")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--streams-per-client", o->streams_per_client, "Streams each client appends to")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--in-flight", o->in_flight,
                  "Single-event appends in flight per client in the pipelined run (brook: on "
                  "its one connection; PostgreSQL: a connection each)")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--read-events", o->read_events, "Events in the stream the reads read")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--reads", o->reads, "Reads of that stream")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--streams", o->streams, "New streams for the memory figure (0: skip)")
      ->check(CLI::Range(int64_t{0}, int64_t{100'000'000}))
      ->capture_default_str();
  cmd->add_option("--durability", o->durability, "fsync, no-fsync or both")
      ->check(CLI::IsMember({"fsync", "no-fsync", "both"}))
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON instead of a table");
  cmd->callback([o, exit_code] { *exit_code = RunEventsBench(*o); });
}

}  // namespace brook::bench
