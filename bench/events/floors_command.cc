#include "bench/events/floors_command.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/events/event_target.h"
#include "bench/report.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/event_id.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "storage/event_store/event_keys.h"
#include "storage/event_store/event_record.h"
#include "storage/keys.h"
#include "storage/log_store.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRequestBytes = 160;  // About a single-event append's request and answer.
constexpr int kResponseBytes = 60;
constexpr int kStreams = 1600;  // As `bench events`: 16 clients x 100 streams.
constexpr uint32_t kTopicId = 1;  // The index keys' topic (a store of its own: any id).

struct FloorOptions {
  int clients = 16;
  int in_flight = 8;
  int batch = 100;
  int runs = 3;
  double seconds = 3;
};

// A socket, closed when it goes.
struct Fd {
  explicit Fd(int fd) : fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  int fd;
};

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);  // A closed peer: false, no SIGPIPE.
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Round trips per second of `clients` connections with `window` requests in flight each,
// against two server threads that answer every whole request at once.
absl::StatusOr<double> RoundTrips(int clients, int window, double seconds) {
  Fd listener(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener.fd < 0 || bind(listener.fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(listener.fd, clients) != 0 ||
      getsockname(listener.fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return absl::InternalError("cannot listen on 127.0.0.1");
  }
  constexpr int kServerThreads = 2;
  std::vector<std::unique_ptr<Fd>> polls, client_fds, server_fds;
  for (int t = 0; t < kServerThreads; ++t) {
    polls.push_back(std::make_unique<Fd>(epoll_create1(0)));
    if (polls.back()->fd < 0) return absl::InternalError("cannot make an epoll instance");
  }
  const int one = 1;
  for (int c = 0; c < clients; ++c) {
    auto client = std::make_unique<Fd>(socket(AF_INET, SOCK_STREAM, 0));
    if (client->fd < 0 ||
        connect(client->fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      return absl::InternalError(
          fmt::format("cannot connect client {} on loopback (open files?)", c));
    }
    auto server = std::make_unique<Fd>(accept(listener.fd, nullptr, nullptr));
    if (server->fd < 0) {
      return absl::InternalError(fmt::format("cannot accept client {} (open files?)", c));
    }
    setsockopt(client->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(server->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = static_cast<uint32_t>(c);
    epoll_ctl(polls[static_cast<size_t>(c % kServerThreads)]->fd, EPOLL_CTL_ADD, server->fd,
              &event);
    client_fds.push_back(std::move(client));
    server_fds.push_back(std::move(server));
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kServerThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<char> in(1 << 16), out(static_cast<size_t>(kResponseBytes) * 64, 'a');
      std::vector<size_t> partial(static_cast<size_t>(clients), 0);
      epoll_event events[64];
      while (!stop.load(std::memory_order_relaxed)) {
        const int n = epoll_wait(polls[static_cast<size_t>(t)]->fd, events, 64, 50);
        for (int i = 0; i < n; ++i) {
          const uint32_t c = events[i].data.u32;
          const ssize_t got = read(server_fds[c]->fd, in.data(), in.size());
          if (got <= 0) continue;
          partial[c] += static_cast<size_t>(got);
          for (size_t whole = partial[c] / kRequestBytes; whole > 0;) {
            const size_t now = std::min<size_t>(whole, 64);
            WriteAll(server_fds[c]->fd, out.data(), now * kResponseBytes);
            whole -= now;
          }
          partial[c] %= kRequestBytes;
        }
      }
    });
  }
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const int fd = client_fds[static_cast<size_t>(c)]->fd;
      std::vector<char> requests(static_cast<size_t>(kRequestBytes) * window, 'q');
      std::vector<char> answers(static_cast<size_t>(kResponseBytes) * window);
      if (!WriteAll(fd, requests.data(), requests.size())) return;
      int64_t mine = 0;
      size_t partial = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const ssize_t got = read(fd, answers.data(), answers.size());
        if (got <= 0) break;
        partial += static_cast<size_t>(got);
        const size_t whole = partial / kResponseBytes;
        partial %= kResponseBytes;
        mine += static_cast<int64_t>(whole);
        if (!WriteAll(fd, requests.data(), whole * kRequestBytes)) break;
      }
      answered += mine;
    });
  }
  const Clock::time_point began = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
  // A client may wait on an answer still in flight: shutting the server's side down ends its
  // read.
  for (auto& server : server_fds) shutdown(server->fd, SHUT_RDWR);
  for (std::thread& t : threads) t.join();
  return static_cast<double>(answered.load()) / elapsed;
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct WriteFigures {
  double events_per_second = 0;
  double cpu_us_per_event = 0;
};

