#include "client/fetch_slot.h"

#include <algorithm>

#include "protocol/record_batch.h"

namespace brook::client {
namespace {

// The partitions of `request` in the order it asks for them.
std::vector<TopicPartition> PartitionsOf(const FetchRequest& request) {
  std::vector<TopicPartition> partitions;
  for (const FetchRequest::Topic& topic : request.topics) {
    for (const FetchRequest::Partition& p : topic.partitions) {
      partitions.push_back({topic.name, PartitionId(p.partition)});
    }
  }
  return partitions;
}

// The fetch after `slot`, from where `answer` ends; null when the answer does not tell.
std::shared_ptr<FetchSlot> ReadAhead(const FetchSlot& slot, const FetchResponse& answer,
                                     std::chrono::milliseconds max_wait) {
  std::optional<std::map<TopicPartition, int64_t>> after = OffsetsAfter(answer, slot.offsets);
  std::vector<TopicPartition> partitions = PartitionsOf(slot.request);
  if (!after || partitions.empty()) return nullptr;
  std::rotate(partitions.begin(), partitions.begin() + 1, partitions.end());
  std::vector<std::pair<TopicPartition, int64_t>> order;
  order.reserve(partitions.size());
  for (TopicPartition& tp : partitions) {
    const int64_t offset = after->at(tp);
    order.emplace_back(std::move(tp), offset);
  }
  FetchRequest request = slot.request;
  request.max_wait_ms = static_cast<int32_t>(max_wait.count());
  return MakeFetchSlot(std::move(request), order,
                       slot.request.topics.front().partitions.front().partition_max_bytes,
                       slot.generation);
}

}  // namespace

std::shared_ptr<FetchSlot> MakeFetchSlot(
    FetchRequest request, const std::vector<std::pair<TopicPartition, int64_t>>& order,
    int32_t partition_max_bytes, int32_t generation) {
  auto slot = std::make_shared<FetchSlot>();
  request.topics.clear();
  for (const auto& [tp, offset] : order) {
    if (request.topics.empty() || request.topics.back().name != tp.topic) {
      request.topics.push_back({tp.topic, {}});
    }
    request.topics.back().partitions.push_back({tp.partition.value, offset, partition_max_bytes});
    slot->offsets.emplace(tp, offset);
  }
  slot->request = std::move(request);
  slot->generation = generation;
  return slot;
}

void SendFetch(Connection& connection, const std::shared_ptr<FetchSlot>& slot,
               std::chrono::milliseconds request_timeout,
               std::chrono::milliseconds read_ahead_wait) {
  const std::chrono::milliseconds timeout =
      std::chrono::milliseconds(slot->request.max_wait_ms) + request_timeout;
  connection.CallAsync(
      slot->request, timeout,
      [&connection, weak = std::weak_ptr<FetchSlot>(slot), request_timeout,
       read_ahead_wait](absl::StatusOr<Reply<FetchResponse>> reply) {
        std::shared_ptr<FetchSlot> slot = weak.lock();
        if (!slot) return;  // Abandoned: nobody reads this answer.
        std::shared_ptr<FetchSlot> next;
        if (reply.ok()) next = ReadAhead(*slot, reply->message, read_ahead_wait);
        {
          MutexLock lock(&slot->mu);
          slot->result = std::move(reply);
          slot->next = next;
          slot->done = true;
          slot->cv.SignalAll();
        }
        // Sent after the wake-up: the application does not wait for this write.
        if (next) SendFetch(connection, next, request_timeout, read_ahead_wait);
      });
}

std::optional<std::map<TopicPartition, int64_t>> OffsetsAfter(
    const FetchResponse& response, const std::map<TopicPartition, int64_t>& asked) {
  std::map<TopicPartition, int64_t> after = asked;
  for (const FetchResponse::Topic& topic : response.topics) {
    for (const FetchResponse::Partition& p : topic.partitions) {
      auto it = after.find(TopicPartition{topic.name, PartitionId(p.partition)});
      if (it == after.end()) continue;
      if (p.error_code != ErrorCode::kNone) return std::nullopt;
      absl::StatusOr<std::vector<std::string_view>> batches = SplitBatches(p.records);
      if (!batches.ok()) return std::nullopt;
      for (std::string_view batch : *batches) {
        absl::StatusOr<BatchHeader> header = ParseBatchHeader(batch);
        if (!header.ok()) return std::nullopt;
        it->second = std::max(it->second, header->last_offset() + 1);
      }
    }
  }
  return after;
}

}  // namespace brook::client
