#include "client/consumer.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <thread>

#include "client/connection.h"
#include "client/fetch_decoder.h"
#include "client/sync.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"

namespace brook {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string Name(const TopicPartition& tp) {
  return fmt::format("{}-{}", tp.topic, tp.partition.value);
}

absl::Status Closed() { return MakeError(ErrorCode::kInvalidRequest, "the consumer is closed"); }

absl::Status NotAssigned(const TopicPartition& tp) {
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("{} is not assigned to this consumer", Name(tp)));
}

absl::Status Validate(const ConsumerOptions& o) {
  auto invalid = [](std::string_view field, std::string_view why) {
    return MakeError(ErrorCode::kInvalidRequest, fmt::format("ConsumerOptions.{} {}", field, why));
  };
  if (o.fetch_min_bytes < 0) return invalid("fetch_min_bytes", "must not be negative");
  if (o.fetch_max_bytes <= 0 || o.fetch_max_bytes > (1 << 30)) {
    return invalid("fetch_max_bytes", "must be in 1..1 GiB");
  }
  if (o.max_partition_fetch_bytes <= 0) {
    return invalid("max_partition_fetch_bytes", "must be positive");
  }
  if (o.fetch_max_wait.count() < 0 || o.fetch_max_wait.count() > INT32_MAX) {
    return invalid("fetch_max_wait", "must be in 0..INT32_MAX ms");
  }
  if (o.request_timeout.count() <= 0 || o.request_timeout.count() > INT32_MAX) {
    return invalid("request_timeout", "must be in 1..INT32_MAX ms");
  }
  return absl::OkStatus();
}

// One Fetch in flight: its answer arrives on the I/O thread; Poll waits for it here.
struct FetchSlot {
  client::Mutex mu;
  client::CondVar cv;
  bool done ABSL_GUARDED_BY(mu) = false;
  std::optional<absl::StatusOr<client::Reply<FetchResponse>>> result ABSL_GUARDED_BY(mu);
  std::map<TopicPartition, int64_t> offsets;  // What was asked for; set before sending.
};

// Room for a whole response: the first batch may exceed fetch_max_bytes.
client::ConnectionOptions ConnectionOptionsFor(const ConsumerOptions& options) {
  client::ConnectionOptions connection = client::ClientConnectionOptions(
      options.bootstrap, options.client_id, options.request_timeout);
  connection.max_response_bytes =
      static_cast<uint32_t>(std::max<int64_t>(256 << 20, 2 * int64_t{options.fetch_max_bytes}));
  return connection;
}

}  // namespace

class Consumer::Impl {
 public:
  explicit Impl(ConsumerOptions options)
      : options_(std::move(options)),
        connection_(ConnectionOptionsFor(options_)) {}

  absl::Status Connect() { return connection_.Connect(); }
  const ConsumerOptions& options() const { return options_; }

  absl::Status Assign(std::vector<TopicPartition> partitions);
  std::vector<TopicPartition> Assignment() const;
  absl::Status Seek(const TopicPartition& tp, int64_t offset);
  absl::Status SeekTo(std::vector<TopicPartition> partitions, int64_t timestamp);
  absl::StatusOr<int64_t> Position(const TopicPartition& tp);
  absl::StatusOr<ConsumerRecords> Poll(milliseconds timeout);
  void Close();

 private:
  struct PartitionState {
    std::optional<int64_t> position;
  };

  absl::Status EnsureConnected();
  // Gives every assigned partition without a position one, per auto_offset_reset.
  absl::Status ResolvePositions();
  // One ListOffsets request; returns an offset per partition, in order.
  absl::StatusOr<std::vector<int64_t>> ListOffsets(const std::vector<TopicPartition>& tps,
                                                   int64_t timestamp);
  void SendFetch(milliseconds max_wait);
  // Waits for the fetch in flight until `deadline`; nullopt if it has not answered by then.
  std::optional<absl::StatusOr<client::Reply<FetchResponse>>> Await(Clock::time_point deadline);
  // Turns an answer into records and moves the positions; on error nothing moves. Sets
  // *retry_later when a partition had a retriable error (it is asked again next time).
  absl::Status Consume(client::Reply<FetchResponse> reply, const FetchSlot& slot,
                       ConsumerRecords* records, bool* retry_later);

