// Fetch: read each partition from its fetch offset; if fewer than min_bytes are available,
// wait (long poll) until an append to one of the partitions or max_wait_ms, then read again.
// A member's fetch (v1, group_id set) is checked against its group before every read and is
// woken when the group starts a rebalance, so it fails with REBALANCE_IN_PROGRESS at once.
#include <algorithm>
#include <chrono>
#include <memory>

#include <boost/asio/this_coro.hpp>

#include "absl/container/flat_hash_set.h"
#include "broker/handlers/handlers.h"
#include "broker/memory_budget.h"
#include "fmt/format.h"

namespace brook {
namespace asio = boost::asio;
namespace {

struct ReadOutcome {
  FetchResponse response;
  size_t bytes = 0;
  bool any_error = false;
  // What each partition answers with, to count once this read is the one sent.
  std::vector<std::pair<std::shared_ptr<storage::PartitionTraffic>, std::string_view>> sent;
};

ReadOutcome ReadPartitions(BrokerContext& ctx, const FetchRequest& request, RequestScope& scope) {
  ReadOutcome outcome;
  scope.buffers.clear();
  // The request's cap, the broker's, and what the memory budget has left; the first partition
  // with data still gets one whole batch when that is 0.
  int64_t cap = std::min<int64_t>(request.max_bytes, ctx.config.fetch_max_bytes);
  if (ctx.memory != nullptr) cap = std::min(cap, ctx.memory->Available());
  size_t budget = static_cast<size_t>(cap);
  for (const FetchRequest::Topic& topic : request.topics) {
    FetchResponse::Topic& out = outcome.response.topics.emplace_back();
    out.name = topic.name;
    for (const FetchRequest::Partition& partition : topic.partitions) {
      FetchResponse::Partition& result = out.partitions.emplace_back();
      result.partition = partition.partition;
      const size_t limit =
          std::min(budget, static_cast<size_t>(std::max(partition.partition_max_bytes, 0)));
      absl::StatusOr<storage::ReadResult> read =
          ctx.store.Read(topic.name, PartitionId(partition.partition),
                         Offset(partition.fetch_offset), limit,
                         /*min_one_batch=*/outcome.bytes == 0);
      if (!read.ok()) {
        result.error_code = CodeOf(read.status());
        outcome.any_error = true;
        absl::StatusOr<storage::PartitionInfo> offsets =
            ctx.store.Offsets(topic.name, PartitionId(partition.partition));
        if (offsets.ok()) {
          result.log_start_offset = offsets->log_start.value;
          result.log_end_offset = offsets->log_end.value;
        }
        continue;
      }
      result.log_start_offset = read->log_start.value;
      result.log_end_offset = read->log_end.value;
      outcome.bytes += read->records.size();
      budget -= std::min(budget, read->records.size());
      result.records = scope.buffers.emplace_back(std::move(read->records));
      if (!result.records.empty()) outcome.sent.emplace_back(read->traffic, result.records);
    }
  }
  return outcome;
}

std::vector<TopicPartition> PartitionsOf(const FetchRequest& request) {
  std::vector<TopicPartition> partitions;
  for (const auto& topic : request.topics) {
    for (const auto& partition : topic.partitions) {
      partitions.push_back(TopicPartition{topic.name, PartitionId(partition.partition)});
    }
  }
  return partitions;
}

// INVALID_REQUEST when the request names a partition twice (answering it twice would let one
// request multiply its answer).
absl::Status CheckDistinct(const std::vector<TopicPartition>& partitions) {
  absl::flat_hash_set<std::pair<std::string_view, int32_t>> seen;
  for (const TopicPartition& tp : partitions) {
    if (!seen.emplace(tp.topic, tp.partition.value).second) {
      return MakeError(ErrorCode::kInvalidRequest,
                       fmt::format("partition {}-{} is named twice", tp.topic, tp.partition.value));
    }
  }
  return absl::OkStatus();
}

// Membership check of a member's fetch; OK for a fetch outside any group.
absl::Status CheckMember(BrokerContext& ctx, const FetchRequest& request) {
  if (!request.group_id) return absl::OkStatus();
  return ctx.groups.CheckActive(*request.group_id, request.member_id,
                                group::Generation(request.generation_id));
}

}  // namespace

HandlerResult<FetchResponse> HandleFetch(BrokerContext& ctx, const FetchRequest& request,
                                         RequestScope& scope) {
  if (request.max_bytes <= 0) {
    co_return MakeError(ErrorCode::kInvalidFetchSize, "max_bytes must be positive");
  }
  if (absl::Status s = CheckDistinct(PartitionsOf(request)); !s.ok()) co_return s;
  const auto max_wait = std::clamp(std::chrono::milliseconds(request.max_wait_ms),
                                   std::chrono::milliseconds(0), ctx.config.max_fetch_wait);
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  const auto executor = co_await asio::this_coro::executor;
  auto wait = std::make_shared<FetchWait>(executor);
  std::unique_ptr<FetchWaiters::Registration> registration;
  std::unique_ptr<group::GroupCoordinator::RebalanceWatch> watch;
  if (request.group_id) {
    // Watch before the first check: a rebalance starting after it wakes the wait.
    watch = ctx.groups.WatchRebalance(*request.group_id, [wait] { FetchWaiters::Wake(wait); });
  }
  for (;;) {
    if (absl::Status s = CheckMember(ctx, request); !s.ok()) co_return s;
    ReadOutcome outcome = ReadPartitions(ctx, request, scope);
    const bool enough = outcome.bytes >= static_cast<size_t>(std::max(request.min_bytes, 0));
    if (enough || outcome.any_error || ctx.shutting_down.load() ||
        std::chrono::steady_clock::now() >= deadline) {
      for (const auto& [traffic, records] : outcome.sent) traffic->CountOut(records);
      co_return std::move(outcome.response);
    }
    if (!registration) {
      // Register, then read again: an append between the read above and the registration
      // would otherwise go unnoticed.
      registration = ctx.waiters.Register(wait, PartitionsOf(request));
      continue;
    }
    co_await FetchWaiters::Sleep(*wait, deadline);
  }
}

}  // namespace brook
