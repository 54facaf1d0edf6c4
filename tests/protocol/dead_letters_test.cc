#include "protocol/dead_letters.h"

#include <doctest/doctest.h>

#include <map>

#include "protocol/error_codes.h"
#include "tests/support/dead_letter_headers.h"

namespace brook {
namespace {

using testing::BigEndian;
using testing::ConnectDeadLetterHeaders;
using testing::SpringDeadLetterHeaders;

// The single record of a one-record batch.
std::vector<RecordView> Decode(const std::string& batch, std::string* scratch) {
  std::vector<RecordView> records;
  REQUIRE(ValidateBatch(batch).ok());
  REQUIRE(DecodeRecords(batch, scratch, &records).ok());
  REQUIRE(records.size() == 1);
  return records;
}

std::map<std::string, std::string> HeaderMap(const RecordView& record) {
  std::map<std::string, std::string> out;
  for (const HeaderView& h : record.headers) out[std::string(h.key)] = h.value.value_or("");
  return out;
}

TEST_CASE("a dead-letter copy keeps key, value and headers and says where it came from") {
  const HeaderView original_headers[] = {{"trace", "t-1"}, {"brook.dlq.reason", "stale"}};
  RecordView original;
  original.timestamp = 111;
  original.key = "order-7";
  original.value = "{\"total\": -1}";
  original.headers.assign(std::begin(original_headers), std::end(original_headers));
  DeadLetterInfo info{{"orders", PartitionId(2)}, 40, 111, "negative total", 3, 1000, 1300,
                      "billing", "billing-1-ab", "svc"};
  std::string scratch;
  const std::string batch = BuildDeadLetterCopy(original, info, 5000, Compression::kZstd);
  CHECK(ParseBatchHeader(batch)->compression() == Compression::kZstd);
  std::vector<RecordView> records = Decode(batch, &scratch);
  const RecordView& copy = records[0];
  CHECK(copy.timestamp == 5000);
  CHECK(copy.key == std::optional<std::string_view>("order-7"));
  CHECK(copy.value == std::optional<std::string_view>("{\"total\": -1}"));
  auto headers = HeaderMap(copy);
  CHECK(headers["trace"] == "t-1");
  CHECK(headers["brook.dlq.topic"] == "orders");
  CHECK(headers["brook.dlq.partition"] == "2");
  CHECK(headers["brook.dlq.offset"] == "40");
  CHECK(headers["brook.dlq.reason"] == "negative total");  // The stale one is replaced.
  CHECK(headers["brook.dlq.attempts"] == "3");
  CHECK(headers["brook.dlq.group"] == "billing");
  CHECK(copy.headers.size() == 12);

  absl::StatusOr<DeadLetterInfo> parsed = ParseDeadLetter(copy.headers);
  REQUIRE(parsed.ok());
  CHECK(parsed->source == info.source);
  CHECK(parsed->offset == 40);
  CHECK(parsed->timestamp == 111);
  CHECK(parsed->reason == "negative total");
  CHECK(parsed->attempts == 3);
  CHECK(parsed->first_failure_ms == 1000);
  CHECK(parsed->last_failure_ms == 1300);
  CHECK(parsed->member == "billing-1-ab");
  CHECK(parsed->client_id == "svc");
  CHECK(parsed->convention == DeadLetterConvention::kBrook);

  // A replay drops the brook.dlq.* headers, keeps the others, and says where it came from.
  const std::string replay =
      BuildReplay(copy, DeadLetterConvention::kBrook, RecordName("orders.dlq", 0, 9), 7000,
                  Compression::kNone);
  std::string replay_scratch;
  std::vector<RecordView> replayed = Decode(replay, &replay_scratch);
  CHECK(replayed[0].timestamp == 7000);
  CHECK(replayed[0].key == std::optional<std::string_view>("order-7"));
  auto replay_headers = HeaderMap(replayed[0]);
  CHECK(replay_headers.size() == 2);
  CHECK(replay_headers["trace"] == "t-1");
  CHECK(replay_headers["brook.replayed-from"] == "orders.dlq-0@9");
}

TEST_CASE("a record without dead-letter headers has an unknown origin") {
  const HeaderView none[] = {{"trace", "x"}, {"brook.dlq.reason", "no topic"}};
  absl::StatusOr<DeadLetterInfo> unknown = ParseDeadLetter(none);
  REQUIRE(unknown.ok());
  CHECK(unknown->convention == DeadLetterConvention::kUnknown);
  CHECK(unknown->source.topic.empty());
  CHECK(unknown->reason.empty());
  CHECK(ParseDeadLetter({})->convention == DeadLetterConvention::kUnknown);
}

TEST_CASE("brook's headers must name the original record") {
  const HeaderView no_offset[] = {{"brook.dlq.topic", "t"}, {"brook.dlq.partition", "0"}};
  CHECK(CodeOf(ParseDeadLetter(no_offset).status()) == ErrorCode::kInvalidRecord);
  const HeaderView bad[] = {{"brook.dlq.topic", "t"}, {"brook.dlq.partition", "zero"},
                            {"brook.dlq.offset", "1"}};
  absl::StatusOr<DeadLetterInfo> parsed = ParseDeadLetter(bad);
  CHECK(CodeOf(parsed.status()) == ErrorCode::kInvalidRecord);
  CHECK(parsed.status().message().find("brook.dlq.partition") != std::string::npos);
  // brook writes text: four bytes that are not digits are not a partition.
  const HeaderView binary[] = {{"brook.dlq.topic", "t"},
                               {"brook.dlq.partition", std::string_view("\0\0\0\1", 4)},
                               {"brook.dlq.offset", "1"}};
  CHECK(CodeOf(ParseDeadLetter(binary).status()) == ErrorCode::kInvalidRecord);
}

// Checks that `info` was read by the convention named `convention` and names `original`
// ("topic-partition@offset").
void CheckOrigin(const absl::StatusOr<DeadLetterInfo>& info, std::string_view convention,
                 std::string_view original) {
  REQUIRE(info.ok());
  CHECK(ConventionName(info->convention) == convention);
  CHECK(RecordName(info->source.topic, info->source.partition.value, info->offset) == original);
}

TEST_CASE("Spring Kafka's headers: binary numbers, the exception as the reason") {
  SpringDeadLetterHeaders spring("orders", 2, 40, "billing");
  absl::StatusOr<DeadLetterInfo> info = ParseDeadLetter(spring.headers);
  CheckOrigin(info, "spring", "orders-2@40");
  CHECK(info->timestamp == 1700000000123);
  CHECK(info->group == "billing");
  CHECK(info->reason ==
        "ListenerExecutionFailedException: Listener failed (cause: IllegalStateException)");
  CHECK(info->attempts == 0);
  CHECK(info->member.empty());

  SUBCASE("decimal text is read too") {
    spring.headers[6].value = "3";
    spring.headers[7].value = "12345678";  // Eight digits: text, not binary.
    info = ParseDeadLetter(spring.headers);
    REQUIRE(info.ok());
    CHECK(info->source.partition == PartitionId(3));
    CHECK(info->offset == 12345678);
  }
  SUBCASE("dead-lettered again: the last headers count") {
    const std::string again = BigEndian(41, 8);
    spring.headers.push_back({"kafka_dlt-original-offset", again});
    CHECK(ParseDeadLetter(spring.headers)->offset == 41);
  }
  SUBCASE("without the exception or the group, what is known") {
    spring.headers.erase(spring.headers.begin() + 1, spring.headers.begin() + 5);
    spring.headers.pop_back();
    info = ParseDeadLetter(spring.headers);
    REQUIRE(info.ok());
    CHECK(info->reason.empty());
    CHECK(info->group.empty());
    CHECK(info->offset == 40);
  }
  SUBCASE("a failed key deserialization") {
    spring.headers.erase(spring.headers.begin() + 1, spring.headers.begin() + 4);
    spring.headers.push_back(
        {"kafka_dlt-key-exception-fqcn",
         "org.springframework.kafka.support.serializer.DeserializationException"});
    spring.headers.push_back({"kafka_dlt-key-exception-message", "failed to deserialize"});
    CHECK(ParseDeadLetter(spring.headers)->reason ==
          "DeserializationException: failed to deserialize");
  }
  SUBCASE("the partition or offset missing or of the wrong size") {
    const std::string three_bytes = BigEndian(2, 3);
    spring.headers[6].value = three_bytes;
    info = ParseDeadLetter(spring.headers);
    CHECK(CodeOf(info.status()) == ErrorCode::kInvalidRecord);
    CHECK(info.status().message().find("kafka_dlt-original-partition is not a number: "
                                       "'\\x00\\x00\\x02'") != std::string::npos);
    spring.headers.erase(spring.headers.begin() + 6);
    CHECK(ParseDeadLetter(spring.headers).status().message().find(
              "kafka_dlt-original-partition is missing") != std::string::npos);
    spring.headers.erase(spring.headers.begin() + 6);  // And the offset.
    CHECK(CodeOf(ParseDeadLetter(spring.headers).status()) == ErrorCode::kInvalidRecord);
  }
  SUBCASE("a negative offset names no record") {
    spring.headers[7].value = "-1";
    CHECK(CodeOf(ParseDeadLetter(spring.headers).status()) == ErrorCode::kInvalidRecord);
  }
}

TEST_CASE("Kafka Connect's headers: text numbers, the exception or the stage as the reason") {
  ConnectDeadLetterHeaders connect("orders", 1, 77, "jdbc-sink");
  std::vector<HeaderView>& headers = connect.headers;
  absl::StatusOr<DeadLetterInfo> info = ParseDeadLetter(headers);
  CheckOrigin(info, "connect", "orders-1@77");
  CHECK(info->timestamp == 0);
  CHECK(info->group == "jdbc-sink");
  CHECK(info->member == "0");
  CHECK(info->reason == "DataException: Converting byte[] to Kafka Connect data failed");

  SUBCASE("no exception: the stage") {
    headers.resize(7);
    CHECK(ParseDeadLetter(headers)->reason == "stage VALUE_CONVERTER");
  }
  SUBCASE("numbers are text only") {
    const std::string binary = BigEndian(77, 8);
    headers[2].value = binary;
    CHECK(CodeOf(ParseDeadLetter(headers).status()) == ErrorCode::kInvalidRecord);
  }
  SUBCASE("the offset missing, or the topic empty") {
    headers.erase(headers.begin() + 2);
    CHECK(ParseDeadLetter(headers).status().message().find("__connect.errors.offset") !=
          std::string::npos);
    ConnectDeadLetterHeaders empty_topic("", 1, 77, "jdbc-sink");
    CHECK(CodeOf(ParseDeadLetter(empty_topic.headers).status()) == ErrorCode::kInvalidRecord);
  }
}

TEST_CASE("conventions are read in order: brook's, Spring's, Connect's") {
  SpringDeadLetterHeaders spring("orders", 2, 40, "billing");
  ConnectDeadLetterHeaders connect("orders", 1, 77, "jdbc-sink");
  std::vector<HeaderView> both = connect.headers;
  both.insert(both.end(), spring.headers.begin(), spring.headers.end());
  CHECK(ParseDeadLetter(both)->convention == DeadLetterConvention::kSpring);
  both.push_back({"brook.dlq.topic", "payments"});
  both.push_back({"brook.dlq.partition", "0"});
  both.push_back({"brook.dlq.offset", "5"});
  absl::StatusOr<DeadLetterInfo> info = ParseDeadLetter(both);
  REQUIRE(info.ok());
  CHECK(info->convention == DeadLetterConvention::kBrook);
  CHECK(info->source.topic == "payments");
}

TEST_CASE("a replay drops the headers of its record's convention only") {
  SpringDeadLetterHeaders spring("orders", 2, 40, "billing");
  spring.headers.push_back({"brook.replayed-from", "orders.DLT-0@1"});
  spring.headers.push_back({"__connect.errors.stage", "TASK_PUT"});
  RecordView dead_letter;
  dead_letter.key = "k";
  dead_letter.value = "v";
  dead_letter.headers = spring.headers;
  // The views of a decoded record point into its batch: keep the batches.
  const std::string batch = BuildReplay(dead_letter, DeadLetterConvention::kSpring,
                                        "orders.DLT-0@9", 7000, Compression::kNone);
  std::string scratch;
  std::vector<RecordView> replayed = Decode(batch, &scratch);
  auto headers = HeaderMap(replayed[0]);
  CHECK(headers == std::map<std::string, std::string>{{"trace", "t-1"},
                                                      {"__connect.errors.stage", "TASK_PUT"},
                                                      {"brook.replayed-from", "orders.DLT-0@9"}});
  CHECK(replayed[0].key == std::optional<std::string_view>("k"));

  const std::string unknown_batch = BuildReplay(dead_letter, DeadLetterConvention::kUnknown,
                                                "x-0@0", 7000, Compression::kNone);
  std::string unknown_scratch;
  std::vector<RecordView> unknown = Decode(unknown_batch, &unknown_scratch);
  // Every header kept, but the older replayed-from replaced.
  CHECK(unknown[0].headers.size() == spring.headers.size());
  CHECK(HeaderMap(unknown[0])["brook.replayed-from"] == "x-0@0");
  CHECK(ConventionName(DeadLetterConvention::kUnknown) == "unknown");
}

TEST_CASE("records are named topic-partition@offset") {
  CHECK(RecordName("orders.dlq", 3, 17) == "orders.dlq-3@17");
  CHECK(IsDeadLetterHeader("brook.dlq.reason"));
  CHECK_FALSE(IsDeadLetterHeader("brook.replayed-from"));
}

}  // namespace
}  // namespace brook
