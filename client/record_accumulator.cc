#include "client/record_accumulator.h"

#include <algorithm>

#include "client/backoff.h"
#include "protocol/partitioner.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook::client {
namespace {

// Per-record overhead counted against buffer_memory beyond key, value and headers.
constexpr size_t kRecordOverhead = 24;
// The records of one Produce request: well under the broker's default 16 MiB frame limit.
// (A single batch may exceed it only when one record does; such records are refused.)
constexpr size_t kMaxRequestBytes = 8 << 20;

size_t RecordBytes(const ProducerRecord& record) {
  size_t bytes = kRecordOverhead + (record.key ? record.key->size() : 0) +
                 (record.value ? record.value->size() : 0);
  for (const HeaderView& h : record.headers) {
    bytes += 4 + h.key.size() + (h.value ? h.value->size() : 0);
  }
  return bytes;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status Closed() { return MakeError(ErrorCode::kInvalidRequest, "the producer is closed"); }

}  // namespace

RecordAccumulator::RecordAccumulator(const ProducerOptions& options,
                                     std::function<void(absl::AnyInvocable<void()>)> post,
                                     std::function<bool()> in_io_thread)
    : options_(options),
      idempotent_(options.idempotent()),
      post_(std::move(post)),
      in_io_thread_(std::move(in_io_thread)) {}

RecordAccumulator::~RecordAccumulator() = default;

// ---- Appending (any thread) -------------------------------------------------------------------

void RecordAccumulator::Append(const ProducerRecord& record, SendCallback callback,
                               bool caller_sends) {
  const size_t bytes = RecordBytes(record);
  bool post = false;
  {
    MutexLock lock(&mu_);
    if (!closed_ && buffered_bytes_ > 0 && buffered_bytes_ + bytes > options_.buffer_memory &&
        !in_io_thread_()) {
      while (!closed_ && buffered_bytes_ > 0 && buffered_bytes_ + bytes > options_.buffer_memory) {
        space_cv_.Wait(&mu_);
      }
    }
    if (closed_) {
      lock.Release();
      if (callback) callback(Closed());
      return;
    }
    buffered_bytes_ += bytes;
    // The first record asks for the producer id at once, rather than when its batch is ready.
    if (idempotent_ && !producer_ids_.current() && producer_ids_.Want()) {
      WakeSender(Clock::time_point::min());
    }
    const int64_t timestamp_ms = record.timestamp_ms >= 0 ? record.timestamp_ms : NowMs();
    if (bytes > std::min(options_.buffer_memory, kMaxRequestBytes)) {
      FailRecord(std::move(callback), bytes, epoch_,
                 MakeError(ErrorCode::kMessageTooLarge,
                           fmt::format("a record of {} bytes is larger than buffer_memory ({} "
                                       "bytes) or a Produce request ({} bytes)",
                                       bytes, options_.buffer_memory, kMaxRequestBytes)));
    } else {
      TopicState* topic = TopicFor(record.topic);
      if (topic->partition_count < 0) {
        Wait(topic, record, std::move(callback), bytes, timestamp_ms);
      } else {
        AppendKnown(
            topic,
            RecordRef{record.partition, record.key, record.value, record.headers, timestamp_ms},
            std::move(callback), bytes, epoch_, caller_sends);
      }
    }
    post = NeedsCompletionPost();
  }
  if (post) PostCompletions();
}

TopicState* RecordAccumulator::TopicFor(std::string_view name) {
  auto it = topics_.find(ToAbsl(name));  // Heterogeneous: no std::string per record.
  if (it != topics_.end()) return it->second.get();
  auto topic = std::make_unique<TopicState>();
  topic->name = std::string(name);
  TopicState* raw = topic.get();
  topics_.emplace(topic->name, std::move(topic));
  return raw;
}

void RecordAccumulator::SetPartitionCount(TopicState* topic, int32_t count) {
  if (count <= topic->partition_count) return;  // Partition counts only grow.
  for (int32_t p = std::max(topic->partition_count, 0); p < count; ++p) {
    auto queue = std::make_unique<PartitionQueue>();
    queue->topic = topic;
    queue->partition = p;
    all_partitions_.push_back(queue.get());
    topic->partitions.push_back(std::move(queue));
  }
  if (topic->partition_count < 0) {
    // Start sticky records on a different partition per topic, so that several producers
    // (or topics) do not all begin on partition 0.
    topic->sticky =
        static_cast<int32_t>(std::hash<std::string>{}(topic->name) % static_cast<size_t>(count));
  }
  topic->partition_count = count;
}

void RecordAccumulator::AppendKnown(TopicState* topic, const RecordRef& record,
                                    SendCallback callback, size_t bytes, uint64_t epoch,
                                    bool caller_sends) {
  const int32_t count = topic->partition_count;
  int32_t partition;
  const bool sticky = !record.partition && !record.key;
  if (record.partition) {
    if (*record.partition < 0 || *record.partition >= count) {
      FailRecord(std::move(callback), bytes, epoch,
                 MakeError(ErrorCode::kUnknownTopicOrPartition,
                           fmt::format("topic '{}' has {} partition(s); partition {} does not "
                                       "exist",
                                       topic->name, count, *record.partition)));
      return;
    }
    partition = *record.partition;
  } else if (record.key) {
    partition = PartitionForKey(*record.key, count);
  } else {
    partition = topic->sticky;
  }
  PartitionQueue* queue = topic->partitions[static_cast<size_t>(partition)].get();
  if (queue->open && queue->open->record_count > 0 &&
      queue->open->builder.size_bytes() + bytes > options_.batch_size) {
    Seal(queue, !caller_sends);
    if (sticky) queue = topic->partitions[static_cast<size_t>(topic->sticky)].get();
  }
  if (!queue->open) {
    const Clock::time_point now = Clock::now();
    queue->open = std::make_unique<ProducerBatch>(queue, options_.compression, epoch, now);
    AddUnit(epoch);
    next_expiry_check_ = std::min(next_expiry_check_, now + options_.delivery_timeout);
    if (!caller_sends) WakeSender(now + options_.linger);
  }
  ProducerBatch* batch = queue->open.get();
  if (epoch < batch->epoch) {
    RemoveUnit(batch->epoch);
    AddUnit(epoch);
    batch->epoch = epoch;
  }
  batch->builder.Append(record.timestamp_ms, record.key, record.value, record.headers);
  if (callback) {
    batch->callbacks.push_back({batch->record_count, record.timestamp_ms, std::move(callback)});
  }
  ++batch->record_count;
  batch->reserved_bytes += bytes;
  if (batch->builder.size_bytes() >= options_.batch_size) Seal(queue, !caller_sends);
}

void RecordAccumulator::Wait(TopicState* topic, const ProducerRecord& record, SendCallback callback,
                             size_t bytes, int64_t timestamp_ms) {
  WaitingRecord waiting;
  waiting.partition = record.partition;
  if (record.key) waiting.key = std::string(*record.key);
  if (record.value) waiting.value = std::string(*record.value);
  waiting.headers.reserve(record.headers.size());
  for (const HeaderView& h : record.headers) {
    waiting.headers.emplace_back(
        std::string(h.key),
        h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
  }
  waiting.timestamp_ms = timestamp_ms;
  waiting.callback = std::move(callback);
  waiting.epoch = epoch_;
  waiting.bytes = bytes;
  waiting.created = Clock::now();
  AddUnit(epoch_);
  next_expiry_check_ = std::min(next_expiry_check_, waiting.created + options_.delivery_timeout);
  topic->waiting.push_back(std::move(waiting));
  if (!topic->metadata_in_flight) WakeSender(Clock::time_point::min());
}

void RecordAccumulator::ReplayWaiting(TopicState* topic) {
  std::deque<WaitingRecord> waiting = std::move(topic->waiting);
  topic->waiting.clear();
  std::vector<HeaderView> headers;
  for (WaitingRecord& w : waiting) {
    headers.clear();
    for (const auto& [key, value] : w.headers) {
      headers.push_back(
          HeaderView{key, value ? std::optional<std::string_view>(*value) : std::nullopt});
    }
    RecordRef ref{w.partition, w.key ? std::optional<std::string_view>(*w.key) : std::nullopt,
                  w.value ? std::optional<std::string_view>(*w.value) : std::nullopt, headers,
                  w.timestamp_ms};
    AppendKnown(topic, ref, std::move(w.callback), w.bytes, w.epoch);
    RemoveUnit(w.epoch);  // Its batch counts for it now.
  }
}

void RecordAccumulator::FailRecord(SendCallback callback, size_t bytes, uint64_t epoch,
                                   absl::Status status) {
  auto batch = std::make_unique<ProducerBatch>(nullptr, Compression::kNone, epoch, Clock::now());
  batch->record_count = 1;
  batch->reserved_bytes = bytes;
  if (callback) batch->callbacks.push_back({0, -1, std::move(callback)});
  batch->state = ProducerBatch::State::kDone;
  batch->status = std::move(status);
  AddUnit(epoch);
  completions_.push_back(std::move(batch));
}

void RecordAccumulator::Seal(PartitionQueue* queue, bool wake_sender) {
  std::unique_ptr<ProducerBatch> batch = std::move(queue->open);
  batch->state = ProducerBatch::State::kReady;
  queue->queue.push_back(std::move(batch));
  TopicState* topic = queue->topic;
  if (topic->sticky == queue->partition) {
    topic->sticky = (topic->sticky + 1) % topic->partition_count;
  }
  if (wake_sender && in_flight_requests_ < options_.max_in_flight) {
    WakeSender(Clock::time_point::min());
  }
}

void RecordAccumulator::SealAll() {
  for (PartitionQueue* queue : all_partitions_) {
    if (queue->open) Seal(queue);
  }
}

void RecordAccumulator::WakeSender(Clock::time_point due) {
  if (sender_waiting_ && due < sender_wake_) {
    sender_wake_ = due;
    sender_cv_.Signal();
  }
}

// ---- Flush and Close --------------------------------------------------------------------------

absl::Status RecordAccumulator::Flush() {
  if (in_io_thread_()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "Flush() was called from a producer callback; it would wait for itself");
  }
  MutexLock lock(&mu_);
  const uint64_t target = epoch_++;
  SealAll();
  ++flushers_;
  WakeSender(Clock::time_point::min());
  while (!units_by_epoch_.empty() && units_by_epoch_.begin()->first <= target) {
    flush_cv_.Wait(&mu_);
  }
  --flushers_;
  return std::exchange(first_error_, absl::OkStatus());
}

void RecordAccumulator::Close() {
  MutexLock lock(&mu_);
  closed_ = true;
  sender_cv_.SignalAll();
  space_cv_.SignalAll();
}

void RecordAccumulator::AddUnit(uint64_t epoch) {
  ++units_by_epoch_[epoch];
  ++units_;
}

void RecordAccumulator::RemoveUnit(uint64_t epoch) {
  auto it = units_by_epoch_.find(epoch);
  if (--it->second == 0) {
    units_by_epoch_.erase(it);
    flush_cv_.SignalAll();
  }
  --units_;
}

// ---- The sender's side ------------------------------------------------------------------------

RecordAccumulator::Work RecordAccumulator::NextWork(const std::function<bool()>& connected) {
  Work work;
  bool post = false;
  {
    MutexLock lock(&mu_);
    for (;;) {
      const Clock::time_point now = Clock::now();
      Clock::time_point wake = Clock::time_point::max();
      if (now >= next_expiry_check_) Expire(now, &wake);
      wake = std::min(wake, next_expiry_check_);
      if (closed_ && units_ == 0) {
        work.stop = true;
      } else if (!connected()) {
        work.connect = HasUnsent();
      } else {
        CollectMetadata(now, &work, &wake);
        if (!sending_) {  // Else DoneSending wakes this thread if need be.
          Drain(now, &work, &wake);
          sending_ = !work.requests.empty();
        }
        work.init_producer_id = idempotent_ && producer_ids_.TakeRequest(now, &wake);
      }
      post = NeedsCompletionPost();
      if (!work.empty() || post) break;
      sender_waiting_ = true;
      sender_wake_ = wake;
      if (wake == Clock::time_point::max()) {
        sender_cv_.Wait(&mu_);
      } else {
        sender_cv_.WaitUntil(&mu_, wake);
      }
      sender_waiting_ = false;
      sender_wake_ = Clock::time_point::max();
    }
  }
  if (post) PostCompletions();
  return work;
}

std::vector<RequestPlan> RecordAccumulator::TakeWork(const std::function<bool()>& connected) {
  Work work;
  bool post = false;
  {
    MutexLock lock(&mu_);
    if (sending_) return {};
    if (!connected()) {
      WakeSender(Clock::time_point::min());
      return {};
    }
    Clock::time_point wake = Clock::time_point::max();
    Drain(Clock::now(), &work, &wake);
    // A retry backoff, a linger of a batch another Send opened, or a producer id to ask for.
    WakeSender(idempotent_ && producer_ids_.wanted() ? Clock::time_point::min() : wake);
    sending_ = !work.requests.empty();
    post = NeedsCompletionPost();
  }
  if (post) PostCompletions();
  return std::move(work.requests);
}

void RecordAccumulator::DoneSending() {
  MutexLock lock(&mu_);
  sending_ = false;
  WakeSenderIfSendable();
}

void RecordAccumulator::SleepUntil(Clock::time_point deadline) {
  MutexLock lock(&mu_);
  while (!closed_ && Clock::now() < deadline) sender_cv_.WaitUntil(&mu_, deadline);
}

void RecordAccumulator::SetConnectError(absl::Status status) {
  MutexLock lock(&mu_);
  connect_error_ = std::move(status);
}

bool RecordAccumulator::HasUnsent() const {
  for (const auto& [name, topic] : topics_) {
    if (!topic->waiting.empty()) return true;
  }
  for (const PartitionQueue* queue : all_partitions_) {
    if (queue->open) return true;
    for (const auto& batch : queue->queue) {
      if (batch->state == ProducerBatch::State::kReady) return true;
    }
  }
  return false;
}

void RecordAccumulator::WakeSenderIfSendable() {
  if (sender_waiting_) WakeSender(NextSendable());  // The scan only when it can matter.
}

Clock::time_point RecordAccumulator::NextSendable() const {
  Clock::time_point next = Clock::time_point::max();
  for (const PartitionQueue* queue : all_partitions_) {
    if (queue->open) {
      next = std::min(next, flushers_ > 0 || closed_ ? Clock::time_point::min()
                                                     : queue->open->created + options_.linger);
    }
    for (const auto& batch : queue->queue) {
      if (batch->state != ProducerBatch::State::kReady) continue;
      next = std::min(next, batch->retry_at);
      break;  // The head of line decides for its partition.
    }
  }
  return next;
}

void RecordAccumulator::CollectMetadata(Clock::time_point now, Work* work,
                                        Clock::time_point* wake) {
  for (auto& [name, topic] : topics_) {
    const bool wanted =
        (topic->partition_count < 0 && !topic->waiting.empty()) || topic->refresh_metadata;
    if (!wanted || topic->metadata_in_flight) continue;
    if (topic->metadata_retry_at > now) {
      *wake = std::min(*wake, topic->metadata_retry_at);
      continue;
    }
    topic->metadata_in_flight = true;
    topic->refresh_metadata = false;
    work->metadata_topics.push_back(topic->name);
  }
}

void RecordAccumulator::Drain(Clock::time_point now, Work* work, Clock::time_point* wake) {
  const int budget = options_.max_in_flight - in_flight_requests_;
  const size_t n = all_partitions_.size();
  if (budget <= 0 || n == 0) return;
  RequestPlan current;
  size_t current_bytes = 0;
  const size_t start = drain_cursor_ % n;
  for (size_t i = 0; i < n; ++i) {
    PartitionQueue* queue = all_partitions_[(start + i) % n];
    if (queue->open) {
      const Clock::time_point due = queue->open->created + options_.linger;
      if (flushers_ > 0 || closed_ || due <= now) {
        Seal(queue, /*wake_sender=*/false);  // This drain takes it.
      } else {
        *wake = std::min(*wake, due);
      }
    }
    int in_flight = 0;
    PartitionSequence::Gate gate = PartitionSequence::Gate::kOpen;
    if (idempotent_) gate = PrepareSequence(queue, &in_flight);
    size_t plan_index = SIZE_MAX;
    for (auto& owned : queue->queue) {
      ProducerBatch* batch = owned.get();
      if (batch->state != ProducerBatch::State::kReady) continue;
      if (batch->retry_at > now) {  // Head of line waits for its retry: nothing newer goes.
        *wake = std::min(*wake, batch->retry_at);
        break;
      }
      const size_t size = batch->bytes.empty() ? batch->builder.size_bytes() : batch->bytes.size();
      if (current_bytes > 0 && current_bytes + size > kMaxRequestBytes) {
        work->requests.push_back(std::move(current));
        current = RequestPlan();
        current_bytes = 0;
        plan_index = SIZE_MAX;
        if (static_cast<int>(work->requests.size()) == budget) break;
      }
      // Stamped only once it surely goes in this drain.
      const Step step = idempotent_ ? Sequence(queue, batch, in_flight, gate) : Step::kSend;
      if (step == Step::kStop) break;
      if (step == Step::kSkip) continue;
      if (plan_index == SIZE_MAX) {
        current.partitions.push_back(PartitionPlan{queue, {}});
        plan_index = current.partitions.size() - 1;
      }
      current.partitions[plan_index].batches.push_back(batch);
      batch->state = ProducerBatch::State::kInFlight;
      ++batch->attempts;
      ++in_flight;
      current_bytes += size;
      if (step == Step::kSendAlone) break;
    }
    if (idempotent_) PopSettled(queue);  // Batches that failed waiting for a producer id.
    if (static_cast<int>(work->requests.size()) == budget) break;
  }
  if (!current.partitions.empty()) work->requests.push_back(std::move(current));
  in_flight_requests_ += static_cast<int>(work->requests.size());
  drain_cursor_ = start + 1;
}

PartitionSequence::Gate RecordAccumulator::PrepareSequence(PartitionQueue* queue, int* in_flight) {
  bool ready = false;
  bool unresolved = false;  // A batch that may be in the log waits to be retried.
  for (const auto& batch : queue->queue) {
    if (batch->state == ProducerBatch::State::kInFlight) ++*in_flight;
    if (batch->state != ProducerBatch::State::kReady) continue;
    ready = true;
    unresolved |= batch->maybe_appended && queue->sequence.Holds(batch->stamp);
  }
  if (!ready) return PartitionSequence::Gate::kWait;  // Nothing to send: no id wanted.
  const PartitionSequence::Gate gate =
      queue->sequence.Prepare(producer_ids_.current(), *in_flight == 0 && !unresolved);
  if (gate == PartitionSequence::Gate::kNeedNewId) producer_ids_.Want();
  return gate;
}

RecordAccumulator::Step RecordAccumulator::Sequence(PartitionQueue* queue, ProducerBatch* batch,
                                                    int in_flight, PartitionSequence::Gate gate) {
  PartitionSequence& sequence = queue->sequence;
  if (sequence.Holds(batch->stamp)) {  // A retry under the partition's id keeps its stamp.
    if (in_flight > 0) return Step::kStop;
    // Refused by a broken sequence: it is stamped anew under the next id.
    if (sequence.broken() && !batch->maybe_appended) return Step::kSkip;
    return Step::kSendAlone;
  }
  const bool restamp = batch->stamp.has_producer();  // Refused under an older id.
  if (gate != PartitionSequence::Gate::kOpen) {
    if (gate == PartitionSequence::Gate::kNeedNewId && !producer_ids_.fatal().ok()) {
      Fail(batch, producer_ids_.fatal());
      return Step::kSkip;
    }
    return restamp ? Step::kSkip : Step::kStop;
  }
  if (in_flight >= (restamp ? 1 : sequence.in_flight_limit())) return Step::kStop;
  batch->stamp = sequence.Next(batch->record_count);
  batch->maybe_appended = false;
  return restamp ? Step::kSendAlone : Step::kSend;
}

void RecordAccumulator::Expire(Clock::time_point now, Clock::time_point* wake) {
  Clock::time_point earliest = Clock::time_point::max();
  for (PartitionQueue* queue : all_partitions_) {
    if (queue->open) {
      if (queue->open->created + options_.delivery_timeout <= now) {
        Seal(queue);
      } else {
        earliest = std::min(earliest, queue->open->created + options_.delivery_timeout);
      }
    }
    for (auto& batch : queue->queue) {
      if (batch->state != ProducerBatch::State::kReady) continue;
      const Clock::time_point due = batch->created + options_.delivery_timeout;
      if (due <= now) {
        Fail(batch.get(), TimedOut(*batch));
      } else {
        earliest = std::min(earliest, due);
      }
    }
    PopSettled(queue);
  }
  for (auto& [name, topic] : topics_) {
    while (!topic->waiting.empty() &&
           topic->waiting.front().created + options_.delivery_timeout <= now) {
      WaitingRecord& w = topic->waiting.front();
      absl::Status status =
          MakeError(ErrorCode::kRequestTimedOut,
                    fmt::format("the partitions of topic '{}' could not be learned within "
                                "delivery_timeout ({} ms){}",
                                topic->name, options_.delivery_timeout.count(),
                                connect_error_.ok()
                                    ? std::string()
                                    : fmt::format("; last error: {}", MessageOf(connect_error_))));
      FailRecord(std::move(w.callback), w.bytes, w.epoch, std::move(status));
      RemoveUnit(w.epoch);
      topic->waiting.pop_front();
    }
    if (!topic->waiting.empty()) {
      earliest = std::min(earliest, topic->waiting.front().created + options_.delivery_timeout);
    }
  }
  // Scan again at the earliest deadline, but not more often than every 10 ms.
  next_expiry_check_ = earliest == Clock::time_point::max()
                           ? earliest
                           : std::max(earliest, now + std::chrono::milliseconds(10));
  *wake = std::min(*wake, next_expiry_check_);
}

absl::Status RecordAccumulator::TimedOut(const ProducerBatch& batch) const {
  const absl::Status& last = batch.last_error.ok() ? connect_error_ : batch.last_error;
  return MakeError(
      ErrorCode::kRequestTimedOut,
      fmt::format("{} record(s) for {}-{} were not delivered within delivery_timeout ({} ms){}",
                  batch.record_count, batch.queue->topic->name, batch.queue->partition,
                  options_.delivery_timeout.count(),
                  last.ok() ? std::string() : fmt::format("; last error: {}", MessageOf(last))));
}

Clock::duration RecordAccumulator::Backoff(int32_t attempts) const {
  return ExponentialBackoff(options_.retry_backoff, options_.retry_backoff_max, attempts);
}

// ---- Settling (I/O thread) --------------------------------------------------------------------

void RecordAccumulator::Settle(ProducerBatch* batch, absl::Status status, Clock::time_point now) {
  if (status.ok()) {
    batch->state = ProducerBatch::State::kDone;
    if (batch->stamp.has_producer()) batch->queue->sequence.Acknowledged(batch->stamp);
    return;
  }
  const ErrorCode code = CodeOf(status);
  if (code == ErrorCode::kUnknownTopicOrPartition) batch->queue->topic->refresh_metadata = true;
  bool retriable = IsRetriable(code);
  if (batch->stamp.has_producer()) {
    PartitionSequence& sequence = batch->queue->sequence;
    const Verdict verdict = Classify(code, FirstPending(batch), sequence);
    retriable = verdict != Verdict::kFail;
    batch->maybe_appended = verdict == Verdict::kRetryAsStamped;
    if (verdict == Verdict::kRetryUnderNewId) sequence.Break();
    if (!retriable) {
      status = IdempotenceError(status, batch->stamp, batch->queue->topic->name,
                                batch->queue->partition);
    }
  }
  if (retriable && !closed_ && batch->attempts <= options_.retries) {
    if (options_.on_retry) options_.on_retry(status);
    const Clock::time_point retry_at = now + Backoff(batch->attempts);
    batch->last_error = std::move(status);
    if (retry_at < batch->created + options_.delivery_timeout) {
      batch->state = ProducerBatch::State::kReady;
      batch->retry_at = retry_at;
      return;
    }
    Fail(batch, TimedOut(*batch));
    return;
  }
  Fail(batch, std::move(status));
}

void RecordAccumulator::Fail(ProducerBatch* batch, absl::Status status) {
  batch->state = ProducerBatch::State::kDone;
  batch->status = std::move(status);
  PartitionSequence& sequence = batch->queue->sequence;
  if (batch->stamp.has_producer() && sequence.Holds(batch->stamp)) sequence.Break();
}

bool RecordAccumulator::FirstPending(const ProducerBatch* batch) {
  for (const auto& earlier : batch->queue->queue) {
    if (earlier.get() == batch) return true;
    if (earlier->state != ProducerBatch::State::kDone || !earlier->status.ok()) return false;
  }
  return true;
}

void RecordAccumulator::PopSettled(PartitionQueue* queue) {
  while (!queue->queue.empty() && queue->queue.front()->state == ProducerBatch::State::kDone) {
    completions_.push_back(std::move(queue->queue.front()));
    queue->queue.pop_front();
  }
}

void RecordAccumulator::OnProduceResponse(RequestPlan plan,
                                          absl::StatusOr<Reply<ProduceResponse>> response) {
  {
    MutexLock lock(&mu_);
    const Clock::time_point now = Clock::now();
    --in_flight_requests_;
    bool any_error = false;
    for (PartitionPlan& part : plan.partitions) {
      const std::string& topic = part.queue->topic->name;
      const int32_t partition = part.queue->partition;
      const ProduceResponse::Partition* result = nullptr;
      if (response.ok()) {
        for (const auto& t : response->message.topics) {
          if (t.name != topic) continue;
          for (const auto& p : t.partitions) {
            if (p.partition == partition) result = &p;
          }
        }
      }
      absl::Status status =
          !response.ok()      ? response.status()
          : result == nullptr ? MakeError(ErrorCode::kUnknownServerError,
                                          fmt::format("the Produce response has no result for "
                                                      "{}-{}",
                                                      topic, partition))
          : result->error_code != ErrorCode::kNone
              ? MakeError(result->error_code, result->error_message.value_or(std::string(
                                                  ErrorDescription(result->error_code))))
              : absl::OkStatus();
      int64_t base = status.ok() ? result->base_offset : -1;
      for (ProducerBatch* batch : part.batches) {
        if (status.ok()) {
          batch->base_offset = base;
          if (base >= 0) base += batch->record_count;
        }
        Settle(batch, status, now);
      }
      PopSettled(part.queue);
      any_error |= !status.ok();
    }
    // An error may need a metadata refresh at once; else only sendable batches matter.
    if (any_error) {
      WakeSender(Clock::time_point::min());
    } else {
      WakeSenderIfSendable();
    }
  }
  RunCompletions();
}

void RecordAccumulator::OnWritten(RequestPlan plan, absl::Status status) {
  {
    MutexLock lock(&mu_);
    const Clock::time_point now = Clock::now();
    --in_flight_requests_;
    for (PartitionPlan& part : plan.partitions) {
      for (ProducerBatch* batch : part.batches) Settle(batch, status, now);  // Offsets stay -1.
      PopSettled(part.queue);
    }
    if (status.ok()) {
      WakeSenderIfSendable();
    } else {
      WakeSender(Clock::time_point::min());
    }
  }
  RunCompletions();
}

void RecordAccumulator::OnMetadata(std::vector<std::string> topics,
                                   absl::StatusOr<Reply<MetadataResponse>> response) {
  {
    MutexLock lock(&mu_);
    const Clock::time_point now = Clock::now();
    for (const std::string& name : topics) {
      TopicState* topic = TopicFor(name);
      topic->metadata_in_flight = false;
      const MetadataResponse::Topic* found = nullptr;
      if (response.ok()) {
        for (const auto& t : response->message.topics) {
          if (t.name == name) found = &t;
        }
      }
      absl::Status status =
          !response.ok() ? response.status()
          : found == nullptr || found->error_code == ErrorCode::kUnknownTopicOrPartition
              ? MakeError(ErrorCode::kUnknownTopicOrPartition,
                          fmt::format("topic '{}' does not exist", name))
          : found->error_code != ErrorCode::kNone
              ? MakeError(found->error_code, ErrorDescription(found->error_code))
              : absl::OkStatus();
      if (status.ok() && !found->partitions.empty()) {
        topic->metadata_attempts = 0;
        SetPartitionCount(topic, static_cast<int32_t>(found->partitions.size()));
        ReplayWaiting(topic);
        continue;
      }
      if (status.ok()) {
        status = MakeError(ErrorCode::kUnknownTopicOrPartition,
                           fmt::format("topic '{}' has no partitions", name));
      }
      if (IsRetriable(CodeOf(status)) && !closed_) {
        topic->metadata_retry_at = now + Backoff(++topic->metadata_attempts);
        connect_error_ = status;
        continue;  // The waiting records stay, bounded by delivery_timeout.
      }
      if (topic->partition_count >= 0) continue;  // A refresh failed: keep the known count.
      while (!topic->waiting.empty()) {
        WaitingRecord& w = topic->waiting.front();
        FailRecord(std::move(w.callback), w.bytes, w.epoch, status);
        RemoveUnit(w.epoch);
        topic->waiting.pop_front();
      }
    }
    WakeSender(Clock::time_point::min());
  }
  RunCompletions();
}

void RecordAccumulator::OnProducerId(absl::StatusOr<Reply<InitProducerIdResponse>> response) {
  MutexLock lock(&mu_);
  absl::StatusOr<ProducerIdentity> answer;
  if (!response.ok()) {
    answer = response.status();
  } else if (response->message.producer_id < 0) {
    answer = MakeError(ErrorCode::kUnknownServerError,
                       fmt::format("the broker answered InitProducerId with producer id {}",
                                   response->message.producer_id));
  } else {
    answer = ProducerIdentity{ProducerId(response->message.producer_id),
                              ProducerEpoch(response->message.producer_epoch)};
  }
  if (!answer.ok()) connect_error_ = answer.status();  // For the messages of timeouts.
  producer_ids_.OnAnswer(std::move(answer),
                         Clock::now() + Backoff(producer_ids_.attempts() + 1));
  WakeSender(Clock::time_point::min());
}

// ---- Completions ------------------------------------------------------------------------------

bool RecordAccumulator::NeedsCompletionPost() {
  if (completions_.empty() || completions_posted_) return false;
  completions_posted_ = true;
  return true;
}

void RecordAccumulator::PostCompletions() {
  post_([this] { RunCompletions(); });
}

void RecordAccumulator::RunCompletions() {
  for (;;) {
    std::vector<std::unique_ptr<ProducerBatch>> done;
    {
      MutexLock lock(&mu_);
      completions_posted_ = false;
      done.swap(completions_);
    }
    if (done.empty()) return;
    for (const auto& batch : done) {
      if (batch->callbacks.empty()) continue;
      if (!batch->status.ok()) {
        for (const auto& cb : batch->callbacks) cb.fn(batch->status);
        continue;
      }
      RecordMetadata metadata;
      metadata.topic = batch->queue->topic->name;
      metadata.partition = batch->queue->partition;
      for (const auto& cb : batch->callbacks) {
        metadata.offset = batch->base_offset < 0 ? -1 : batch->base_offset + cb.index;
        metadata.timestamp_ms = cb.timestamp_ms;
        cb.fn(metadata);
      }
    }
    MutexLock lock(&mu_);
    for (const auto& batch : done) {
      if (!batch->status.ok() && first_error_.ok()) first_error_ = batch->status;
      buffered_bytes_ -= batch->reserved_bytes;
      RemoveUnit(batch->epoch);
    }
    space_cv_.SignalAll();
    if (closed_) sender_cv_.SignalAll();  // The sender stops once nothing is left.
  }
}

}  // namespace brook::client
