#include "protocol/dead_letters.h"

#include <doctest/doctest.h>

#include <map>

#include "protocol/error_codes.h"

namespace brook {
namespace {

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

  // A replay drops the brook.dlq.* headers, keeps the others, and says where it came from.
  const std::string replay =
      BuildReplay(copy, RecordName("orders.dlq", 0, 9), 7000, Compression::kNone);
  std::string replay_scratch;
  std::vector<RecordView> replayed = Decode(replay, &replay_scratch);
  CHECK(replayed[0].timestamp == 7000);
  CHECK(replayed[0].key == std::optional<std::string_view>("order-7"));
  auto replay_headers = HeaderMap(replayed[0]);
  CHECK(replay_headers.size() == 2);
  CHECK(replay_headers["trace"] == "t-1");
  CHECK(replay_headers["brook.replayed-from"] == "orders.dlq-0@9");
}

TEST_CASE("a record without the brook.dlq headers is not a dead letter") {
  const HeaderView none[] = {{"trace", "x"}};
  CHECK(CodeOf(ParseDeadLetter(none).status()) == ErrorCode::kInvalidRecord);
  const HeaderView no_offset[] = {{"brook.dlq.topic", "t"}, {"brook.dlq.partition", "0"}};
  CHECK(CodeOf(ParseDeadLetter(no_offset).status()) == ErrorCode::kInvalidRecord);
  const HeaderView bad[] = {{"brook.dlq.topic", "t"}, {"brook.dlq.partition", "zero"},
                            {"brook.dlq.offset", "1"}};
  absl::StatusOr<DeadLetterInfo> parsed = ParseDeadLetter(bad);
  CHECK(CodeOf(parsed.status()) == ErrorCode::kInvalidRecord);
  CHECK(parsed.status().message().find("brook.dlq.partition") != std::string::npos);
}

TEST_CASE("records are named topic-partition@offset") {
  CHECK(RecordName("orders.dlq", 3, 17) == "orders.dlq-3@17");
  CHECK(IsDeadLetterHeader("brook.dlq.reason"));
  CHECK_FALSE(IsDeadLetterHeader("brook.replayed-from"));
}

}  // namespace
}  // namespace brook
