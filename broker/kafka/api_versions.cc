// ApiVersions: the served APIs and versions, from the API table.
#include "broker/kafka/api_table.h"
#include "broker/kafka/handlers.h"

namespace brook::kafka_listener {
namespace {

kafka::ApiVersionsResponse Served() {
  kafka::ApiVersionsResponse response;
  for (const KafkaApi& api : KafkaApis()) {
    response.api_keys.push_back({api.key, api.min_version, api.max_version});
  }
  return response;
}

}  // namespace

KafkaResult<kafka::ApiVersionsResponse> HandleApiVersions(KafkaContext&,
                                                          const kafka::ApiVersionsRequest&,
                                                          KafkaScope&) {
  co_return Served();
}

kafka::ApiVersionsResponse UnsupportedApiVersions() {
  kafka::ApiVersionsResponse response = Served();
  response.error_code = ErrorCode::kUnsupportedVersion;
  return response;
}

}  // namespace brook::kafka_listener
