// cli/dead_letter_reader.h: reads a dead-letter topic for `brook dlq`: every record from each
// partition's log start to its log end as of the start, with its dead-letter headers parsed
// (brook's, Spring Kafka's or Kafka Connect's: ParseDeadLetter).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "protocol/dead_letters.h"

namespace brook::cli {

struct DeadLetterRecord {
  int32_t partition = 0;  // Where it is in the dead-letter topic...
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // ...and when it was dead-lettered.
  std::optional<std::string> key;
  std::optional<std::string> value;
  // Convention kUnknown for a record without dead-letter headers; INVALID_RECORD for one whose
  // headers do not name the original record (ParseDeadLetter).
  absl::StatusOr<DeadLetterInfo> info;
};

// Calls `visit` for each record, partition by partition in offset order, until it returns
// false. Errors: UNKNOWN_TOPIC_OR_PARTITION "topic 'x' does not exist"; connection and fetch
// errors.
absl::Status ForEachDeadLetter(const std::string& bootstrap, const std::string& dlq_topic,
                               const std::function<bool(const DeadLetterRecord&)>& visit);

}  // namespace brook::cli
