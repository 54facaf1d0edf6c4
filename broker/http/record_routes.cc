#include "broker/http/record_routes.h"

#include <charconv>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "broker/handlers/handlers.h"
#include "broker/http/http_json.h"
#include "broker/http/http_router.h"
#include "fmt/format.h"
#include "protocol/dead_letters.h"
#include "protocol/json/json.h"
#include "protocol/partitioner.h"
#include "protocol/record_batch.h"
#include "simdjson.h"

namespace brook::http {
namespace {

namespace asio = boost::asio;

constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 500;
// Bytes read from the store per browse: enough for kMaxLimit small records, bounded for big.
constexpr size_t kBrowseReadBytes = 4 << 20;

// The integer query parameter `name`: nullopt when absent. Errors: INVALID_REQUEST.
absl::StatusOr<std::optional<int64_t>> IntParam(const HttpRequest& request,
                                                std::string_view name) {
  std::optional<std::string_view> text = request.Query(name);
  if (!text) return std::optional<int64_t>();
  int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("query parameter {}={} is not an integer", name, *text));
  }
  return std::optional<int64_t>(value);
}

boost::json::object RecordJson(const RecordView& record) {
  boost::json::object out;
  out["offset"] = record.offset;
  out["timestamp"] = record.timestamp;
  out["key"] = json::BytesOrNull(record.key);
  out["value"] = json::BytesOrNull(record.value);
  out["headers"] = json::Headers(record.headers);
  absl::StatusOr<DeadLetterInfo> dead_letter = ParseDeadLetter(record.headers);
  if (dead_letter.ok() && dead_letter->convention != DeadLetterConvention::kUnknown) {
    const DeadLetterInfo& info = *dead_letter;
    boost::json::object d;
    d["convention"] = ConventionName(info.convention);
    d["topic"] = info.source.topic;
    d["partition"] = info.source.partition.value;
    d["offset"] = info.offset;
    d["reason"] = info.reason;
    d["attempts"] = info.attempts;
    d["first_failure_ms"] = info.first_failure_ms;
    d["last_failure_ms"] = info.last_failure_ms;
    d["group"] = info.group;
    out["dead_letter"] = std::move(d);
  }
  return out;
}

// Where a browse starts: offset=N, timestamp=MS or from=end (the last `limit` records).
absl::StatusOr<Offset> StartOffset(BrokerContext& ctx, const HttpRequest& request,
                                   std::string_view topic, PartitionId partition, int64_t limit,
                                   const storage::PartitionInfo& offsets) {
  absl::StatusOr<std::optional<int64_t>> offset = IntParam(request, "offset");
  if (!offset.ok()) return offset.status();
  absl::StatusOr<std::optional<int64_t>> timestamp = IntParam(request, "timestamp");
  if (!timestamp.ok()) return timestamp.status();
  const std::optional<std::string_view> from = request.Query("from");
  if (from && *from != "end" && *from != "beginning") {
    return MakeError(ErrorCode::kInvalidRequest, "from must be end or beginning");
  }
  if ((offset->has_value() ? 1 : 0) + (timestamp->has_value() ? 1 : 0) + (from ? 1 : 0) > 1) {
    return MakeError(ErrorCode::kInvalidRequest, "give one of offset, timestamp and from");
  }
  if (timestamp->has_value()) {
    absl::StatusOr<storage::TimestampLookup> found =
        ctx.store.OffsetForTimestamp(topic, partition, TimestampMs(**timestamp));
    if (!found.ok()) return found.status();
    return found->offset;
  }
  if (from == "end") {
    return Offset(std::max(offsets.log_start.value, offsets.log_end.value - limit));
  }
  if (offset->has_value()) {
    if (**offset < offsets.log_start.value || **offset > offsets.log_end.value) {
      return MakeError(ErrorCode::kOffsetOutOfRange,
                       fmt::format("offset {} is outside the partition's [{}, {}]", **offset,
                                   offsets.log_start.value, offsets.log_end.value));
    }
    return Offset(**offset);
  }
  return offsets.log_start;
}

