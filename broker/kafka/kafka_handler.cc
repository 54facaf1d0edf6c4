#include "broker/kafka/kafka_handler.h"

#include "broker/kafka/api_table.h"
#include "broker/kafka/handlers.h"
#include "broker/log.h"
#include "broker/metrics/broker_metrics.h"
#include "protocol/absl_compat.h"
#include "protocol/frame.h"
#include "protocol/kafka/codec.h"

namespace brook::kafka_listener {
namespace asio = boost::asio;
namespace {

RequestHandler::Outcome Close() { return RequestHandler::Outcome{std::nullopt, true}; }

RequestHandler::Outcome UnsupportedApiVersionsReply(int32_t correlation_id) {
  std::string frame;
  kafka::BeginResponse(correlation_id, /*flexible_header=*/false, &frame);
  kafka::Encode(UnsupportedApiVersions(), /*version=*/0, &frame);
  FinishFrame(&frame);
  return RequestHandler::Outcome{std::move(frame), false};
}

}  // namespace

ErrorCode KafkaCodeOf(const absl::Status& status) { return KafkaCodeOf(CodeOf(status)); }

ErrorCode KafkaCodeOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBrokerShuttingDown:
    case ErrorCode::kResourceLimit:
      return ErrorCode::kCoordinatorNotAvailable;
    case ErrorCode::kUnknownApiKey:
      return ErrorCode::kInvalidRequest;
    // The event store's refusals of a produced event (expected revision, ids, a topic that is
    // no store): Kafka has no codes for them; its clients treat INVALID_RECORD as final and
    // show the message.
    case ErrorCode::kWrongExpectedVersion:
    case ErrorCode::kEventIdConflict:
    case ErrorCode::kStreamNotFound:
    case ErrorCode::kNotAnEventStore:
      return ErrorCode::kInvalidRecord;
    default:
      return code;
  }
}

KafkaHandler::KafkaHandler(BrokerContext& broker, const KafkaListenerConfig& config)
    : ctx_{broker, config, KafkaNode{}} {}

asio::awaitable<RequestHandler::Outcome> KafkaHandler::Handle(std::string payload,
                                                              const std::string& peer) {
  std::string_view rest;
  absl::StatusOr<kafka::RequestHeader> header = kafka::ParseRequestHeader(payload, &rest);
  if (!header.ok()) {
    Log(LogLevel::kWarn, "closing Kafka connection: unparsable request header", "peer", peer);
    co_return Close();
  }
  const KafkaApi* api = FindKafkaApi(header->api_key);
  if (api == nullptr) {
    Log(LogLevel::kWarn, "closing Kafka connection: API not served", "peer", peer, "api_key",
        header->api_key, "client_id", header->client_id.value_or(""));
    co_return Close();
  }
  if (!api->Serves(header->api_version)) {
    if (api->key == kApiVersionsKey) co_return UnsupportedApiVersionsReply(header->correlation_id);
    Log(LogLevel::kWarn, "closing Kafka connection: API version not served", "peer", peer,
        "api", api->name, "version", header->api_version, "served",
        fmt::format("{}-{}", api->min_version, api->max_version));
    co_return Close();
  }
  if (api->FlexibleAt(header->api_version)) {
    if (absl::Status s = kafka::SkipHeaderTags(&rest); !s.ok()) {
      Log(LogLevel::kWarn, "closing Kafka connection: malformed request header", "peer", peer);
      co_return Close();
    }
  }
  if (ctx_.broker.shutting_down.load()) co_return Close();
  metrics::RequestTimer timer(ctx_.broker.metrics ? &ctx_.broker.metrics->requests() : nullptr,
                              FaultListener::kKafka, header->api_key);
  Outcome outcome = co_await api->serve(ctx_, *header, rest, peer);
  timer.Finish(outcome.error_code);
  co_return outcome;
}

}  // namespace brook::kafka_listener
