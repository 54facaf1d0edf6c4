#include "broker/ready_line.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "broker/broker.h"
#include "fmt/format.h"
#include "protocol/json/json.h"

namespace brook {
namespace {

namespace bjson = boost::json;

// Reads the string-or-null field `name` into *out. Errors: InvalidArgument naming the field.
absl::Status ReadOptionalString(const bjson::object& object, std::string_view name,
                                std::optional<std::string>* out) {
  const bjson::value* field = object.if_contains(name);
  if (field == nullptr || field->is_null()) {
    out->reset();
    return absl::OkStatus();
  }
  if (!field->is_string()) {
    return absl::InvalidArgumentError(fmt::format("ready line: \"{}\" is not a string", name));
  }
  *out = std::string(field->get_string());
  return absl::OkStatus();
}

}  // namespace

ReadyLine ReadyLineOf(const Broker& broker) {
  const BrokerConfig& config = broker.config();
  ReadyLine ready;
  ready.pid = ::getpid();
  ready.native = broker.address();
  if (config.kafka.enabled) ready.kafka = broker.kafka_address();
  if (config.http.enabled) ready.http = broker.http_address();
  if (!config.store.in_memory) ready.data_dir = config.store.data_dir;
  return ready;
}

std::string FormatReadyLine(const ReadyLine& ready) {
  bjson::object line;
  line["brook"] = "ready";
  line["pid"] = ready.pid;
  line["native"] = ready.native;
  line["kafka"] = brook::json::StringOrNull(ready.kafka);
  line["http"] = brook::json::StringOrNull(ready.http);
  line["data_dir"] = brook::json::StringOrNull(ready.data_dir);
  return brook::json::Text(line);
}

absl::StatusOr<ReadyLine> ParseReadyLine(std::string_view text) {
  bjson::error_code error;
  const bjson::value value = bjson::parse(bjson::string_view(text.data(), text.size()), error);
  if (error) {
    return absl::InvalidArgumentError(fmt::format("ready line is not JSON: {}", error.message()));
  }
  const bjson::object* object = value.if_object();
  const bjson::value* brook = object != nullptr ? object->if_contains("brook") : nullptr;
  if (brook == nullptr || !brook->is_string() || brook->get_string() != "ready") {
    return absl::InvalidArgumentError("not a ready line: no \"brook\":\"ready\"");
  }
  ReadyLine ready;
  const bjson::value* pid = object->if_contains("pid");
  const bjson::value* native = object->if_contains("native");
  if (pid == nullptr || !pid->is_int64()) {
    return absl::InvalidArgumentError("ready line: \"pid\" is not an integer");
  }
  if (native == nullptr || !native->is_string()) {
    return absl::InvalidArgumentError("ready line: \"native\" is not a string");
  }
  ready.pid = pid->get_int64();
  ready.native = std::string(native->get_string());
  if (absl::Status s = ReadOptionalString(*object, "kafka", &ready.kafka); !s.ok()) return s;
  if (absl::Status s = ReadOptionalString(*object, "http", &ready.http); !s.ok()) return s;
  if (absl::Status s = ReadOptionalString(*object, "data_dir", &ready.data_dir); !s.ok()) return s;
  return ready;
}

absl::Status WriteReadyFile(const std::string& path, std::string_view text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text << '\n';
    out.flush();
    if (!out) {
      return absl::InternalError(
          fmt::format("cannot write {}: {}", temporary, std::strerror(errno)));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return absl::InternalError(fmt::format("cannot rename {} to {}: {}", temporary, path,
                                           error.message()));
  }
  return absl::OkStatus();
}

}  // namespace brook