HttpResponse Browse(BrokerContext& ctx, const HttpRequest& request) {
  const std::string topic(request.PathParam("topic"));
  absl::StatusOr<std::optional<int64_t>> partition_param = IntParam(request, "partition");
  if (!partition_param.ok()) return StatusResponse(partition_param.status());
  absl::StatusOr<std::optional<int64_t>> limit_param = IntParam(request, "limit");
  if (!limit_param.ok()) return StatusResponse(limit_param.status());
  const int64_t limit = limit_param->value_or(kDefaultLimit);
  if (limit < 1 || limit > kMaxLimit) {
    return StatusResponse(MakeError(ErrorCode::kInvalidRequest,
                                    fmt::format("limit must be in [1, {}]", kMaxLimit)));
  }
  const PartitionId partition(static_cast<int32_t>(partition_param->value_or(0)));
  absl::StatusOr<storage::PartitionInfo> offsets = ctx.store.Offsets(topic, partition);
  if (!offsets.ok()) return StatusResponse(offsets.status());
  absl::StatusOr<Offset> start = StartOffset(ctx, request, topic, partition, limit, *offsets);
  if (!start.ok()) return StatusResponse(start.status());

  boost::json::array records;
  Offset next = *start;
  if (next < offsets->log_end) {
    absl::StatusOr<storage::ReadResult> read =
        ctx.store.Read(topic, partition, next, kBrowseReadBytes);
    if (!read.ok()) return StatusResponse(read.status());
    absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(read->records);
    if (!batches.ok()) return StatusResponse(batches.status());
    std::string scratch;
    for (std::string_view batch : *batches) {
      std::vector<RecordView> views;
      scratch.clear();
      if (absl::Status s = DecodeRecords(batch, &scratch, &views); !s.ok()) {
        return StatusResponse(s);
      }
      for (const RecordView& record : views) {
        if (record.offset < next.value || static_cast<int64_t>(records.size()) >= limit) continue;
        records.push_back(RecordJson(record));
        next = Offset(record.offset + 1);
      }
    }
  }
  boost::json::object body;
  body["topic"] = topic;
  body["partition"] = partition.value;
  body["log_start"] = offsets->log_start.value;
  body["log_end"] = offsets->log_end.value;
  body["records"] = std::move(records);
  body["next_offset"] = next.value;
  return JsonResponse(200, body);
}

// The record a produce body describes, built into a batch. Errors: INVALID_REQUEST naming
// what is wrong.
struct RecordToProduce {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<int32_t> partition;
};

absl::StatusOr<RecordToProduce> ParseRecord(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
      root.get(object) != simdjson::SUCCESS) {
    return MakeError(ErrorCode::kInvalidRequest, "the body is not a JSON object");
  }
  RecordToProduce record;
  for (auto [field, value] : object) {
    std::string_view text;
    if (field == "key" || field == "value") {
      std::optional<std::string>& target = field == "key" ? record.key : record.value;
      if (value.is_null()) continue;
      if (value.get(text) != simdjson::SUCCESS) {
        return MakeError(ErrorCode::kInvalidRequest,
                         fmt::format("{} must be a string or null", std::string_view(field)));
      }
      target = std::string(text);
    } else if (field == "headers") {
      simdjson::dom::object headers;
      if (value.get(headers) != simdjson::SUCCESS) {
        return MakeError(ErrorCode::kInvalidRequest, "headers must be an object of strings");
      }
      for (auto [name, header_value] : headers) {
        if (header_value.get(text) != simdjson::SUCCESS) {
          return MakeError(ErrorCode::kInvalidRequest, "headers must be an object of strings");
        }
        record.headers.emplace_back(std::string(name), std::string(text));
      }
    } else if (field == "partition") {
      int64_t number = 0;
      if (value.get(number) != simdjson::SUCCESS || number < 0 || number > INT32_MAX) {
        return MakeError(ErrorCode::kInvalidRequest, "partition must be an integer >= 0");
      }
      record.partition = static_cast<int32_t>(number);
    } else {
      return MakeError(ErrorCode::kInvalidRequest,
                       fmt::format("unknown field \"{}\"; known: key, value, headers, partition",
                                   std::string_view(field)));
    }
  }
  return record;
}

asio::awaitable<HttpResponse> Produce(BrokerContext& ctx, HttpRequest& request) {
  const std::string topic(request.PathParam("topic"));
  absl::StatusOr<RecordToProduce> record = ParseRecord(request.body);
  if (!record.ok()) co_return StatusResponse(record.status());
  int32_t partition = record->partition.value_or(0);
  if (!record->partition && record->key) {
    absl::StatusOr<storage::TopicInfo> info = ctx.store.DescribeTopic(topic);
    if (!info.ok()) co_return StatusResponse(info.status());
    partition = PartitionForKey(*record->key, static_cast<int32_t>(info->partitions.size()));
  }
  std::vector<HeaderView> headers;
  for (const auto& [name, value] : record->headers) headers.push_back({name, value});
  RecordBatchBuilder builder;
  builder.Append(ctx.store.NowMs(), record->key, record->value, headers);
  const std::string batch = builder.Finish();

  ProduceRequest produce;
  produce.acks = kAcksAll;
  produce.topics.push_back({topic, {{partition, batch}}});
  RequestScope scope;
  scope.client_id = "http";
  scope.peer = request.peer;
  absl::StatusOr<ProduceResponse> response = co_await HandleProduce(ctx, produce, scope);
  if (!response.ok()) co_return StatusResponse(response.status());
  const ProduceResponse::Partition& result = response->topics.at(0).partitions.at(0);
  if (result.error_code != ErrorCode::kNone) {
    co_return StatusResponse(MakeError(result.error_code, result.error_message.value_or("")));
  }
  boost::json::object body;
  body["topic"] = topic;
  body["partition"] = partition;
  body["offset"] = result.base_offset;
  co_return JsonResponse(201, body);
}

}  // namespace

void AddRecordRoutes(HttpRouter& router, BrokerContext& ctx) {
  router.AddSync("GET", "/api/v1/topics/{topic}/records",
                 [&ctx](HttpRequest& request) { return Browse(ctx, request); });
  router.Add("POST", "/api/v1/topics/{topic}/records",
             [&ctx](HttpRequest& request) { return Produce(ctx, request); });
}

}  // namespace brook::http
