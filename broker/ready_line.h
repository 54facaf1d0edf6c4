// broker/ready_line.h: the line `brook serve` prints on stdout once it is ready (its store is
// open and every listener accepts), so that a test harness in any language learns where it
// listens without guessing ports (docs/testing.md describes the fields).
//
//   {"brook":"ready","pid":1234,"native":"127.0.0.1:40123","kafka":"127.0.0.1:40124",
//    "http":"127.0.0.1:40125","data_dir":"./brook-data"}
//
// One JSON object on one line. "kafka" and "http" are null when that listener is off,
// "data_dir" null when the broker keeps everything in memory. Readers must ignore fields they
// do not know: later versions may add some. The same text can be written to a
// file, atomically, for harnesses that poll for a file instead of reading a pipe.
// Thread-safety: plain functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace brook {

class Broker;

struct ReadyLine {
  int64_t pid = 0;
  std::string native;                   // brook's protocol, "HOST:PORT" to connect to.
  std::optional<std::string> kafka;     // What the Kafka listener advertises; none when off.
  std::optional<std::string> http;      // The HTTP listener's "HOST:PORT"; none when off.
  std::optional<std::string> data_dir;  // None when in memory.

  friend bool operator==(const ReadyLine&, const ReadyLine&) = default;
};

// What `broker`, running in this process, announces.
ReadyLine ReadyLineOf(const Broker& broker);

// The JSON text, without a newline.
std::string FormatReadyLine(const ReadyLine& ready);

// Reads a line written by FormatReadyLine (surrounding whitespace allowed, unknown fields
// ignored). Errors: InvalidArgument when it is not JSON, not a ready line, or a field has the
// wrong type.
absl::StatusOr<ReadyLine> ParseReadyLine(std::string_view text);

// Writes `text` and a newline to `path` atomically: to PATH.tmp first, then renamed over
// PATH, so a reader sees no file or the whole line. Errors: Internal naming the path and
// the OS reason.
absl::Status WriteReadyFile(const std::string& path, std::string_view text);

}  // namespace brook
