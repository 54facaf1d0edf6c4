#include "client/producer.h"

#include <algorithm>

#include "client/connection.h"
#include "client/record_accumulator.h"
#include "client/sender.h"
#include "fmt/format.h"
#include "protocol/compression.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

absl::Status Invalid(std::string_view field, std::string_view why) {
  return MakeError(ErrorCode::kInvalidRequest, fmt::format("ProducerOptions.{} {}", field, why));
}

absl::Status Validate(const ProducerOptions& o) {
  if (o.acks != kAcksNone && o.acks != kAcksLeader && o.acks != kAcksAll) {
    return MakeError(
        ErrorCode::kInvalidRequiredAcks,
        fmt::format("ProducerOptions.acks is {}; it must be 0, 1 or -1 (all)", o.acks));
  }
  if (o.idempotence.value_or(false) && o.acks != kAcksAll) {
    return MakeError(ErrorCode::kInvalidConfig,
                     fmt::format("ProducerOptions.idempotence is true but acks is {}: an "
                                 "idempotent producer needs acks = -1 (all), as in Kafka. Set "
                                 "acks = -1, or leave idempotence unset (or false) for acks 0 "
                                 "or 1",
                                 o.acks));
  }
  if (!IsKnownCompression(o.compression)) {
    return MakeError(ErrorCode::kUnsupportedCompressionType,
                     fmt::format("ProducerOptions.compression is {}; it must be one of {}",
                                 static_cast<int>(o.compression), CompressionNameList()));
  }
  if (o.batch_size == 0 || o.batch_size > (16u << 20)) {
    return Invalid("batch_size", "must be in 1..16 MiB");
  }
  if (o.linger.count() < 0) return Invalid("linger", "must not be negative");
  if (o.max_in_flight < 1) return Invalid("max_in_flight", "must be at least 1");
  if (o.retries < 0) return Invalid("retries", "must not be negative");
  if (o.retry_backoff.count() < 0 || o.retry_backoff_max < o.retry_backoff) {
    return Invalid("retry_backoff", "must be >= 0 and <= retry_backoff_max");
  }
  if (o.delivery_timeout.count() <= 0) return Invalid("delivery_timeout", "must be positive");
  if (o.request_timeout.count() <= 0 || o.request_timeout.count() > INT32_MAX) {
    return Invalid("request_timeout", "must be positive and fit in int32 milliseconds");
  }
  if (o.buffer_memory < o.batch_size) return Invalid("buffer_memory", "must be >= batch_size");
  return absl::OkStatus();
}

}  // namespace

std::optional<int16_t> AcksFromName(std::string_view name) {
  if (name == "all" || name == "-1") return kAcksAll;
  if (name == "1") return kAcksLeader;
  if (name == "0") return kAcksNone;
  return std::nullopt;
}

class Producer::Impl {
 public:
  explicit Impl(ProducerOptions options)
      : options_(std::move(options)),
        connection_(
            client::ClientConnectionOptions(options_.bootstrap, options_.client_id,
                                            options_.request_timeout)),
        accumulator_(
            options_, [this](absl::AnyInvocable<void()> fn) { connection_.Post(std::move(fn)); },
            [this] { return connection_.InIoThread(); }),
        sender_(options_, &connection_, &accumulator_) {}

  ~Impl() { (void)Close(); }

  absl::Status Start() {
    absl::Status status = connection_.Connect();
    if (!status.ok()) return status;
    if (options_.idempotent() &&
        connection_.VersionFor(ApiKey::kInitProducerId, InitProducerIdRequest::kMaxVersion) ==
            client::Connection::kNotServed) {
      return MakeError(ErrorCode::kUnsupportedVersion,
                       fmt::format("the broker at {} does not serve InitProducerId, which an "
                                   "idempotent producer needs: set ProducerOptions.idempotence "
                                   "= false, or upgrade the broker",
                                   options_.bootstrap));
    }
    sender_.Start();
    return absl::OkStatus();
  }

  void Send(const ProducerRecord& record, SendCallback callback) {
    // With linger 0 a record may go at once: this thread sends it rather than waking the
    // sender thread to.
    const bool caller_sends = options_.linger.count() == 0;
    accumulator_.Append(record, std::move(callback), caller_sends);
    if (caller_sends) sender_.SendNow();
  }

  absl::Status Flush() { return accumulator_.Flush(); }

  absl::Status Close() {
    if (closed_.exchange(true)) return absl::OkStatus();
    absl::Status status = accumulator_.Flush();
    accumulator_.Close();
    sender_.Join();
    connection_.Close();
    accumulator_.RunCompletions();  // Anything settled while the connection closed.
    return status;
  }

  const ProducerOptions& options() const { return options_; }

 private:
  const ProducerOptions options_;
  client::Connection connection_;
  client::RecordAccumulator accumulator_;
  client::Sender sender_;
  std::atomic<bool> closed_{false};
};

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(ProducerOptions options) {
  absl::Status status = Validate(options);
  if (!status.ok()) return status;
  auto impl = std::make_unique<Impl>(std::move(options));
  status = impl->Start();
  if (!status.ok()) return status;
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

void Producer::Send(const ProducerRecord& record, SendCallback callback) {
  impl_->Send(record, std::move(callback));
}

std::future<absl::StatusOr<RecordMetadata>> Producer::Send(const ProducerRecord& record) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<RecordMetadata>>>();
  std::future<absl::StatusOr<RecordMetadata>> future = promise->get_future();
  impl_->Send(record, [promise](const absl::StatusOr<RecordMetadata>& result) {
    promise->set_value(result);
  });
  return future;
}

absl::Status Producer::Flush() { return impl_->Flush(); }
absl::Status Producer::Close() { return impl_->Close(); }
const ProducerOptions& Producer::options() const { return impl_->options(); }

}  // namespace brook
