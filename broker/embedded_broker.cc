#include "broker/embedded_broker.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "broker/broker.h"
#include "broker/broker_clock.h"
#include "broker/faults/fault_registry.h"
#include "broker/log.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

absl::StatusOr<std::string> MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      fmt::format("{}/brook-embedded-XXXXXX", base != nullptr && *base ? base : "/tmp");
  if (mkdtemp(pattern.data()) == nullptr) {
    return MakeError(ErrorCode::kKafkaStorageError,
                     fmt::format("cannot create a temp dir from {}", pattern));
  }
  return pattern;
}

}  // namespace

EmbeddedBroker::EmbeddedBroker(EmbeddedBrokerOptions options) {
  if (absl::Status s = Init(std::move(options)); !s.ok()) {
    throw std::runtime_error(fmt::format("EmbeddedBroker: {}", MessageOf(s)));
  }
}

absl::StatusOr<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Create(
    EmbeddedBrokerOptions options) {
  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker(Uninitialized{}));
  if (absl::Status s = broker->Init(std::move(options)); !s.ok()) return s;
  return broker;
}

absl::Status EmbeddedBroker::Init(EmbeddedBrokerOptions options) {
  if (options.quiet) SetLogLevel(LogLevel::kWarn);
  if (options.in_memory) {
    data_dir_.clear();
  } else if (options.data_dir.empty()) {
    absl::StatusOr<std::string> dir = MakeTempDir();
    if (!dir.ok()) return dir.status();
    data_dir_ = *dir;
    owns_data_dir_ = true;
  } else {
    data_dir_ = options.data_dir;
  }
  config_ = std::move(options.config);
  config_.server.host = "127.0.0.1";
  config_.server.port = 0;
  config_.kafka.host = "127.0.0.1";
  config_.kafka.port = 0;
  config_.http.host = "127.0.0.1";
  config_.http.port = 0;
  config_.store.data_dir = data_dir_;
  config_.store.in_memory = options.in_memory;
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Start(config_);
  if (!broker.ok()) return broker.status();
  broker_ = *std::move(broker);
  config_.server.port = broker_->port();  // A restart comes back on the same ports.
  config_.kafka.port = broker_->kafka_port();
  config_.http.port = broker_->http_port();
  return absl::OkStatus();
}

EmbeddedBroker::EmbeddedBroker(Uninitialized) {}

EmbeddedBroker::~EmbeddedBroker() {
  broker_.reset();
  if (owns_data_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
  }
}

std::string EmbeddedBroker::bootstrap() const {
  return fmt::format("127.0.0.1:{}", config_.server.port);
}

std::string EmbeddedBroker::kafka_bootstrap() const {
  return config_.kafka.enabled ? fmt::format("127.0.0.1:{}", config_.kafka.port) : std::string();
}

std::string EmbeddedBroker::http_address() const {
  return config_.http.enabled ? fmt::format("127.0.0.1:{}", config_.http.port) : std::string();
}

absl::StatusOr<int32_t> EmbeddedBroker::AddFault(FaultRule rule) {
  return broker_->faults().Add(std::move(rule));
}

std::vector<FaultState> EmbeddedBroker::ListFaults() const { return broker_->faults().List(); }

absl::StatusOr<int32_t> EmbeddedBroker::ClearFaults(int32_t id) {
  return broker_->faults().Clear(id);
}

std::string EmbeddedBroker::MetricsText() const { return broker_->MetricsText(); }

absl::Status EmbeddedBroker::Restart() {
  broker_.reset();
  absl::StatusOr<std::unique_ptr<Broker>> broker = Broker::Start(config_);
  if (!broker.ok()) return broker.status();
  broker_ = *std::move(broker);
  return absl::OkStatus();
}

absl::StatusOr<ResetSummary> EmbeddedBroker::Reset() { return broker_->Reset(); }

int64_t EmbeddedBroker::ClockNowMs() const { return broker_->clock().NowMs(); }

ClockMode EmbeddedBroker::clock_mode() const { return broker_->clock().mode(); }

void EmbeddedBroker::SetClockMode(ClockMode mode) {
  broker_->SetClock(mode, std::chrono::milliseconds(0)).IgnoreError();  // Cannot fail.
}

absl::Status EmbeddedBroker::AdvanceClock(std::chrono::milliseconds by) {
  return broker_->SetClock(std::nullopt, by);
}

}  // namespace brook
