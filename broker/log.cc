#include "broker/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace brook {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms);
}

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
  }
  return false;
}

std::string Quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

void SetLogLevel(LogLevel level) { min_level.store(static_cast<int>(level)); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) >= min_level.load(); }

bool ParseLogLevel(std::string_view text, LogLevel* level) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

namespace log_internal {

void AppendField(std::string* line, std::string_view key, std::string_view value) {
  line->push_back(' ');
  line->append(key);
  line->push_back('=');
  line->append(NeedsQuotes(value) ? Quote(value) : std::string(value));
}

void Emit(LogLevel level, std::string_view message, std::string&& fields) {
  std::string line = fmt::format("ts={} level={} msg={}{}\n", Timestamp(), LevelName(level),
                                 Quote(message), fields);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace log_internal
}  // namespace brook
