// broker/kafka/api_table.h: the Kafka APIs this broker serves, in one table.
//
// Each row gives an API's key, its name, the versions served (exactly what ApiVersions
// advertises), the first flexible version (request header v2, response header v1), and the
// function that decodes the body, runs the API's handler and encodes the answer. Dispatch,
// names in logs, the ApiVersions answer and docs/kafka.md's table (checked by a test) all come
// from it: adding an API is one handler and one row. A row's serve function also applies the
// fault rules (broker/faults/) to the decoded request.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "broker/kafka/context.h"
#include "broker/request_handler.h"
#include "protocol/kafka/header.h"

namespace brook::kafka_listener {

using ServeFn = boost::asio::awaitable<RequestHandler::Outcome> (*)(
    KafkaContext& ctx, const kafka::RequestHeader& header, std::string_view body,
    const std::string& peer);

struct KafkaApi {
  int16_t key;
  std::string_view name;
  int16_t min_version;
  int16_t max_version;
  int16_t flexible_from;  // First version with flexible headers and encodings.
  ServeFn serve;
  bool error_answer;  // Fault rules may inject an error into it (error_answers.h).

  bool Serves(int16_t version) const { return version >= min_version && version <= max_version; }
  bool FlexibleAt(int16_t version) const { return version >= flexible_from; }
};

inline constexpr int16_t kApiVersionsKey = 18;

// Every served API, by key.
std::span<const KafkaApi> KafkaApis();
// The API with this key, or nullptr.
const KafkaApi* FindKafkaApi(int16_t key);

}  // namespace brook::kafka_listener
