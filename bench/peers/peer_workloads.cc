#include "bench/peers/peer_workloads.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "bench/shares.h"
#include "bench/value_pool.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNs() { return Clock::now().time_since_epoch().count(); }

// The first error of several threads, and a flag they poll to stop early.
class FirstError {
 public:
  void Set(const absl::Status& status) {
    std::lock_guard lock(mu_);
    if (status_.ok()) status_ = status;
    failed_ = true;
  }
  bool failed() const { return failed_.load(); }
  absl::Status status() const {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  mutable std::mutex mu_;
  absl::Status status_;
  std::atomic<bool> failed_{false};
};

absl::Status Fill(PeerDriver& driver, const std::string& stream, const WorkloadOptions& options,
                  const PeerSettings& settings) {
  absl::StatusOr<RunResult> filled =
      RunPeerProduce(driver, stream, Unmeasured(options), settings);
  if (!filled.ok()) return filled.status();
  if (filled->errors > 0) {
    return absl::InternalError(
        fmt::format("{} records refused while filling {}", filled->errors, stream));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RunResult> RunPeerProduce(PeerDriver& driver, const std::string& stream,
                                         const WorkloadOptions& options,
                                         const PeerSettings& settings) {
  WaitUntilServerIdle(options.server_cpu);
  const ValuePool pool(options.value_size, options.key_count);
  std::vector<std::unique_ptr<PeerProducer>> producers;
  for (int i = 0; i < options.producers; ++i) {
    absl::StatusOr<std::unique_ptr<PeerProducer>> producer =
        driver.NewProducer(stream, settings.producer);
    if (!producer.ok()) return producer.status();
    producers.push_back(*std::move(producer));
  }
  FirstError error;
  const RunClock clock(options.server_cpu);
  RunShares(options.records, options.producers, [&](int i, int64_t first, int64_t last) {
    PeerProducer& producer = *producers[static_cast<size_t>(i)];
    for (int64_t n = first; n < last && !error.failed(); ++n) {
      if (absl::Status s = producer.Send(pool.Key(n), pool.Value(n)); !s.ok()) {
        return error.Set(s);
      }
    }
    if (absl::Status s = producer.Flush(); !s.ok()) error.Set(s);
  });
  RunResult result = clock.Stop(options.records, options.records * options.value_size, 0);
  if (error.failed()) return error.status();
  for (const auto& producer : producers) result.errors += producer->errors();
  return result;
}

absl::StatusOr<RunResult> RunPeerConsume(PeerDriver& driver, const std::string& stream,
                                         const WorkloadOptions& options,
                                         const PeerSettings& settings) {
  if (absl::Status s = Fill(driver, stream, options, settings); !s.ok()) return s;
  WaitUntilServerIdle(options.server_cpu);
  absl::StatusOr<std::unique_ptr<PeerConsumer>> consumer =
      driver.NewConsumer(stream, /*group=*/"", 0, settings.consume_batch);
  if (!consumer.ok()) return consumer.status();
  int64_t received = 0;
  int64_t bytes = 0;
  const auto on_record = [&bytes](std::string_view value) {
    bytes += static_cast<int64_t>(value.size());
  };
  const RunClock clock(options.server_cpu);
  while (received < options.records) {
    absl::StatusOr<int> got = (*consumer)->Poll(std::chrono::seconds(10), on_record);
    if (!got.ok()) return got.status();
    if (*got == 0) {
      return absl::InternalError(
          fmt::format("reader stalled after {} of {} records", received, options.records));
    }
    received += *got;
  }
  const RunResult result = clock.Stop(received, bytes, received - options.records);
  if (absl::Status s = (*consumer)->Close(); !s.ok()) return s;
  return result;
}

absl::StatusOr<RunResult> RunPeerMixed(PeerDriver& driver, const std::string& stream,
                                       const WorkloadOptions& options,
                                       const PeerSettings& settings) {
  WaitUntilServerIdle(options.server_cpu);
  absl::StatusOr<std::unique_ptr<PeerConsumer>> consumer =
      driver.NewConsumer(stream, /*group=*/"", 0, settings.consume_batch);
  if (!consumer.ok()) return consumer.status();
  const RunClock clock(options.server_cpu);
  absl::StatusOr<RunResult> produced = absl::UnknownError("not run");
  std::thread producer(
      [&] { produced = RunPeerProduce(driver, stream, Unmeasured(options), settings); });
  int64_t received = 0;
  int64_t bytes = 0;
  absl::Status failure;
  const auto on_record = [&bytes](std::string_view value) {
    bytes += static_cast<int64_t>(value.size());
  };
  while (received < options.records) {
    absl::StatusOr<int> got = (*consumer)->Poll(std::chrono::seconds(10), on_record);
    if (!got.ok()) {
      failure = got.status();
      break;
    }
    if (*got == 0) {
      failure = absl::InternalError(
          fmt::format("reader stalled after {} of {} records", received, options.records));
      break;
    }
    received += *got;
  }
  RunResult result = clock.Stop(received, bytes, received - options.records);
  producer.join();
  if (!failure.ok()) return failure;
  if (!produced.ok()) return produced.status();
  if (absl::Status s = (*consumer)->Close(); !s.ok()) return s;
  result.errors += produced->errors;
  return result;
}

absl::StatusOr<RunResult> RunPeerGroupConsume(PeerDriver& driver, const std::string& stream,
                                              const WorkloadOptions& options,
                                              const PeerSettings& settings) {
  if (absl::Status s = Fill(driver, stream, options, settings); !s.ok()) return s;
  const std::string group = "bench-group";
  if (absl::Status s = driver.CreateGroup(stream, group); !s.ok()) return s;
  WaitUntilServerIdle(options.server_cpu);

  FirstError error;
  std::atomic<int64_t> received{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> first_ready_ns{0};  // Clock time since epoch; 0 = not yet.
  std::atomic<int64_t> last_record_ns{0};
  const auto member = [&](int index) {
    absl::StatusOr<std::unique_ptr<PeerConsumer>> consumer =
        driver.NewConsumer(stream, group, index, settings.consume_batch);
    if (!consumer.ok()) return error.Set(consumer.status());
    int64_t unset = 0;
    first_ready_ns.compare_exchange_strong(unset, NowNs());
    int64_t my_bytes = 0;
    const auto on_record = [&my_bytes](std::string_view value) {
      my_bytes += static_cast<int64_t>(value.size());
    };
    while (!error.failed() && received.load() < options.records) {
      absl::StatusOr<int> got = (*consumer)->Poll(std::chrono::milliseconds(200), on_record);
      if (!got.ok()) return error.Set(got.status());
      if (*got == 0) continue;
      received += *got;
      last_record_ns = NowNs();
    }
    bytes += my_bytes;
    if (absl::Status s = (*consumer)->Close(); !s.ok()) error.Set(s);
  };
  // The server's CPU from the members' start until this thread sees the last record.
  const CpuInterval cpu(options.server_cpu);
  std::vector<std::thread> members;
  for (int i = 0; i < options.consumers; ++i) members.emplace_back(member, i);
  const auto deadline = Clock::now() + std::chrono::minutes(5);
  while (!error.failed() && received.load() < options.records && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double server_cpu_seconds = cpu.Seconds();
  if (received.load() < options.records) error.Set(absl::InternalError("the group stalled"));
  for (std::thread& t : members) t.join();
  if (error.failed()) {
    return absl::Status(error.status().code(),
                        fmt::format("group consume after {} of {} records: {}", received.load(),
                                    options.records, MessageOf(error.status())));
  }
  const double seconds = static_cast<double>(last_record_ns.load() - first_ready_ns.load()) / 1e9;
  return RunResult{received.load(), bytes.load(), seconds, received.load() - options.records,
                   server_cpu_seconds};
}

}  // namespace brook::bench