// Through what an append's write goes: brook's LogStore (the partition's bookkeeping, its
// record batch encoded per append), or straight to RocksDB (one record batch encoded once).
enum class WritePath { kLogStore, kRocksDb };

// The index entries of an append of `ids.size()` events (event_keys.h) into `write`.
void PutIndex(rocksdb::WriteBatch& write, const storage::ColumnFamilies& cfs,
              const std::vector<std::string>& id_keys, std::string_view stream,
              int64_t first_revision, int64_t position, int64_t offset) {
  const int32_t count = static_cast<int32_t>(id_keys.size());
  for (int32_t i = 0; i < count; ++i) {
    write.Put(cfs.events, id_keys[static_cast<size_t>(i)],
              storage::events::EncodeIdEntry({first_revision + i, position + i}));
  }
  write.Put(cfs.events, storage::events::RevisionKey(kTopicId, stream, first_revision),
            storage::events::EncodeRevisionRun({position, 0, offset, count}));
  write.Put(cfs.events, storage::events::GlobalKey(kTopicId, position),
            storage::events::EncodeAppendEntry({0, offset, count, std::string(stream)}));
  write.Put(cfs.events, storage::events::StreamKey(kTopicId, stream),
            storage::events::EncodeStreamState({first_revision + count - 1, 0, 0, false}));
}

