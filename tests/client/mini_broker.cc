#include "tests/client/mini_broker.h"

#include <algorithm>

#include "protocol/absl_compat.h"
#include "protocol/record_batch.h"

namespace brook::testing {

MiniBroker::MiniBroker() {
  fetch_thread_ = std::thread([this] { FetchLoop(); });
  fake_ = std::make_unique<FakeBroker>(
      [this](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& header,
             std::string_view body) { Handle(session, header, body); });
}

MiniBroker::~MiniBroker() {
  fake_.reset();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    fetch_cv_.notify_all();
  }
  fetch_thread_.join();
}

void MiniBroker::CreateTopic(const std::string& name, int32_t partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  topics_[name].resize(static_cast<size_t>(partitions));
}

void MiniBroker::DeleteTopic(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  topics_.erase(name);
  fetch_cv_.notify_all();
}

void MiniBroker::SetLogStart(const std::string& topic, int32_t partition, int64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  topics_.at(topic).at(static_cast<size_t>(partition)).log_start = offset;
}

int64_t MiniBroker::Append(const std::string& topic, int32_t partition,
                           const std::vector<std::pair<std::string, std::string>>& key_values,
                           int64_t timestamp_ms) {
  RecordBatchBuilder builder;
  for (const auto& [key, value] : key_values) builder.Append(timestamp_ms++, key, value);
  std::string batch = builder.Finish();
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t base = AppendBatches(topics_.at(topic).at(static_cast<size_t>(partition)), {batch});
  fetch_cv_.notify_all();
  return base;
}

std::vector<MiniBroker::StoredRecord> MiniBroker::Records(const std::string& topic,
                                                          int32_t partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  return topics_.at(topic).at(static_cast<size_t>(partition)).records;
}

std::vector<std::string> MiniBroker::Batches(const std::string& topic, int32_t partition) const {
  std::lock_guard<std::mutex> lock(mu_);
  return topics_.at(topic).at(static_cast<size_t>(partition)).batches;
}

int MiniBroker::produce_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return produce_requests_;
}

int MiniBroker::received_batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_batches_;
}

int MiniBroker::init_producer_id_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return init_producer_id_requests_;
}

int MiniBroker::duplicates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return duplicates_;
}

int MiniBroker::fetch_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fetch_requests_;
}

std::vector<int> MiniBroker::batches_per_produce() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_per_produce_;
}

void MiniBroker::SetProduceFault(ProduceFault fault) {
  std::lock_guard<std::mutex> lock(mu_);
  fault_ = std::move(fault);
}

void MiniBroker::HoldProduceResponses(bool hold) {
  std::lock_guard<std::mutex> lock(mu_);
  hold_ = hold;
}

void MiniBroker::ReleaseHeld(bool reverse) {
  std::vector<Held> held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    held = std::move(held_);
    held_.clear();
  }
  if (reverse) std::reverse(held.begin(), held.end());
  for (Held& h : held) h.session->RespondWith(h.correlation_id, h.response);
}

size_t MiniBroker::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

void MiniBroker::DropNextProduces(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  drop_next_ = n;
}

void MiniBroker::LoseNextAnswers(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  lose_next_ = n;
}

void MiniBroker::IgnoreProduces(bool ignore) {
  std::lock_guard<std::mutex> lock(mu_);
  ignore_produces_ = ignore;
}