  const ConsumerOptions options_;
  client::Connection connection_;
  std::map<TopicPartition, PartitionState> assignment_;
  std::shared_ptr<FetchSlot> in_flight_;  // Dropping it abandons the fetch.
  size_t fetch_rotation_ = 0;  // Which partition goes first in the next fetch.
  bool closed_ = false;
};

// ---- Assignment and positions -----------------------------------------------------------------

absl::Status Consumer::Impl::EnsureConnected() {
  if (closed_) return Closed();
  if (connection_.connected()) return absl::OkStatus();
  in_flight_.reset();  // It failed with the connection.
  return connection_.Connect();
}

absl::Status Consumer::Impl::Assign(std::vector<TopicPartition> partitions) {
  absl::Status status = EnsureConnected();
  if (!status.ok()) return status;
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  if (!partitions.empty()) {
    MetadataRequest request;
    request.topics.emplace();
    for (const TopicPartition& tp : partitions) {
      if (request.topics->empty() || request.topics->back() != tp.topic) {
        request.topics->push_back(tp.topic);
      }
    }
    auto reply = connection_.Call(request, options_.request_timeout);
    if (!reply.ok()) return reply.status();
    for (const TopicPartition& tp : partitions) {
      const auto& topics = reply->message.topics;
      auto it = std::find_if(topics.begin(), topics.end(),
                             [&](const MetadataResponse::Topic& t) { return t.name == tp.topic; });
      if (it == topics.end() || it->error_code == ErrorCode::kUnknownTopicOrPartition) {
        return MakeError(ErrorCode::kUnknownTopicOrPartition,
                         fmt::format("topic '{}' does not exist", tp.topic));
      }
      if (it->error_code != ErrorCode::kNone) {
        return MakeError(it->error_code,
                         fmt::format("topic '{}': {}", tp.topic, ErrorDescription(it->error_code)));
      }
      const auto count = static_cast<int32_t>(it->partitions.size());
      if (tp.partition.value < 0 || tp.partition.value >= count) {
        return MakeError(ErrorCode::kUnknownTopicOrPartition,
                         fmt::format("topic '{}' has {} partition(s); partition {} does not exist",
                                     tp.topic, count, tp.partition.value));
      }
    }
  }
  std::map<TopicPartition, PartitionState> next;
  for (TopicPartition& tp : partitions) {
    auto it = assignment_.find(tp);
    next.emplace(std::move(tp), it == assignment_.end() ? PartitionState{} : it->second);
  }
  assignment_ = std::move(next);
  in_flight_.reset();
  return absl::OkStatus();
}

std::vector<TopicPartition> Consumer::Impl::Assignment() const {
  std::vector<TopicPartition> out;
  out.reserve(assignment_.size());
  for (const auto& [tp, state] : assignment_) out.push_back(tp);
  return out;
}

absl::Status Consumer::Impl::Seek(const TopicPartition& tp, int64_t offset) {
  if (closed_) return Closed();
  auto it = assignment_.find(tp);
  if (it == assignment_.end()) return NotAssigned(tp);
  if (offset < 0) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("cannot seek {} to negative offset {}", Name(tp), offset));
  }
  it->second.position = offset;
  in_flight_.reset();
  return absl::OkStatus();
}

