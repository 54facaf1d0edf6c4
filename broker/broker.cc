#include "broker/broker.h"

#include <thread>
#include <vector>

#include "broker/brook_handler.h"
#include "broker/fetch_waiters.h"
#include "broker/group/group_coordinator.h"
#include "broker/io_pool.h"
#include "broker/log.h"
#include "broker/log_cleaner.h"
#include "broker/server.h"
#include "protocol/absl_compat.h"

namespace brook {

struct Broker::Runtime {
  BrokerConfig config;
  std::unique_ptr<storage::LogStore> store;
  // After store: destroyed before it. Stopped by Stop() before the server drains.
  std::unique_ptr<LogCleaner> cleaner;
  FetchWaiters waiters;
  std::shared_ptr<BrookHandler> handler;
  std::unique_ptr<IoPool> io;
  // After io: destroyed before it (its sweep timer lives on the pool's main thread).
  std::unique_ptr<group::GroupCoordinator> groups;
  std::unique_ptr<Server> server;
  bool stopped = false;
};

absl::StatusOr<std::unique_ptr<Broker>> Broker::Start(BrokerConfig config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  auto runtime = std::make_unique<Runtime>();
  runtime->config = std::move(config);
  runtime->config.store.log_sink = [](bool error, std::string_view message) {
    Log(error ? LogLevel::kError : LogLevel::kWarn, "storage engine", "detail", message);
  };
  const BrokerConfig& cfg = runtime->config;

  absl::StatusOr<std::unique_ptr<storage::LogStore>> store = storage::LogStore::Open(cfg.store);
  if (!store.ok()) return store.status();
  runtime->store = *std::move(store);
  runtime->store->SetAppendListener(
      [waiters = &runtime->waiters](std::string_view topic, PartitionId partition) {
        waiters->Notify(topic, partition);
      });

  runtime->groups = std::make_unique<group::GroupCoordinator>(*runtime->store, cfg);
  runtime->cleaner = std::make_unique<LogCleaner>(
      *runtime->store, LogCleanerOptions{cfg.log_cleanup_interval,
                                         cfg.compaction_max_bytes_per_second});
  runtime->handler = std::make_shared<BrookHandler>(*runtime->store, runtime->waiters,
                                                    *runtime->groups, *runtime->cleaner, cfg);
  const int threads = cfg.io_threads > 0
                          ? cfg.io_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  runtime->io = std::make_unique<IoPool>(threads);
  runtime->server = std::make_unique<Server>(*runtime->io, cfg.server, runtime->handler);
  if (absl::Status s = runtime->server->Start(); !s.ok()) return s;

  runtime->groups->Start(runtime->io->Main());
  runtime->cleaner->Start();
  runtime->io->Start();
  std::unique_ptr<Broker> broker(new Broker(std::move(runtime)));
  Log(LogLevel::kInfo, "brook is serving", "addr", broker->address(), "data_dir",
      cfg.store.data_dir, "io_threads", threads);
  return broker;
}

Broker::Broker(std::unique_ptr<Runtime> runtime) : runtime_(std::move(runtime)) {}

Broker::~Broker() { Stop(); }

uint16_t Broker::port() const { return runtime_->server->port(); }

std::string Broker::address() const {
  const std::string& host = runtime_->config.server.host;
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port())
                                             : fmt::format("{}:{}", host, port());
}

const BrokerConfig& Broker::config() const { return runtime_->config; }

void Broker::Stop() {
  Runtime& rt = *runtime_;
  if (rt.stopped) return;
  rt.stopped = true;
  Log(LogLevel::kInfo, "shutting down", "connections", rt.server->connection_count());
  rt.handler->BeginShutdown();
  rt.server->StopAccepting();
  rt.waiters.WakeAll();
  rt.groups->Shutdown();
  // Cancels a running compaction and answers pending CompactTopic requests, so they do not
  // hold up the drain; the store is still open while it finishes.
  rt.cleaner->Stop();
  rt.server->Drain(rt.config.server.shutdown_timeout);
  rt.io->Stop();
  rt.server.reset();
  rt.store.reset();  // fsyncs the WAL and closes RocksDB.
  Log(LogLevel::kInfo, "stopped");
}

}  // namespace brook
