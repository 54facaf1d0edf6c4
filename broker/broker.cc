#include "broker/broker.h"

#include <unistd.h>

#include <thread>
#include <vector>

#include <future>

#include "broker/broker_clock.h"
#include "broker/brook_handler.h"
#include "broker/event_store/event_api.h"
#include "broker/fetch_waiters.h"
#include "broker/group/group_coordinator.h"
#include "broker/http/api_routes.h"
#include "broker/http/console_routes.h"
#include "broker/http/health_routes.h"
#include "broker/http/record_routes.h"
#include "broker/http/broker_routes.h"
#include "broker/http/http_router.h"
#include "broker/http/http_server.h"
#include "broker/io_pool.h"
#include "broker/kafka/api_table.h"
#include "broker/kafka/kafka_handler.h"
#include "broker/log.h"
#include "broker/log_cleaner.h"
#include "broker/memory_budget.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/server.h"
#include "broker/test_controls.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "storage/cluster_id.h"
#include "storage/event_store/event_store.h"

namespace brook {

struct Broker::Runtime {
  // First: outlives everything that counts into it (the store's fsync observer too).
  std::unique_ptr<metrics::BrokerMetrics> metrics;
  BrokerConfig config;
  // Before store: outlives it and everything else that reads it.
  std::unique_ptr<BrokerClock> clock;
  std::unique_ptr<storage::LogStore> store;
  std::unique_ptr<storage::events::EventStore> events;  // Over store; destroyed before it.
  // After store: destroyed before it. Stopped by Stop() before the server drains.
  std::unique_ptr<LogCleaner> cleaner;
  FetchWaiters waiters;
  std::atomic<bool> shutting_down{false};
  std::unique_ptr<MemoryBudget> memory;  // Both listeners' connections and Fetch charge it.
  std::unique_ptr<faults::FaultRegistry> faults;
  // What both protocols' handlers share. Its references are only used while serving.
  std::unique_ptr<BrokerContext> ctx;
  std::shared_ptr<BrookHandler> handler;
  std::shared_ptr<kafka_listener::KafkaHandler> kafka_handler;
  std::unique_ptr<IoPool> io;
  // After io: destroyed before it (its sweep timer lives on the pool's main thread).
  std::unique_ptr<group::GroupCoordinator> groups;
  std::unique_ptr<Server> server;
  std::unique_ptr<Server> kafka_server;  // Null when the Kafka listener is off.
  std::string kafka_address;
  // The HTTP listener's routes, and the listener itself (null when it is off).
  std::unique_ptr<http::HttpRouter> http_routes;
  std::unique_ptr<http::HttpServer> http_server;
  bool stopped = false;
};

namespace {

bool IsWildcard(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

std::string JoinHostPort(const std::string& host, uint16_t port) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

std::chrono::milliseconds RemainingUntil(std::chrono::steady_clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now()));
}

// What Metadata announces: never a wildcard address, which clients cannot connect to.
kafka_listener::KafkaNode AdvertisedNode(const KafkaListenerConfig& kafka, uint16_t bound_port,
                                         std::string cluster_id) {
  kafka_listener::KafkaNode node;
  node.host = kafka.advertised_host;
  if (node.host.empty()) node.host = kafka.host;
  if (IsWildcard(node.host)) {
    char name[256] = {};
    node.host = ::gethostname(name, sizeof name - 1) == 0 ? name : "localhost";
  }
  node.port = kafka.advertised_port != 0 ? kafka.advertised_port : bound_port;
  node.cluster_id = std::move(cluster_id);
  return node;
}

// Every API of both listeners, as fault rules and metrics name them.
std::vector<faults::ServedApi> ServedApis() {
  std::vector<faults::ServedApi> apis = BrookApis();
  for (const kafka_listener::KafkaApi& api : kafka_listener::KafkaApis()) {
    apis.push_back({FaultListener::kKafka, api.key, api.name, api.error_answer});
  }
  return apis;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Broker>> Broker::Start(BrokerConfig config) {
  if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
  auto runtime = std::make_unique<Runtime>();
  const std::vector<faults::ServedApi> apis = ServedApis();
  runtime->metrics = std::make_unique<metrics::BrokerMetrics>(apis);
  runtime->config = std::move(config);
  runtime->config.store.on_wal_sync = [metrics = runtime->metrics.get()](
                                          std::chrono::nanoseconds took) {
    metrics->ObserveWalSync(took);
  };
  runtime->config.store.log_sink = [](bool error, std::string_view message) {
    Log(error ? LogLevel::kError : LogLevel::kWarn, "storage engine", "detail", message);
  };
  runtime->clock = std::make_unique<BrokerClock>(runtime->config.clock,
                                                 std::move(runtime->config.store.clock));
  runtime->config.store.clock = [clock = runtime->clock.get()] { return clock->NowMs(); };
  const BrokerConfig& cfg = runtime->config;

  absl::StatusOr<std::unique_ptr<storage::LogStore>> store = storage::LogStore::Open(cfg.store);
  if (!store.ok()) return store.status();
  runtime->store = *std::move(store);
  runtime->store->SetAppendListener(
      [waiters = &runtime->waiters](std::string_view topic, PartitionId partition) {
        waiters->Notify(topic, partition);
      });
  runtime->store->SetDeleteListener(
      [waiters = &runtime->waiters](std::string_view topic) { waiters->NotifyTopic(topic); });

  runtime->events = std::make_unique<storage::events::EventStore>(*runtime->store);
  runtime->events->SetAppendListener([waiters = &runtime->waiters](std::string_view topic) {
    waiters->Notify(topic, event_api::kAppendWatch);
  });

  runtime->groups = std::make_unique<group::GroupCoordinator>(
      *runtime->store, cfg, [clock = runtime->clock.get()] { return clock->SteadyNow(); });
  runtime->cleaner = std::make_unique<LogCleaner>(
      *runtime->store, LogCleanerOptions{cfg.log_cleanup_interval,
                                         cfg.compaction_max_bytes_per_second});
  runtime->memory = std::make_unique<MemoryBudget>(cfg.max_in_flight_bytes, cfg.free_frame_bytes);
  runtime->faults = std::make_unique<faults::FaultRegistry>(apis);
  runtime->ctx = std::make_unique<BrokerContext>(BrokerContext{
      *runtime->store, runtime->waiters, *runtime->groups, *runtime->cleaner, cfg,
      runtime->shutting_down, *runtime->clock, *runtime->faults, runtime->memory.get(),
      runtime->metrics.get(), runtime->events.get()});
  runtime->handler = std::make_shared<BrookHandler>(*runtime->ctx);
  const int threads = cfg.io_threads > 0
                          ? cfg.io_threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  runtime->io = std::make_unique<IoPool>(threads, storage::DisableThreadPerfCounters);
  runtime->server =
      std::make_unique<Server>(*runtime->io, cfg.server, runtime->handler, *runtime->memory);
  if (absl::Status s = runtime->server->Start(); !s.ok()) return s;
  if (cfg.kafka.enabled) {
    absl::StatusOr<std::string> cluster_id =
        cfg.store.in_memory ? storage::NewClusterId()
                            : storage::LoadOrCreateClusterId(cfg.store.data_dir);
    if (!cluster_id.ok()) return cluster_id.status();
    runtime->kafka_handler =
        std::make_shared<kafka_listener::KafkaHandler>(*runtime->ctx, cfg.kafka);
    ServerConfig kafka_server = cfg.server;
    kafka_server.host = cfg.kafka.host;
    kafka_server.port = cfg.kafka.port;
    kafka_server.ordered_responses = true;  // Kafka clients expect answers in request order.
    runtime->kafka_server =
        std::make_unique<Server>(*runtime->io, kafka_server, runtime->kafka_handler,
                                 *runtime->memory);
    if (absl::Status s = runtime->kafka_server->Start(); !s.ok()) return s;
    kafka_listener::KafkaNode node =
        AdvertisedNode(cfg.kafka, runtime->kafka_server->port(), *std::move(cluster_id));
    runtime->kafka_address = JoinHostPort(node.host, static_cast<uint16_t>(node.port));
    runtime->kafka_handler->SetNode(std::move(node));
  }

  runtime->metrics->Attach(metrics::MetricsSources{
      runtime->store.get(), runtime->groups.get(), runtime->memory.get(), runtime->cleaner.get(),
      [server = runtime->server.get()] { return server->connection_count(); },
      runtime->kafka_server
          ? std::function<size_t()>(
                [server = runtime->kafka_server.get()] { return server->connection_count(); })
          : nullptr});
  if (cfg.http.enabled) {
    runtime->http_routes = std::make_unique<http::HttpRouter>();
    Runtime& rt = *runtime;
    http::BrokerRouteSources sources;
    sources.readiness = [&rt] {
      std::vector<std::string> reasons;
      if (rt.shutting_down.load()) reasons.push_back("the broker is stopping");
      if (absl::Status s = rt.store->CheckAppendable(); !s.ok()) {
        reasons.push_back(std::string(MessageOf(s)));
      }
      return reasons;
    };
    sources.metrics_text = [&rt] { return rt.metrics->Render(); };
    // What the console's overview shows; the addresses are read once the listeners are up.
    sources.console.version = std::string(kBrokerVersion);
    sources.console.started_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count();
    if (!cfg.store.in_memory) sources.console.data_dir = cfg.store.data_dir;
    sources.console.native = [&rt] { return JoinHostPort(rt.config.server.host, rt.server->port()); };
    sources.console.kafka = [&rt] { return rt.kafka_address; };
    sources.console.http = [&rt] {
      return JoinHostPort(rt.config.http.host, rt.http_server->port());
    };
    http::AddBrokerRoutes(*runtime->http_routes, *runtime->ctx, std::move(sources));
    runtime->http_server = std::make_unique<http::HttpServer>(
        *runtime->io, cfg.http, *runtime->http_routes, *runtime->memory);
    if (absl::Status s = runtime->http_server->Start(); !s.ok()) return s;
  }

  runtime->groups->Start(runtime->io->Main());
  runtime->cleaner->Start();
  runtime->io->Start();
  std::unique_ptr<Broker> broker(new Broker(std::move(runtime)));
  Log(LogLevel::kInfo, "brook is serving", "addr", broker->address(), "kafka_addr",
      cfg.kafka.enabled ? broker->kafka_address() : std::string("off"), "http_addr",
      cfg.http.enabled ? broker->http_address() : std::string("off"), "data_dir",
      cfg.store.in_memory ? std::string("(in memory)") : cfg.store.data_dir, "io_threads",
      threads);
  return broker;
}

Broker::Broker(std::unique_ptr<Runtime> runtime) : runtime_(std::move(runtime)) {}

Broker::~Broker() { Stop(); }

uint16_t Broker::port() const { return runtime_->server->port(); }

std::string Broker::address() const { return JoinHostPort(runtime_->config.server.host, port()); }

uint16_t Broker::kafka_port() const {
  return runtime_->kafka_server ? runtime_->kafka_server->port() : 0;
}

std::string Broker::kafka_address() const { return runtime_->kafka_address; }

uint16_t Broker::http_port() const {
  return runtime_->http_server ? runtime_->http_server->port() : 0;
}

std::string Broker::http_address() const {
  return runtime_->http_server ? JoinHostPort(runtime_->config.http.host, http_port())
                               : std::string();
}

const BrokerConfig& Broker::config() const { return runtime_->config; }

absl::StatusOr<ResetSummary> Broker::Reset() { return ResetBroker(*runtime_->ctx); }

const BrokerClock& Broker::clock() const { return *runtime_->clock; }

absl::Status Broker::SetClock(std::optional<ClockMode> mode, std::chrono::milliseconds advance) {
  if (absl::Status s = ApplyClock(*runtime_->ctx, mode, advance); !s.ok()) return s;
  if (advance.count() > 0) {
    std::promise<void> pass;
    runtime_->cleaner->SubmitPass([&pass] { pass.set_value(); });
    pass.get_future().wait();
  }
  return absl::OkStatus();
}

faults::FaultRegistry& Broker::faults() { return *runtime_->faults; }

std::string Broker::MetricsText() const { return runtime_->metrics->Render(); }

void Broker::Stop() {
  Runtime& rt = *runtime_;
  if (rt.stopped) return;
  rt.stopped = true;
  Log(LogLevel::kInfo, "shutting down", "connections", rt.server->connection_count());
  rt.shutting_down.store(true);
  rt.server->StopAccepting();
  if (rt.kafka_server) rt.kafka_server->StopAccepting();
  if (rt.http_server) rt.http_server->StopAccepting();
  rt.waiters.WakeAll();
  rt.groups->Shutdown();
  // Cancels a running compaction and answers pending CompactTopic requests, so they do not
  // hold up the drain; the store is still open while it finishes.
  rt.cleaner->Stop();
  const auto drain_deadline = std::chrono::steady_clock::now() + rt.config.server.shutdown_timeout;
  rt.server->Drain(rt.config.server.shutdown_timeout);
  if (rt.kafka_server) {
    rt.kafka_server->Drain(RemainingUntil(drain_deadline));
  }
  if (rt.http_server) rt.http_server->Drain(RemainingUntil(drain_deadline));
  rt.io->Stop();
  // An append still queued (its pass was to run on a stopped thread) is answered now, while
  // the threads' contexts, where its answer goes, still exist.
  rt.events->FailQueued(MakeError(ErrorCode::kBrokerShuttingDown, "the broker is shutting down"));
  rt.http_server.reset();
  rt.metrics->Detach();  // Before what its collectors read goes.
  rt.kafka_server.reset();
  rt.server.reset();
  rt.store.reset();  // fsyncs the WAL and closes RocksDB.
  Log(LogLevel::kInfo, "stopped");
}

}  // namespace brook