absl::Status Consumer::Impl::SeekTo(std::vector<TopicPartition> partitions, int64_t timestamp) {
  if (closed_) return Closed();
  if (partitions.empty()) partitions = Assignment();
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  for (const TopicPartition& tp : partitions) {
    if (!assignment_.contains(tp)) return NotAssigned(tp);
  }
  absl::Status status = EnsureConnected();
  if (!status.ok()) return status;
  absl::StatusOr<std::vector<int64_t>> offsets = ListOffsets(partitions, timestamp);
  if (!offsets.ok()) return offsets.status();
  for (size_t i = 0; i < partitions.size(); ++i) {
    assignment_[partitions[i]].position = (*offsets)[i];
  }
  in_flight_.reset();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Consumer::Impl::Position(const TopicPartition& tp) {
  if (closed_) return Closed();
  auto it = assignment_.find(tp);
  if (it == assignment_.end()) return NotAssigned(tp);
  if (!it->second.position) {
    absl::Status status = EnsureConnected();
    if (status.ok()) status = ResolvePositions();
    if (!status.ok()) return status;
  }
  return *it->second.position;
}

absl::Status Consumer::Impl::ResolvePositions() {
  std::vector<TopicPartition> missing;
  for (const auto& [tp, state] : assignment_) {
    if (!state.position) missing.push_back(tp);
  }
  if (missing.empty()) return absl::OkStatus();
  if (options_.auto_offset_reset == OffsetReset::kNone) {
    return MakeError(ErrorCode::kOffsetOutOfRange,
                     fmt::format("{} has no position and auto_offset_reset is none; call Seek "
                                 "first",
                                 Name(missing.front())));
  }
  const int64_t timestamp =
      options_.auto_offset_reset == OffsetReset::kEarliest ? kEarliestTimestamp : kLatestTimestamp;
  absl::StatusOr<std::vector<int64_t>> offsets = ListOffsets(missing, timestamp);
  if (!offsets.ok()) return offsets.status();
  for (size_t i = 0; i < missing.size(); ++i) assignment_[missing[i]].position = (*offsets)[i];
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> Consumer::Impl::ListOffsets(
    const std::vector<TopicPartition>& tps, int64_t timestamp) {
  ListOffsetsRequest request;
  for (const TopicPartition& tp : tps) {
    if (request.topics.empty() || request.topics.back().name != tp.topic) {
      request.topics.push_back({tp.topic, {}});
    }
    request.topics.back().partitions.push_back({tp.partition.value, timestamp});
  }
  auto reply = connection_.Call(request, options_.request_timeout);
  if (!reply.ok()) return reply.status();
  std::vector<int64_t> offsets;
  offsets.reserve(tps.size());
  for (const TopicPartition& tp : tps) {
    const ListOffsetsResponse::Partition* found = nullptr;
    for (const auto& t : reply->message.topics) {
      if (t.name != tp.topic) continue;
      for (const auto& p : t.partitions) {
        if (p.partition == tp.partition.value) found = &p;
      }
    }
    if (found == nullptr) {
      return MakeError(ErrorCode::kUnknownServerError,
                       fmt::format("the ListOffsets response has no result for {}", Name(tp)));
    }
    if (found->error_code != ErrorCode::kNone) {
      return MakeError(found->error_code,
                       fmt::format("cannot look up an offset of {}: {}", Name(tp),
                                   ErrorDescription(found->error_code)));
    }
    offsets.push_back(found->offset);
  }
  return offsets;
}

// ---- Fetching ---------------------------------------------------------------------------------

void Consumer::Impl::SendFetch(milliseconds max_wait) {
  auto slot = std::make_shared<FetchSlot>();
  FetchRequest request;
  request.max_wait_ms = static_cast<int32_t>(
      std::clamp<int64_t>(max_wait.count(), 0, std::numeric_limits<int32_t>::max()));
  request.min_bytes = options_.fetch_min_bytes;
  request.max_bytes = options_.fetch_max_bytes;
  // Each fetch starts one partition further on, so that when max_bytes runs out before the
  // last partition, every partition takes its turn at the front and none starves.
  std::vector<std::pair<const TopicPartition*, int64_t>> order;
  for (const auto& [tp, state] : assignment_) {
    if (state.position) order.emplace_back(&tp, *state.position);
  }
  if (!order.empty()) {
    std::rotate(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(fetch_rotation_++ % order.size()),
                order.end());
  }
  for (const auto& [tp, position] : order) {
    if (request.topics.empty() || request.topics.back().name != tp->topic) {
      request.topics.push_back({tp->topic, {}});
    }
    request.topics.back().partitions.push_back(
        {tp->partition.value, position, options_.max_partition_fetch_bytes});
    slot->offsets.emplace(*tp, position);
  }
  if (request.topics.empty()) return;
  connection_.CallAsync(request, max_wait + options_.request_timeout,
                        [slot](absl::StatusOr<client::Reply<FetchResponse>> reply) {
                          client::MutexLock lock(&slot->mu);
                          slot->result = std::move(reply);
                          slot->done = true;
                          slot->cv.SignalAll();
                        });
  in_flight_ = std::move(slot);
}

std::optional<absl::StatusOr<client::Reply<FetchResponse>>> Consumer::Impl::Await(
    Clock::time_point deadline) {
  FetchSlot& slot = *in_flight_;
  client::MutexLock lock(&slot.mu);
  while (!slot.done && Clock::now() < deadline) slot.cv.WaitUntil(&slot.mu, deadline);
  if (!slot.done) return std::nullopt;
  return std::move(slot.result);
}

absl::Status Consumer::Impl::Consume(client::Reply<FetchResponse> reply, const FetchSlot& slot,
                                     ConsumerRecords* records, bool* retry_later) {
  *retry_later = false;
  // The reply moves to the heap first: the records' topic views point into its strings.
  auto owned = std::make_shared<const client::Reply<FetchResponse>>(std::move(reply));
  client::ConsumerRecordsBuilder builder(records);
  builder.Own(owned);
  std::vector<std::pair<PartitionState*, int64_t>> moves;  // Applied only on success.
  for (const FetchResponse::Topic& topic : owned->message.topics) {
    for (const FetchResponse::Partition& p : topic.partitions) {
      TopicPartition tp{topic.name, PartitionId(p.partition)};
      auto asked = slot.offsets.find(tp);
      auto it = assignment_.find(tp);
      // Not asked for, unassigned since, or moved by a Seek since: not ours any more.
      if (asked == slot.offsets.end() || it == assignment_.end() ||
          it->second.position != asked->second) {
        continue;
      }
      switch (p.error_code) {
        case ErrorCode::kNone: {
          int64_t position = asked->second;
          absl::Status status =
              builder.AppendPartition(topic.name, p.partition, p.records, &position);
          if (!status.ok()) return status;
          moves.emplace_back(&it->second, position);
          break;
        }
        case ErrorCode::kOffsetOutOfRange:
          if (options_.auto_offset_reset == OffsetReset::kNone) {
            return MakeError(
                ErrorCode::kOffsetOutOfRange,
                fmt::format("offset {} of {} is outside the log [{}, {}] and "
                            "auto_offset_reset is none; call Seek",
                            asked->second, Name(tp), p.log_start_offset, p.log_end_offset));
          }
          moves.emplace_back(&it->second, options_.auto_offset_reset == OffsetReset::kEarliest
                                              ? p.log_start_offset
                                              : p.log_end_offset);
          break;
        case ErrorCode::kUnknownTopicOrPartition:
          return MakeError(
              ErrorCode::kUnknownTopicOrPartition,
              fmt::format("{} does not exist (was topic '{}' deleted?)", Name(tp), tp.topic));
        default:
          if (IsRetriable(p.error_code)) {  // Asked again by the next fetch.
            *retry_later = true;
            break;
          }
          return MakeError(p.error_code, fmt::format("cannot fetch {}: {}", Name(tp),
                                                     ErrorDescription(p.error_code)));
      }
    }
  }
  for (auto [state, position] : moves) state->position = position;
  return absl::OkStatus();
}

absl::StatusOr<ConsumerRecords> Consumer::Impl::Poll(milliseconds timeout) {
  if (closed_) return Closed();
  if (assignment_.empty()) {
    return MakeError(ErrorCode::kInvalidRequest, "no partitions are assigned; call Assign first");
  }
  const Clock::time_point deadline =
      Clock::now() +
      std::clamp<milliseconds>(timeout, milliseconds(0), std::chrono::hours(24 * 365));
  for (;;) {
    absl::Status status = EnsureConnected();
    if (status.ok()) status = ResolvePositions();
    if (!status.ok()) return status;
    if (!in_flight_) {
      SendFetch(std::chrono::ceil<milliseconds>(deadline - Clock::now()));
    }
    std::optional<absl::StatusOr<client::Reply<FetchResponse>>> answer = Await(deadline);
    if (!answer) return ConsumerRecords();  // Nothing yet; the fetch stays in flight.
    std::shared_ptr<FetchSlot> slot = std::move(in_flight_);
    if (!answer->ok()) {
      const absl::Status& error = answer->status();
      const auto left = deadline - Clock::now();
      if (!IsRetriable(CodeOf(error)) || left <= Clock::duration::zero()) return error;
      // Back off a little before asking again (reconnecting first if the connection fell).
      std::this_thread::sleep_for(std::min<Clock::duration>(left, milliseconds(50)));
      continue;
    }
    ConsumerRecords records;
    bool retry_later = false;
    status = Consume(**std::move(answer), *slot, &records, &retry_later);
    if (!status.ok()) return status;
    if (!records.empty() || Clock::now() >= deadline) {
      SendFetch(options_.fetch_max_wait);  // One fetch ahead while the caller works.
      return records;
    }
    if (retry_later) {  // An empty answer with a transient error: do not spin on it.
      std::this_thread::sleep_for(
          std::min<Clock::duration>(deadline - Clock::now(), milliseconds(50)));
    }
  }
}

void Consumer::Impl::Close() {
  if (closed_) return;
  closed_ = true;
  in_flight_.reset();
  connection_.Close();
}

// ---- Consumer ---------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(ConsumerOptions options) {
  absl::Status status = Validate(options);
  if (!status.ok()) return status;
  auto impl = std::make_unique<Impl>(std::move(options));
  status = impl->Connect();
  if (!status.ok()) return status;
  return std::unique_ptr<Consumer>(new Consumer(std::move(impl)));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() { impl_->Close(); }

absl::Status Consumer::Assign(std::vector<TopicPartition> partitions) {
  return impl_->Assign(std::move(partitions));
}
std::vector<TopicPartition> Consumer::Assignment() const { return impl_->Assignment(); }
absl::Status Consumer::Seek(const TopicPartition& partition, int64_t offset) {
  return impl_->Seek(partition, offset);
}
absl::Status Consumer::SeekToBeginning(const std::vector<TopicPartition>& partitions) {
  return impl_->SeekTo(partitions, kEarliestTimestamp);
}
absl::Status Consumer::SeekToEnd(const std::vector<TopicPartition>& partitions) {
  return impl_->SeekTo(partitions, kLatestTimestamp);
}
absl::Status Consumer::SeekToTimestamp(const TopicPartition& partition, int64_t timestamp_ms) {
  if (timestamp_ms < 0) {
    return MakeError(ErrorCode::kInvalidTimestamp,
                     fmt::format("cannot seek to negative timestamp {}", timestamp_ms));
  }
  return impl_->SeekTo({partition}, timestamp_ms);
}
absl::StatusOr<int64_t> Consumer::Position(const TopicPartition& partition) {
  return impl_->Position(partition);
}
absl::StatusOr<ConsumerRecords> Consumer::Poll(std::chrono::milliseconds timeout) {
  return impl_->Poll(timeout);
}
void Consumer::Close() { impl_->Close(); }
const ConsumerOptions& Consumer::options() const { return impl_->options(); }

}  // namespace brook
