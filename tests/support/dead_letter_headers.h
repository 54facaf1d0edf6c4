// tests/support/dead_letter_headers.h: the headers Spring Kafka and Kafka Connect write on the
// records they dead-letter, byte for byte (docs/dead-letters.md, "Dead-letter topics written by
// Kafka clients"), for tests that read such records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/record_batch.h"

namespace brook::testing {

// `value` as `bytes` big-endian bytes, as Java's ByteBuffer.putInt/putLong write it.
inline std::string BigEndian(uint64_t value, int bytes) {
  std::string out;
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>(value >> (8 * i) & 0xff);
  return out;
}

// What Spring's DeadLetterPublishingRecoverer writes for a listener of `group` that threw an
// IllegalStateException on the record at (topic, partition, offset) with timestamp
// 1700000000123, after the record's own header "trace". In this order:
//   0 trace, 1 exception-fqcn, 2 exception-cause-fqcn, 3 exception-message,
//   4 exception-stacktrace, 5 original-topic, 6 original-partition, 7 original-offset,
//   8 original-timestamp, 9 original-timestamp-type, 10 original-consumer-group.
// `headers` views this object's strings: not copyable.
struct SpringDeadLetterHeaders {
  SpringDeadLetterHeaders(std::string topic, int32_t partition, int64_t offset,
                          std::string group, std::string trace = "t-1")
      : topic(std::move(topic)),
        partition(BigEndian(static_cast<uint32_t>(partition), 4)),
        offset(BigEndian(static_cast<uint64_t>(offset), 8)),
        group(std::move(group)),
        trace(std::move(trace)) {
    headers = {{"trace", this->trace},
               {"kafka_dlt-exception-fqcn",
                "org.springframework.kafka.listener.ListenerExecutionFailedException"},
               {"kafka_dlt-exception-cause-fqcn", "java.lang.IllegalStateException"},
               {"kafka_dlt-exception-message", "Listener failed"},
               {"kafka_dlt-exception-stacktrace", "org.springframework.kafka...\n\tat ..."},
               {"kafka_dlt-original-topic", this->topic},
               {"kafka_dlt-original-partition", this->partition},
               {"kafka_dlt-original-offset", this->offset},
               {"kafka_dlt-original-timestamp", timestamp},
               {"kafka_dlt-original-timestamp-type", "CreateTime"},
               {"kafka_dlt-original-consumer-group", this->group}};
  }
  SpringDeadLetterHeaders(const SpringDeadLetterHeaders&) = delete;
  SpringDeadLetterHeaders& operator=(const SpringDeadLetterHeaders&) = delete;

  std::string topic, partition, offset, group, trace;
  std::string timestamp = BigEndian(1700000000123, 8);
  std::vector<HeaderView> headers;
};

// What Kafka Connect's DeadLetterQueueReporter writes (context headers enabled) when
// connector `connector`'s task 0 failed to convert the record at (topic, partition, offset):
// every value text. In this order:
//   0 topic, 1 partition, 2 offset, 3 connector.name, 4 task.id, 5 stage, 6 class.name,
//   7 exception.class.name, 8 exception.message, 9 exception.stacktrace.
// `headers` views this object's strings: not copyable.
struct ConnectDeadLetterHeaders {
  ConnectDeadLetterHeaders(std::string topic, int32_t partition, int64_t offset,
                           std::string connector)
      : topic(std::move(topic)),
        partition(std::to_string(partition)),
        offset(std::to_string(offset)),
        connector(std::move(connector)) {
    headers = {
        {"__connect.errors.topic", this->topic},
        {"__connect.errors.partition", this->partition},
        {"__connect.errors.offset", this->offset},
        {"__connect.errors.connector.name", this->connector},
        {"__connect.errors.task.id", "0"},
        {"__connect.errors.stage", "VALUE_CONVERTER"},
        {"__connect.errors.class.name", "org.apache.kafka.connect.json.JsonConverter"},
        {"__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.DataException"},
        {"__connect.errors.exception.message", "Converting byte[] to Kafka Connect data failed"},
        {"__connect.errors.exception.stacktrace", "org.apache.kafka.connect...\n\tat ..."}};
  }
  ConnectDeadLetterHeaders(const ConnectDeadLetterHeaders&) = delete;
  ConnectDeadLetterHeaders& operator=(const ConnectDeadLetterHeaders&) = delete;

  std::string topic, partition, offset, connector;
  std::vector<HeaderView> headers;
};

}  // namespace brook::testing