int64_t MiniBroker::AppendBatches(Partition& partition,
                                  const std::vector<std::string_view>& batches) {
  const int64_t base = partition.log_end;
  for (std::string_view view : batches) {
    std::string batch(view);
    EncodeBaseOffset(partition.log_end, batch.data());
    std::string scratch;
    std::vector<RecordView> records;
    if (!DecodeRecords(batch, &scratch, &records).ok()) continue;
    for (const RecordView& r : records) {
      StoredRecord stored;
      stored.offset = r.offset;
      stored.timestamp = r.timestamp;
      if (r.key) stored.key = std::string(*r.key);
      if (r.value) stored.value = std::string(*r.value);
      for (const HeaderView& h : r.headers) {
        stored.headers.emplace_back(
            std::string(h.key),
            h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
      }
      partition.records.push_back(std::move(stored));
    }
    partition.log_end += static_cast<int64_t>(records.size());
    partition.batches.push_back(std::move(batch));
  }
  return base;
}

void MiniBroker::Handle(const std::shared_ptr<FakeBroker::Session>& session,
                        const RequestHeader& header, std::string_view body) {
  const int32_t id = header.correlation_id;
  switch (static_cast<ApiKey>(header.api_key)) {
    case ApiKey::kProduce:
      return HandleProduce(session, id, body);
    case ApiKey::kFetch:
      return HandleFetch(session, id, body);
    case ApiKey::kInitProducerId: {
      std::lock_guard<std::mutex> lock(mu_);
      // Ids from 1000 on, so that a test can tell them from small numbers it uses itself.
      session->RespondWith(id, InitProducerIdResponse{1000 + init_producer_id_requests_++, 0});
      return;
    }
    case ApiKey::kMetadata: {
      auto request = DecodeMessage<MetadataRequest>(body, 0);
      MetadataResponse response;
      std::lock_guard<std::mutex> lock(mu_);
      std::vector<std::string> names;
      if (request->topics) {
        names = *request->topics;
      } else {
        for (const auto& [name, partitions] : topics_) names.push_back(name);
      }
      for (const std::string& name : names) {
        MetadataResponse::Topic topic{ErrorCode::kNone, name, {}, {}};
        auto it = topics_.find(name);
        if (it == topics_.end()) {
          topic.error_code = ErrorCode::kUnknownTopicOrPartition;
        } else {
          for (size_t p = 0; p < it->second.size(); ++p) {
            topic.partitions.push_back({static_cast<int32_t>(p), ErrorCode::kNone,
                                        it->second[p].log_start, it->second[p].log_end});
          }
          topic.configs.push_back({"cleanup.policy", "delete"});
        }
        response.topics.push_back(std::move(topic));
      }
      session->RespondWith(id, response);
      return;
    }
    case ApiKey::kListOffsets: {
      auto request = DecodeMessage<ListOffsetsRequest>(body, 0);
      ListOffsetsResponse response;
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& t : request->topics) {
        ListOffsetsResponse::Topic topic{t.name, {}};
        for (const auto& p : t.partitions) {
          ListOffsetsResponse::Partition out{p.partition, ErrorCode::kNone, -1, -1};
          auto it = topics_.find(t.name);
          if (it == topics_.end() || p.partition < 0 ||
              p.partition >= static_cast<int32_t>(it->second.size())) {
            out.error_code = ErrorCode::kUnknownTopicOrPartition;
          } else {
            const Partition& part = it->second[static_cast<size_t>(p.partition)];
            if (p.timestamp == kEarliestTimestamp) {
              out.offset = part.log_start;
            } else if (p.timestamp == kLatestTimestamp) {
              out.offset = part.log_end;
            } else {
              out.offset = part.log_end;
              for (const StoredRecord& r : part.records) {
                if (r.offset >= part.log_start && r.timestamp >= p.timestamp) {
                  out.offset = r.offset;
                  out.timestamp = r.timestamp;
                  break;
                }
              }
            }
          }
          topic.partitions.push_back(out);
        }
        response.topics.push_back(std::move(topic));
      }
      session->RespondWith(id, response);
      return;
    }
    case ApiKey::kCreateTopics: {
      auto request = DecodeMessage<CreateTopicsRequest>(body, 0);
      CreateTopicsResponse response;
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& t : request->topics) {
        TopicResult result{t.name, ErrorCode::kNone, std::nullopt};
        if (topics_.contains(t.name)) {
          result.error_code = ErrorCode::kTopicAlreadyExists;
          result.error_message = "topic '" + t.name + "' already exists";
        } else if (t.num_partitions < 1) {
          result.error_code = ErrorCode::kInvalidPartitions;
          result.error_message = "num_partitions must be at least 1";
        } else if (!request->validate_only) {
          topics_[t.name].resize(static_cast<size_t>(t.num_partitions));
        }
        response.topics.push_back(std::move(result));
      }
      session->RespondWith(id, response);
      return;
    }
    case ApiKey::kDeleteTopics: {
      auto request = DecodeMessage<DeleteTopicsRequest>(body, 0);
      DeleteTopicsResponse response;
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& name : request->topics) {
        TopicResult result{name, ErrorCode::kNone, std::nullopt};
        if (topics_.erase(name) == 0) {
          result.error_code = ErrorCode::kUnknownTopicOrPartition;
          result.error_message = "topic '" + name + "' does not exist";
        }
        response.topics.push_back(std::move(result));
      }
      session->RespondWith(id, response);
      return;
    }
    default:
      session->RespondError(id, ErrorCode::kUnknownApiKey, "unknown api key");
  }
}

