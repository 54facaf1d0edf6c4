#include "broker/http/http_json.h"

#include <boost/json/object.hpp>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/json/json.h"

namespace brook::http {
namespace {

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kGroupIdNotFound:
    case ErrorCode::kUnknownTopicId:
    case ErrorCode::kStreamNotFound:
      return 404;
    case ErrorCode::kTopicAlreadyExists:
    case ErrorCode::kNonEmptyGroup:
    case ErrorCode::kGroupSubscribedToTopic:
    case ErrorCode::kWrongExpectedVersion:
    case ErrorCode::kEventIdConflict:
      return 409;
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kRecordListTooLarge:
      return 413;
    case ErrorCode::kKafkaStorageError:
    case ErrorCode::kBrokerShuttingDown:
    case ErrorCode::kResourceLimit:
    case ErrorCode::kRequestTimedOut:
      return 503;
    case ErrorCode::kUnknownServerError:
      return 500;
    default:
      return 400;
  }
}

}  // namespace

HttpResponse JsonResponse(int status, const boost::json::value& value) {
  HttpResponse response;
  response.status = status;
  response.body = json::Text(value);
  return response;
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["error"] = code;
  error["message"] = message;
  return JsonResponse(status, error);
}

HttpResponse StatusResponse(const absl::Status& status) {
  const ErrorCode code = CodeOf(status);
  return ErrorResponse(HttpStatusOf(code), ErrorName(code), MessageOf(status));
}

}  // namespace brook::http
