// Tests of protocol/message_codec.h over every message of protocol/messages.h.
#include "protocol/message_codec.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <tuple>
#include <vector>

#include "protocol/messages.h"
#include "protocol/wire.h"

// The largest single allocation since the last reset, so a test can check that decoding a
// lying array count does not allocate in proportion to the count. Replacing the global
// operator new is allowed in any one translation unit of a program; this is the only one in
// protocol_test.
namespace {
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

void* operator new(size_t size) {
  size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
  while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace brook {
namespace {

// ---- One message of each type with every field away from its default. -------------------

ProduceRequest SampleProduceRequest() {
  ProduceRequest m;
  m.acks = kAcksAll;
  m.timeout_ms = 1234;
  m.topics = {{"orders", {{0, "batch-bytes-0"}, {7, ""}}}, {"audit", {{2, "x"}}}};
  return m;
}

ProduceResponse SampleProduceResponse() {
  ProduceResponse m;
  m.topics = {{"orders",
               {{0, ErrorCode::kNone, std::nullopt, 42, 3},
                {7, ErrorCode::kCorruptMessage, std::string("CRC-32C mismatch"), -1, -1}}}};
  return m;
}

FetchRequest SampleFetchRequest() {
  FetchRequest m;
  m.max_wait_ms = 250;
  m.min_bytes = 1024;
  m.max_bytes = 4096;
  m.topics = {{"orders", {{1, 99, 2048}, {3, 0, 1}}}};
  return m;
}

FetchResponse SampleFetchResponse() {
  FetchResponse m;
  m.topics = {{"orders",
               {{1, ErrorCode::kNone, 120, 5, "records"},
                {3, ErrorCode::kOffsetOutOfRange, 10, 2, ""}}}};
  return m;
}

ListOffsetsRequest SampleListOffsetsRequest() {
  ListOffsetsRequest m;
  m.topics = {{"orders", {{0, kEarliestTimestamp}, {1, 1700000000000}}}};
  return m;
}

ListOffsetsResponse SampleListOffsetsResponse() {
  ListOffsetsResponse m;
  m.topics = {{"orders",
               {{0, ErrorCode::kNone, -1, 0}, {1, ErrorCode::kUnknownTopicOrPartition, 7, 8}}}};
  return m;
}

MetadataRequest SampleMetadataRequest() {
  MetadataRequest m;
  m.topics = std::vector<std::string>{"orders", "audit"};
  return m;
}

MetadataResponse SampleMetadataResponse() {
  MetadataResponse m;
  m.topics = {{ErrorCode::kNone,
               "orders",
               {{0, ErrorCode::kNone, 3, 17}, {1, ErrorCode::kNone, 0, 0}},
               {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}}},
              {ErrorCode::kUnknownTopicOrPartition, "nope", {}, {}}};
  return m;
}

ApiVersionsRequest SampleApiVersionsRequest() { return {}; }

ApiVersionsResponse SampleApiVersionsResponse() {
  ApiVersionsResponse m;
  m.api_keys = {{0, 0, 0}, {18, 0, 3}};
  m.broker_version = "brook 0.1.0";
  return m;
}

CreateTopicsRequest SampleCreateTopicsRequest() {
  CreateTopicsRequest m;
  m.topics = {{"orders", 12, {{"retention.ms", "60000"}}}, {"audit", 3, {}}};
  m.validate_only = true;
  return m;
}

CreateTopicsResponse SampleCreateTopicsResponse() {
  CreateTopicsResponse m;
  m.topics = {{"orders", ErrorCode::kNone, std::nullopt},
              {"bad name", ErrorCode::kInvalidTopic, std::string("invalid topic name")}};
  return m;
}

DeleteTopicsRequest SampleDeleteTopicsRequest() {
  DeleteTopicsRequest m;
  m.topics = {"orders", "audit"};
  return m;
}

DeleteTopicsResponse SampleDeleteTopicsResponse() {
  DeleteTopicsResponse m;
  m.topics = {{"orders", ErrorCode::kNone, std::nullopt}};
  return m;
}

template <class M>
std::string Encode(const M& message) {
  std::string body;
  EncodeMessage(message, 0, &body);
  return body;
}

// Decoding then re-encoding gives the same bytes: every field survives the round trip.
template <class M>
M RoundTrip(const M& message) {
  const std::string body = Encode(message);
  absl::StatusOr<M> decoded = DecodeMessage<M>(body, 0);
  REQUIRE(decoded.ok());
  CHECK(Encode(*decoded) == body);
  return *decoded;
}

// ---- Round trips, with spot checks of the decoded fields. --------------------------------

TEST_CASE("codec: Produce round trip") {
  const std::string body = Encode(SampleProduceRequest());
  absl::StatusOr<ProduceRequest> request = DecodeMessage<ProduceRequest>(body, 0);
  REQUIRE(request.ok());
  CHECK(Encode(*request) == body);
  CHECK(request->acks == kAcksAll);
  CHECK(request->timeout_ms == 1234);
  REQUIRE(request->topics.size() == 2);
  CHECK(request->topics[0].name == "orders");
  REQUIRE(request->topics[0].partitions.size() == 2);
  CHECK(request->topics[0].partitions[1].partition == 7);
  CHECK(request->topics[0].partitions[0].records == "batch-bytes-0");
  // Decoded bytes are views into the body.
  CHECK(request->topics[0].partitions[0].records.data() >= body.data());
  CHECK(request->topics[0].partitions[0].records.data() < body.data() + body.size());

  ProduceResponse response = RoundTrip(SampleProduceResponse());
  REQUIRE(response.topics.size() == 1);
  const auto& p = response.topics[0].partitions;
  REQUIRE(p.size() == 2);
  CHECK(p[0].base_offset == 42);
  CHECK(p[0].log_start_offset == 3);
  CHECK(p[0].error_message == std::nullopt);
  CHECK(p[1].error_code == ErrorCode::kCorruptMessage);
  CHECK(p[1].error_message == std::optional<std::string>("CRC-32C mismatch"));
}

TEST_CASE("codec: Fetch round trip") {
  FetchRequest request = RoundTrip(SampleFetchRequest());
  CHECK(request.max_wait_ms == 250);
  CHECK(request.min_bytes == 1024);
  CHECK(request.max_bytes == 4096);
  REQUIRE(request.topics.size() == 1);
  REQUIRE(request.topics[0].partitions.size() == 2);
  CHECK(request.topics[0].partitions[0].fetch_offset == 99);
  CHECK(request.topics[0].partitions[0].partition_max_bytes == 2048);

  const std::string body = Encode(SampleFetchResponse());
  absl::StatusOr<FetchResponse> response = DecodeMessage<FetchResponse>(body, 0);
  REQUIRE(response.ok());
  const auto& p = response->topics[0].partitions;
  REQUIRE(p.size() == 2);
  CHECK(p[0].log_end_offset == 120);
  CHECK(p[0].log_start_offset == 5);
  CHECK(p[0].records == "records");
  CHECK(p[1].error_code == ErrorCode::kOffsetOutOfRange);
}

TEST_CASE("codec: ListOffsets round trip") {
  ListOffsetsRequest request = RoundTrip(SampleListOffsetsRequest());
  REQUIRE(request.topics.size() == 1);
  CHECK(request.topics[0].partitions[0].timestamp == kEarliestTimestamp);
  CHECK(request.topics[0].partitions[1].timestamp == 1700000000000);

  ListOffsetsResponse response = RoundTrip(SampleListOffsetsResponse());
  CHECK(response.topics[0].partitions[1].error_code == ErrorCode::kUnknownTopicOrPartition);
  CHECK(response.topics[0].partitions[1].timestamp == 7);
  CHECK(response.topics[0].partitions[1].offset == 8);
}

TEST_CASE("codec: Metadata round trip, null and empty topic lists differ") {
  MetadataRequest named = RoundTrip(SampleMetadataRequest());
  REQUIRE(named.topics.has_value());
  CHECK(*named.topics == std::vector<std::string>{"orders", "audit"});

  MetadataRequest all = RoundTrip(MetadataRequest{});
  CHECK_FALSE(all.topics.has_value());
  CHECK(Encode(MetadataRequest{}) == "\xff\xff\xff\xff");

  MetadataRequest empty;
  empty.topics.emplace();
  MetadataRequest decoded = RoundTrip(empty);
  REQUIRE(decoded.topics.has_value());
  CHECK(decoded.topics->empty());

  MetadataResponse response = RoundTrip(SampleMetadataResponse());
  REQUIRE(response.topics.size() == 2);
  CHECK(response.topics[0].partitions[0].log_end_offset == 17);
  REQUIRE(response.topics[0].configs.size() == 2);
  CHECK(response.topics[0].configs[1].name == "cleanup.policy");
  CHECK(response.topics[0].configs[1].value == "compact");
  CHECK(response.topics[1].error_code == ErrorCode::kUnknownTopicOrPartition);
}

TEST_CASE("codec: ApiVersions round trip") {
  CHECK(Encode(SampleApiVersionsRequest()).empty());
  RoundTrip(SampleApiVersionsRequest());
  ApiVersionsResponse response = RoundTrip(SampleApiVersionsResponse());
  REQUIRE(response.api_keys.size() == 2);
  CHECK(response.api_keys[1].api_key == 18);
  CHECK(response.api_keys[1].max_version == 3);
  CHECK(response.broker_version == "brook 0.1.0");
}

TEST_CASE("codec: CreateTopics round trip") {
  CreateTopicsRequest request = RoundTrip(SampleCreateTopicsRequest());
  CHECK(request.validate_only);
  REQUIRE(request.topics.size() == 2);
  CHECK(request.topics[0].num_partitions == 12);
  REQUIRE(request.topics[0].configs.size() == 1);
  CHECK(request.topics[0].configs[0].value == "60000");

  CreateTopicsResponse response = RoundTrip(SampleCreateTopicsResponse());
  REQUIRE(response.topics.size() == 2);
  CHECK(response.topics[1].error_code == ErrorCode::kInvalidTopic);
  CHECK(response.topics[1].error_message == std::optional<std::string>("invalid topic name"));
}

TEST_CASE("codec: DeleteTopics round trip") {
  DeleteTopicsRequest request = RoundTrip(SampleDeleteTopicsRequest());
  CHECK(request.topics == std::vector<std::string>{"orders", "audit"});
  DeleteTopicsResponse response = RoundTrip(SampleDeleteTopicsResponse());
  REQUIRE(response.topics.size() == 1);
  CHECK(response.topics[0].name == "orders");
}

TEST_CASE("codec: exact bytes of a CreateTopics request") {
  CreateTopicsRequest request;
  request.topics = {{"t", 2, {}}};
  const std::string expected(
      "\x00\x00\x00\x01"  // topics: 1
      "\x00\x01" "t"      // name
      "\x00\x00\x00\x02"  // num_partitions
      "\x00\x00\x00\x00"  // configs: 0
      "\x00",             // validate_only
      16);
  CHECK(Encode(request) == expected);
}

TEST_CASE("codec: bool decodes any non-zero byte as true") {
  std::string body = Encode(CreateTopicsRequest{});
  body.back() = '\x07';
  absl::StatusOr<CreateTopicsRequest> decoded = DecodeMessage<CreateTopicsRequest>(body, 0);
  REQUIRE(decoded.ok());
  CHECK(decoded->validate_only);
}

TEST_CASE("codec: unknown error codes decode as UNKNOWN_SERVER_ERROR") {
  CreateTopicsResponse response;
  response.topics = {{"t", ErrorCode::kNone, std::nullopt}};
  std::string body = Encode(response);
  // Bytes: count(4) name(2+1) error_code(2) ...; make the code 9999.
  wire::Writer(&body).PatchInt32(7, static_cast<int32_t>(0x270fffffu));
  absl::StatusOr<CreateTopicsResponse> decoded = DecodeMessage<CreateTopicsResponse>(body, 0);
  REQUIRE(decoded.ok());
  CHECK(decoded->topics[0].error_code == ErrorCode::kUnknownServerError);
}

// ---- Malformed bodies, for every message type. ------------------------------------------

template <class M>
void CheckTruncatedAndTrailing(const M& message) {
  const std::string body = Encode(message);
  for (size_t n = 0; n < body.size(); ++n) {
    absl::StatusOr<M> decoded = DecodeMessage<M>(std::string_view(body).substr(0, n), 0);
    REQUIRE_FALSE(decoded.ok());
    CHECK(CodeOf(decoded.status()) == ErrorCode::kInvalidRequest);
  }
  absl::StatusOr<M> trailing = DecodeMessage<M>(body + "x", 0);
  REQUIRE_FALSE(trailing.ok());
  CHECK(CodeOf(trailing.status()) == ErrorCode::kInvalidRequest);
}

TEST_CASE("codec: truncated bodies and trailing bytes are INVALID_REQUEST") {
  CheckTruncatedAndTrailing(SampleProduceRequest());
  CheckTruncatedAndTrailing(SampleProduceResponse());
  CheckTruncatedAndTrailing(SampleFetchRequest());
  CheckTruncatedAndTrailing(SampleFetchResponse());
  CheckTruncatedAndTrailing(SampleListOffsetsRequest());
  CheckTruncatedAndTrailing(SampleListOffsetsResponse());
  CheckTruncatedAndTrailing(SampleMetadataRequest());
  CheckTruncatedAndTrailing(SampleMetadataResponse());
  CheckTruncatedAndTrailing(SampleApiVersionsRequest());
  CheckTruncatedAndTrailing(SampleApiVersionsResponse());
  CheckTruncatedAndTrailing(SampleCreateTopicsRequest());
  CheckTruncatedAndTrailing(SampleCreateTopicsResponse());
  CheckTruncatedAndTrailing(SampleDeleteTopicsRequest());
  CheckTruncatedAndTrailing(SampleDeleteTopicsResponse());
}

TEST_CASE("codec: negative array counts are INVALID_REQUEST; only nullable arrays take -1") {
  const std::string minus_one("\xff\xff\xff\xff", 4);
  CHECK(DecodeMessage<MetadataRequest>(minus_one, 0).ok());
  CHECK_FALSE(DecodeMessage<DeleteTopicsRequest>(minus_one, 0).ok());
  CHECK_FALSE(DecodeMessage<MetadataRequest>(std::string("\xff\xff\xff\xfe", 4), 0).ok());
}

// A body whose first array claims `count` elements, followed by `count` zero bytes: the count
// passes the "at most one element per remaining byte" test, but the elements do not decode.
std::string LyingArray(int32_t count, size_t prefix_bytes) {
  std::string body(prefix_bytes, '\0');
  wire::Writer w(&body);
  w.Int32(count);
  body.append(static_cast<size_t>(count), '\x7f');
  return body;
}

template <class M>
size_t LargestAllocationDecoding(std::string_view body) {
  g_largest_allocation.store(0);
  absl::StatusOr<M> decoded = DecodeMessage<M>(body, 0);
  CHECK_FALSE(decoded.ok());
  return g_largest_allocation.load();
}

TEST_CASE("codec: a lying array count does not allocate in proportion to it") {
  constexpr int32_t kCount = 1 << 20;  // 1 MiB of body claiming 1 Mi elements.
  // Bound: a small multiple of the body, whatever the element's in-memory size.
  constexpr size_t kBound = 4 << 20;
  CHECK(LargestAllocationDecoding<ProduceRequest>(LyingArray(kCount, 6)) <= kBound);
  CHECK(LargestAllocationDecoding<FetchRequest>(LyingArray(kCount, 12)) <= kBound);
  CHECK(LargestAllocationDecoding<MetadataResponse>(LyingArray(kCount, 0)) <= kBound);
  CHECK(LargestAllocationDecoding<DeleteTopicsRequest>(LyingArray(kCount, 0)) <= kBound);
  CHECK(LargestAllocationDecoding<MetadataRequest>(LyingArray(kCount, 0)) <= kBound);
}

TEST_CASE("codec: a count larger than the body fails without allocating") {
  std::string body;
  wire::Writer(&body).Int32(INT32_MAX);
  g_largest_allocation.store(0);
  CHECK_FALSE(DecodeMessage<MetadataResponse>(body, 0).ok());
  CHECK(g_largest_allocation.load() < 4096);
}

TEST_CASE("codec: legitimately large arrays still decode") {
  DeleteTopicsRequest request;
  for (int i = 0; i < 5000; ++i) request.topics.push_back("t" + std::to_string(i));
  DeleteTopicsRequest decoded = RoundTrip(request);
  REQUIRE(decoded.topics.size() == 5000);
  CHECK(decoded.topics[4999] == "t4999");
}

}  // namespace
}  // namespace brook