void MiniBroker::HandleProduce(const std::shared_ptr<FakeBroker::Session>& session, int32_t id,
                               std::string_view body) {
  auto request = DecodeMessage<ProduceRequest>(body, 0);
  if (!request.ok()) return session->RespondError(id, ErrorCode::kInvalidRequest, "bad body");
  std::unique_lock<std::mutex> lock(mu_);
  ++produce_requests_;
  if (drop_next_ > 0) {
    --drop_next_;
    lock.unlock();
    session->Close();
    return;
  }
  ProduceResponse response;
  for (const auto& t : request->topics) {
    ProduceResponse::Topic topic{t.name, {}};
    for (const auto& p : t.partitions) {
      if (auto batches = SplitBatches(p.records); batches.ok()) {
        received_batches_ += static_cast<int>(batches->size());
      }
      topic.partitions.push_back(ProducePartition(t.name, p.partition, p.records));
    }
    response.topics.push_back(std::move(topic));
  }
  fetch_cv_.notify_all();
  if (lose_next_ > 0) {
    --lose_next_;
    lock.unlock();
    session->Close();
    return;
  }
  if (request->acks == kAcksNone || ignore_produces_) return;
  if (hold_) {
    held_.push_back({session, id, std::move(response)});
    return;
  }
  lock.unlock();
  session->RespondWith(id, response);
}

ProduceResponse::Partition MiniBroker::ProducePartition(const std::string& topic,
                                                        int32_t partition,
                                                        std::string_view records) {
  ProduceResponse::Partition out{partition, ErrorCode::kNone, std::nullopt, -1, -1};
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 || partition >= static_cast<int32_t>(it->second.size())) {
    out.error_code = ErrorCode::kUnknownTopicOrPartition;
    return out;
  }
  if (const ErrorCode fault = fault_ ? fault_(topic, partition) : ErrorCode::kNone;
      fault != ErrorCode::kNone) {
    out.error_code = fault;
    out.error_message = "injected " + std::string(ErrorName(fault));
    return out;
  }
  auto batches = SplitBatches(records);
  if (!batches.ok() || batches->empty()) {
    out.error_code = ErrorCode::kCorruptMessage;
    return out;
  }
  Partition& part = it->second[static_cast<size_t>(partition)];
  // The producers' rules, as storage applies them (PartitionLog::Append).
  storage::ProducerAppendPlan plan(part.producers, /*now_ms=*/0, /*expiration_ms=*/INT64_MAX);
  int64_t next = part.log_end;
  for (std::string_view b : *batches) {
    absl::StatusOr<BatchSummary> summary = ValidateBatch(b);
    absl::Status checked = summary.ok() ? plan.Add(*summary, next) : summary.status();
    if (!checked.ok()) {
      out.error_code = CodeOf(checked);
      out.error_message = std::string(MessageOf(checked));
      return out;
    }
    next += summary->header.record_count;
  }
  absl::StatusOr<storage::ProducerAppendPlan::Result> result = std::move(plan).Finish();
  if (!result.ok()) {
    out.error_code = CodeOf(result.status());
    out.error_message = std::string(MessageOf(result.status()));
    return out;
  }
  out.log_start_offset = part.log_start;
  if (result->duplicate_of) {
    ++duplicates_;
    out.base_offset = result->duplicate_of->base_offset;
    return out;
  }
  batches_per_produce_.push_back(static_cast<int>(batches->size()));
  out.base_offset = AppendBatches(part, *batches);
  for (auto& [id, entry] : result->updated) part.producers[id] = std::move(entry);
  return out;
}