// Writes what event-store appends of `batch` events write, to streams in turn, for `seconds`.
absl::StatusOr<WriteFigures> StoreWrites(int batch, WritePath path, double seconds) {
  std::string dir = (std::filesystem::temp_directory_path() / "brook-floors-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return absl::InternalError("cannot make a temp dir");
  struct RemoveDir {
    ~RemoveDir() { std::filesystem::remove_all(path); }
    std::string path;
  } remove{dir};
  absl::StatusOr<std::unique_ptr<storage::LogStore>> log =
      storage::LogStore::Open({.data_dir = dir});
  if (!log.ok()) return log.status();
  if (absl::Status s = (*log)->CreateTopic("floor", 1, {}); !s.ok()) return s;
  const storage::ColumnFamilies& cfs = (*log)->column_families();
  const auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  std::string encoded_once;  // WritePath::kRocksDb's record batch.
  std::vector<int64_t> revisions(kStreams, -1);
  int64_t position = 0, events = 0;
  const double cpu_before = ProcessCpuSeconds();
  const Clock::time_point began = Clock::now();
  const auto deadline = began + std::chrono::duration<double>(seconds);
  for (int s = 0; Clock::now() < deadline; s = (s + 1) % kStreams) {
    const std::string stream = fmt::format("r1-batch-c{}-s{}", s / 100, s % 100);
    std::vector<storage::events::NewEvent> appended(static_cast<size_t>(batch));
    std::vector<std::string> id_keys;
    for (storage::events::NewEvent& event : appended) {
      event = {NewEventId(), "Deposited", "application/json", kEventData, ""};
      id_keys.push_back(storage::events::IdKey(kTopicId, stream, event.id));
    }
    // The duplicate check: are these ids in the stream already?
    std::vector<rocksdb::Slice> keys(id_keys.begin(), id_keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> found(keys.size());
    cfs.db->MultiGet(rocksdb::ReadOptions(), cfs.events, keys.size(), keys.data(), values.data(),
                     found.data());
    const int64_t first_revision = revisions[static_cast<size_t>(s)] + 1;
    const storage::events::StreamRun run{stream, appended, first_revision, position};
    if (path == WritePath::kLogStore) {
      absl::StatusOr<storage::AppendResult> written = (*log)->AppendWith(
          "floor", PartitionId(0), storage::events::EncodeAppendBatch({&run, 1}, now_ms()),
          [&](rocksdb::WriteBatch& write, Offset base) -> absl::Status {
            PutIndex(write, cfs, id_keys, stream, first_revision, position, base.value);
            return absl::OkStatus();
          });
      if (!written.ok()) return written.status();
    } else {
      if (encoded_once.empty()) encoded_once = storage::events::EncodeAppendBatch({&run, 1}, 0);
      rocksdb::WriteBatch write;
      write.Put(cfs.log, storage::LogKey(kTopicId, 0, position + batch - 1), encoded_once);
      PutIndex(write, cfs, id_keys, stream, first_revision, position, position);
      if (!cfs.db->Write(rocksdb::WriteOptions(), &write).ok()) {
        return absl::InternalError("RocksDB refused a write");
      }
    }
    revisions[static_cast<size_t>(s)] += batch;
    position += batch;
    events += batch;
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - began).count();
  const double cpu = ProcessCpuSeconds() - cpu_before;
  return WriteFigures{static_cast<double>(events) / elapsed,
                      cpu / static_cast<double>(events) * 1e6};
}

int RunFloors(const FloorOptions& o) {
  std::string text = fmt::format(
      "workload  what this machine allows `bench events`' appends, medians of {} runs of {} s\n",
      o.runs, o.seconds);
  text += fmt::format(
      "\nround trips on loopback: {}-byte requests, {}-byte answers, a server (2 threads) that "
      "only answers\n",
      kRequestBytes, kResponseBytes);
  for (const int window : {1, o.in_flight}) {
    std::vector<double> rates;
    for (int run = 0; run < o.runs; ++run) {
      absl::StatusOr<double> rate = RoundTrips(o.clients, window, o.seconds);
      if (!rate.ok()) {
        fmt::print(stderr, "error: {}\n", MessageOf(rate.status()));
        return 1;
      }
      rates.push_back(*rate);
    }
    text += fmt::format("  {:<40}{:>10.0f} round trips/s\n",
                        fmt::format("{} clients, {} in flight each", o.clients, window),
                        Median(rates));
  }
  text +=
      "\nstorage: one thread writes what an append writes (id lookups, record batch, id, run, "
      "global and\nstream entries) to brook's LogStore, or the same keys straight to RocksDB "
      "(brook's options;\nthe record batch encoded once); no network, checks or group commit\n";
  for (const auto& [batch, path] : {std::pair{1, WritePath::kLogStore},
                                    std::pair{o.batch, WritePath::kLogStore},
                                    std::pair{o.batch, WritePath::kRocksDb}}) {
    std::vector<double> rates, cpu;
    for (int run = 0; run < o.runs; ++run) {
      absl::StatusOr<WriteFigures> figures = StoreWrites(batch, path, o.seconds);
      if (!figures.ok()) {
        fmt::print(stderr, "error: {}\n", MessageOf(figures.status()));
        return 1;
      }
      rates.push_back(figures->events_per_second);
      cpu.push_back(figures->cpu_us_per_event);
    }
    text += fmt::format("  {:<40}{:>10.0f} events/s, {:.2f} µs CPU per event\n",
                        fmt::format("appends of {} event{}{}", batch, batch == 1 ? "" : "s",
                                    path == WritePath::kRocksDb ? ", RocksDB alone" : ""),
                        Median(rates), Median(cpu));
  }
  fmt::print("{}", text);
  return 0;
}

}  // namespace

void AddEventFloorsCommand(CLI::App& bench, int* exit_code) {
  auto o = std::make_shared<FloorOptions>();
  CLI::App* cmd = bench.add_subcommand(
      "events-floors",
      "What this machine allows `bench events`' appends: loopback round trips and storage writes");
  cmd->add_option("--clients", o->clients, "Client connections of the round trips")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--in-flight", o->in_flight, "Requests in flight per connection, besides 1")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--batch", o->batch, "Events per append, besides 1")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--runs", o->runs, "Runs of each (medians reported)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "Length of each run")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cmd->callback([o, exit_code] { *exit_code = RunFloors(*o); });
}

}  // namespace brook::bench
