#include "cli/record_format.h"

#include "fmt/format.h"
#include "protocol/json/json.h"

namespace brook::cli {
namespace {

std::string_view OrNull(const std::optional<std::string_view>& field) {
  return field ? *field : std::string_view("null");
}

// The letters after % that FormatRecord expands.
constexpr std::string_view kDirectiveLetters = "kvoptTh%";

}  // namespace

absl::Status ValidateFormat(std::string_view format) {
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '\\') {
      ++i;  // An escape's second character is never a directive.
      continue;
    }
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) {
      return absl::InvalidArgumentError(
          fmt::format("--format ends with a lone %; known directives: {}", kFormatDirectives));
    }
    const char letter = format[++i];
    if (kDirectiveLetters.find(letter) == std::string_view::npos) {
      return absl::InvalidArgumentError(fmt::format(
          "--format has an unknown directive %{}; known directives: {}", letter,
          kFormatDirectives));
    }
  }
  return absl::OkStatus();
}

std::string FormatRecord(std::string_view format, const ConsumerRecord& record) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if ((c != '%' && c != '\\') || i + 1 == format.size()) {
      out.push_back(c);
      continue;
    }
    const char next = format[++i];
    if (c == '\\') {
      out += next == 'n' ? "\n" : next == 't' ? "\t" : std::string{'\\', next};
      continue;
    }
    switch (next) {
      case 'k':
        out += OrNull(record.key);
        break;
      case 'v':
        out += OrNull(record.value);
        break;
      case 'o':
        out += std::to_string(record.offset);
        break;
      case 'p':
        out += std::to_string(record.partition);
        break;
      case 't':
        out += std::to_string(record.timestamp_ms);
        break;
      case 'T':
        out += record.topic;
        break;
      case 'h':
        for (size_t h = 0; h < record.headers.size(); ++h) {
          out += fmt::format("{}{}={}", h ? "," : "", record.headers[h].key,
                             OrNull(record.headers[h].value));
        }
        break;
      case '%':
        out.push_back('%');
        break;
      default:
        out.push_back('%');
        out.push_back(next);
    }
  }
  return out;
}

std::string RecordJson(const ConsumerRecord& record) {
  boost::json::object out;
  out["topic"] = record.topic;
  out["partition"] = record.partition;
  out["offset"] = record.offset;
  out["timestamp"] = record.timestamp_ms;
  out["key"] = json::BytesOrNull(record.key);
  out["value"] = json::BytesOrNull(record.value);
  out["headers"] = json::Headers(record.headers);
  return json::Text(out);
}

}  // namespace brook::cli