void MiniBroker::HandleFetch(const std::shared_ptr<FakeBroker::Session>& session, int32_t id,
                             std::string_view body) {
  PendingFetch pending{session, id, {}, std::string(body), {}};
  auto request = DecodeMessage<FetchRequest>(pending.body, 0);
  if (!request.ok()) return session->RespondError(id, ErrorCode::kInvalidRequest, "bad body");
  pending.request = *std::move(request);
  pending.deadline = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(std::max(pending.request.max_wait_ms, 0));
  std::lock_guard<std::mutex> lock(mu_);
  ++fetch_requests_;
  pending_fetches_.push_back(std::move(pending));
  fetch_cv_.notify_all();
}

std::string MiniBroker::FetchAnswer(const FetchRequest& request, size_t* bytes, bool* error) {
  FetchResponse response;
  *bytes = 0;
  *error = false;
  std::vector<std::string> owned;  // Record sets (views in response point here).
  owned.reserve(64);
  for (const auto& t : request.topics) {
    FetchResponse::Topic topic{t.name, {}};
    for (const auto& p : t.partitions) {
      FetchResponse::Partition out{p.partition, ErrorCode::kNone, -1, -1, {}};
      auto it = topics_.find(t.name);
      if (it == topics_.end() || p.partition < 0 ||
          p.partition >= static_cast<int32_t>(it->second.size())) {
        out.error_code = ErrorCode::kUnknownTopicOrPartition;
        *error = true;
        topic.partitions.push_back(out);
        continue;
      }
      const Partition& part = it->second[static_cast<size_t>(p.partition)];
      out.log_end_offset = part.log_end;
      out.log_start_offset = part.log_start;
      if (p.fetch_offset < part.log_start || p.fetch_offset > part.log_end) {
        out.error_code = ErrorCode::kOffsetOutOfRange;
        *error = true;
        topic.partitions.push_back(out);
        continue;
      }
      std::string& records = owned.emplace_back();
      for (const std::string& batch : part.batches) {
        auto header = ParseBatchHeader(batch);
        if (header->last_offset() < p.fetch_offset) continue;
        if (!records.empty() &&
            records.size() + batch.size() > static_cast<size_t>(p.partition_max_bytes)) {
          break;
        }
        records += batch;
      }
      *bytes += records.size();
      out.records = records;
      topic.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic));
  }
  std::string body;
  EncodeMessage(response, 0, &body);
  return body;
}

void MiniBroker::FetchLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    auto next = now + std::chrono::hours(1);
    for (size_t i = 0; i < pending_fetches_.size();) {
      PendingFetch& f = pending_fetches_[i];
      size_t bytes = 0;
      bool error = false;
      std::string body = FetchAnswer(f.request, &bytes, &error);
      if (error || (bytes >= static_cast<size_t>(std::max(f.request.min_bytes, 0)) && bytes > 0) ||
          f.deadline <= now || f.request.min_bytes <= 0) {
        f.session->Respond(f.correlation_id, body);
        pending_fetches_.erase(pending_fetches_.begin() + static_cast<ptrdiff_t>(i));
        continue;
      }
      next = std::min(next, f.deadline);
      ++i;
    }
    fetch_cv_.wait_until(lock, next);
  }
}

}  // namespace brook::testing
