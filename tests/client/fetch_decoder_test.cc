#include "client/fetch_decoder.h"
#include "client/fetch_slot.h"

#include <doctest/doctest.h>

#include <string>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook::client {
namespace {

// A batch of `n` records "v<base+i>" with offsets base..base+n-1, as a broker stores it.
std::string Batch(int64_t base, int n, Compression compression = Compression::kNone) {
  RecordBatchBuilder builder(compression);
  for (int i = 0; i < n; ++i) {
    const std::string key = "k" + std::to_string(base + i);
    const std::string value = "v" + std::to_string(base + i);
    const HeaderView header{"h", std::string_view(value)};
    builder.Append(1000 + base + i, key, value, std::span<const HeaderView>(&header, 1));
  }
  std::string batch = builder.Finish();
  EncodeBaseOffset(base, batch.data());
  return batch;
}

TEST_CASE("records below the position are skipped and the position moves past the batches") {
  const std::string set = Batch(0, 5) + Batch(5, 5);
  ConsumerRecords records;
  ConsumerRecordsBuilder builder(&records);
  int64_t position = 3;
  REQUIRE(builder.AppendPartition("t", 2, set, &position).ok());
  CHECK(position == 10);
  REQUIRE(records.size() == 7);
  CHECK(records[0].offset == 3);
  CHECK(records[0].topic == "t");
  CHECK(records[0].partition == 2);
  CHECK(records[0].key == "k3");
  CHECK(records[0].value == "v3");
  CHECK(records[0].timestamp_ms == 1003);
  REQUIRE(records[0].headers.size() == 1);
  CHECK(records[0].headers[0].key == "h");
  CHECK(records[0].headers[0].value == "v3");
  CHECK(records[6].offset == 9);
}

TEST_CASE("a batch wholly before the position is skipped; an empty set changes nothing") {
  ConsumerRecords records;
  ConsumerRecordsBuilder builder(&records);
  int64_t position = 5;
  REQUIRE(builder.AppendPartition("t", 0, Batch(0, 5), &position).ok());
  CHECK(position == 5);
  CHECK(records.empty());
  REQUIRE(builder.AppendPartition("t", 0, "", &position).ok());
  CHECK(position == 5);
}

TEST_CASE("zstd batches decode into buffers the records own") {
  ConsumerRecords records;
  {
    ConsumerRecordsBuilder builder(&records);
    int64_t position = 0;
    const std::string set = Batch(0, 50, Compression::kZstd) + Batch(50, 50, Compression::kZstd);
    REQUIRE(builder.AppendPartition("z", 0, set, &position).ok());
    CHECK(position == 100);
  }
  ConsumerRecords copy = records;  // Copies share the owned buffers.
  records = ConsumerRecords();
  REQUIRE(copy.size() == 100);
  CHECK(copy[99].value == "v99");
  CHECK(copy[42].headers[0].value == "v42");
}

TEST_CASE("a CRC mismatch or truncation is CORRUPT_MESSAGE and appends nothing") {
  ConsumerRecords records;
  ConsumerRecordsBuilder builder(&records);
  std::string good = Batch(0, 3);
  std::string bad = Batch(3, 3);
  bad[bad.size() - 1] ^= 0x01;  // Flip a bit in the last record.
  int64_t position = 0;
  absl::Status status = builder.AppendPartition("t", 0, good + bad, &position);
  CHECK(CodeOf(status) == ErrorCode::kCorruptMessage);
  CHECK(MessageOf(status).find("t-0: corrupt record batch: the batch at offset 3 fails its CRC-32C check") != std::string_view::npos);
  CHECK(records.empty());
  CHECK(position == 0);

  std::string truncated = good.substr(0, good.size() - 1);
  CHECK(CodeOf(builder.AppendPartition("t", 0, truncated, &position)) ==
        ErrorCode::kCorruptMessage);
  CHECK(records.empty());
}

FetchResponse AnswerOf(std::vector<FetchResponse::Partition> partitions) {
  FetchResponse response;
  response.topics.push_back({"t", std::move(partitions)});
  return response;
}

TEST_CASE("a read-ahead fetch starts where the consumer's positions will be") {
  const TopicPartition p0{"t", PartitionId(0)}, p1{"t", PartitionId(1)}, p2{"t", PartitionId(2)};
  const std::map<TopicPartition, int64_t> asked{{p0, 3}, {p1, 7}, {p2, 0}};
  const std::string set = Batch(0, 5) + Batch(5, 5);  // Starts before the asked offset 3.
  const std::string one = Batch(0, 1);
  FetchResponse answer = AnswerOf({{0, ErrorCode::kNone, 10, 0, set},
                                   {1, ErrorCode::kNone, 7, 0, ""},
                                   {2, ErrorCode::kNone, 1, 0, one}});
  std::optional<std::map<TopicPartition, int64_t>> after = OffsetsAfter(answer, asked);
  REQUIRE(after.has_value());
  CHECK(*after == std::map<TopicPartition, int64_t>{{p0, 10}, {p1, 7}, {p2, 1}});

  // The same as where Consume moves the position.
  ConsumerRecords records;
  ConsumerRecordsBuilder builder(&records);
  int64_t position = 3;
  REQUIRE(builder.AppendPartition("t", 0, set, &position).ok());
  CHECK(position == after->at(p0));

  // A partition error leaves the next offset to the application.
  answer.topics[0].partitions[1].error_code = ErrorCode::kOffsetOutOfRange;
  CHECK_FALSE(OffsetsAfter(answer, asked).has_value());
  answer.topics[0].partitions[1].error_code = ErrorCode::kNone;
  answer.topics[0].partitions[1].records = "garbage";
  CHECK_FALSE(OffsetsAfter(answer, asked).has_value());
}

}  // namespace
}  // namespace brook::client
