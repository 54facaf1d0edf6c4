// broker/log.h: structured log lines on stderr, one event per line in logfmt:
//
//   ts=2026-11-25T10:00:00.123Z level=info msg="listening" addr=127.0.0.1:9292
//
// Log(level, message, key, value, key, value, ...): values are formatted with fmt and quoted
// when they contain spaces, quotes or '='. Thread-safe: each line is written with one call.
// The minimum level is process-wide (SetLogLevel), default info.
#pragma once

#include <string>
#include <string_view>

#include "fmt/format.h"

namespace brook {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Parses "debug|info|warn|error". Returns false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

namespace log_internal {
void AppendField(std::string* line, std::string_view key, std::string_view value);
void Emit(LogLevel level, std::string_view message, std::string&& fields);

inline void AppendFields(std::string*) {}
template <typename V, typename... Rest>
void AppendFields(std::string* line, std::string_view key, const V& value, const Rest&... rest) {
  AppendField(line, key, fmt::format("{}", value));
  AppendFields(line, rest...);
}
}  // namespace log_internal

template <typename... KeyValues>
void Log(LogLevel level, std::string_view message, const KeyValues&... fields) {
  if (!LogEnabled(level)) return;
  std::string line;
  log_internal::AppendFields(&line, fields...);
  log_internal::Emit(level, message, std::move(line));
}

}  // namespace brook
