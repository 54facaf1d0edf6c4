#include "broker/ready_line.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

// Boost.JSON's implementation, compiled once here (Debian ships no libboost_json binary).
#include <boost/json/src.hpp>

#include "broker/broker.h"
#include "fmt/format.h"

namespace brook {
namespace {

namespace json = boost::json;

json::value OptionalString(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

// Reads the string-or-null field `name` into *out. Errors: InvalidArgument naming the field.
absl::Status ReadOptionalString(const json::object& object, std::string_view name,
                                std::optional<std::string>* out) {
  const json::value* field = object.if_contains(name);
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
  if (!config.store.in_memory) ready.data_dir = config.store.data_dir;
  return ready;
}

std::string FormatReadyLine(const ReadyLine& ready) {
  json::object line;
  line["brook"] = "ready";
  line["pid"] = ready.pid;
  line["native"] = ready.native;
  line["kafka"] = OptionalString(ready.kafka);
  line["data_dir"] = OptionalString(ready.data_dir);
  return json::serialize(line);
}

absl::StatusOr<ReadyLine> ParseReadyLine(std::string_view text) {
  json::error_code error;
  const json::value value = json::parse(json::string_view(text.data(), text.size()), error);
  if (error) {
    return absl::InvalidArgumentError(fmt::format("ready line is not JSON: {}", error.message()));
  }
  const json::object* object = value.if_object();
  const json::value* brook = object != nullptr ? object->if_contains("brook") : nullptr;
  if (brook == nullptr || !brook->is_string() || brook->get_string() != "ready") {
    return absl::InvalidArgumentError("not a ready line: no \"brook\":\"ready\"");
  }
  ReadyLine ready;
  const json::value* pid = object->if_contains("pid");
  const json::value* native = object->if_contains("native");
  if (pid == nullptr || !pid->is_int64()) {
    return absl::InvalidArgumentError("ready line: \"pid\" is not an integer");
  }
  if (native == nullptr || !native->is_string()) {
    return absl::InvalidArgumentError("ready line: \"native\" is not a string");
  }
  ready.pid = pid->get_int64();
  ready.native = std::string(native->get_string());
  if (absl::Status s = ReadOptionalString(*object, "kafka", &ready.kafka); !s.ok()) return s;
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
