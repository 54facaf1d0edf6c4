#include "client/record_processor.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "client/group_member.h"
#include "protocol/error_codes.h"
#include "protocol/messages.h"

namespace brook {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// The least wait before a failed dead-letter request is sent again (the broker may be down).
constexpr milliseconds kDeadLetterRetryFloor(100);

int64_t WallMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Errors a later round may not see again: the broker restarting, a rebalance.
bool IsTransient(const absl::Status& status) {
  return IsRetriable(CodeOf(status)) || client::IsGroupFenceError(CodeOf(status));
}

}  // namespace

class RecordProcessor::Impl {
 public:
  Impl(Options options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  absl::Status Start() {
    options_.consumer.enable_auto_commit = false;
    absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Create(options_.consumer);
    if (!consumer.ok()) return consumer.status();
    consumer_ = *std::move(consumer);
    next_commit_ = Clock::now() + options_.commit_interval;
    Consumer::RebalanceCallbacks callbacks;
    callbacks.on_revoked = [this](const std::vector<TopicPartition>& partitions) {
      (void)CommitHandled(partitions);  // Best effort: a fenced member's commit fails.
      Forget(partitions);
    };
    callbacks.on_lost = [this](const std::vector<TopicPartition>& partitions) {
      Forget(partitions);
    };
    return consumer_->Subscribe(options_.topics, std::move(callbacks));
  }

  absl::Status RunOnce(milliseconds max_wait) {
    if (closed_) return MakeError(ErrorCode::kInvalidRequest, "the processor is closed");
    absl::StatusOr<ConsumerRecords> records = consumer_->Poll(WaitBudget(max_wait));
    if (!records.ok()) return records.status();
    if (!records->empty()) {
      auto batch = std::make_shared<const ConsumerRecords>(*std::move(records));
      for (size_t i = 0; i < batch->size(); ++i) {
        const ConsumerRecord& r = (*batch)[i];
        work_[{std::string(r.topic), PartitionId(r.partition)}].queue.push_back({batch, i});
      }
    }
    for (auto& [tp, work] : work_) {
      if (absl::Status s = Handle(tp, work); !s.ok()) return s;
    }
    if (Clock::now() < next_commit_) return absl::OkStatus();
    next_commit_ = Clock::now() + options_.commit_interval;
    absl::Status committed = CommitHandled(consumer_->Assignment());
    return IsTransient(committed) ? absl::OkStatus() : committed;
  }

  absl::Status Run(std::stop_token stop) {
    while (!stop.stop_requested()) {
      absl::Status status = RunOnce(milliseconds(100));
      if (status.ok()) continue;
      if (!IsTransient(status)) return status;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return absl::OkStatus();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    (void)CommitHandled(consumer_->Assignment());
    consumer_->Close();  // Revokes (committing again: nothing new) and leaves.
  }

  ProcessorStats stats() const { return stats_; }
  Consumer& consumer() { return *consumer_; }

 private:
  // A fetched record waiting its turn; `batch` keeps the bytes it views alive.
  struct Pending {
    std::shared_ptr<const ConsumerRecords> batch;
    size_t index = 0;
    const ConsumerRecord& record() const { return (*batch)[index]; }
  };
  // One partition's records in line, and the state of the first one.
  struct PartitionWork {
    std::deque<Pending> queue;
    int failures = 0;  // Failed attempts of the first record.
    int64_t first_failure_ms = 0;
    int64_t last_failure_ms = 0;
    std::string reason;
    bool give_up = false;      // The first record goes to the dead-letter topic.
    bool paused = false;       // Waiting for ready_at, paused in the consumer.
    Clock::time_point ready_at{};
    std::optional<int64_t> handled_up_to;  // The offset after the last record handled...
    std::optional<int64_t> committed;      // ...and the last one committed.
  };

  // How long the next Poll may wait: not past a backoff that ends sooner, and not at all
  // while a partition has records due.
  milliseconds WaitBudget(milliseconds max_wait) const {
    const Clock::time_point now = Clock::now();
    Clock::duration wait = max_wait;
    for (const auto& [tp, work] : work_) {
      if (work.queue.empty()) continue;
      wait = std::min<Clock::duration>(wait, work.paused ? work.ready_at - now
                                                         : Clock::duration::zero());
    }
    return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(wait));
  }

  // Handles the partition's due records in order, until one must wait.
  absl::Status Handle(const TopicPartition& tp, PartitionWork& work) {
    if (work.paused) {
      if (Clock::now() < work.ready_at) return absl::OkStatus();
      work.paused = false;
      (void)consumer_->Resume({tp});  // Fails only if tp was revoked meanwhile: harmless.
    }
    while (!work.queue.empty()) {
      const ConsumerRecord& record = work.queue.front().record();
      if (!work.give_up) {
        const RecordOutcome outcome = Invoke(record);
        if (outcome.kind() == RecordOutcome::Kind::kSuccess) {
          ++stats_.succeeded;
          Done(work, record.offset);
          continue;
        }
        ++stats_.failed_attempts;
        const int64_t now_ms = WallMs();
        if (work.failures++ == 0) work.first_failure_ms = now_ms;
        work.last_failure_ms = now_ms;
        work.reason = outcome.reason().substr(0, kMaxDeadLetterReasonBytes);
        work.give_up = outcome.kind() == RecordOutcome::Kind::kPermanent ||
                       work.failures >= options_.retry.max_attempts ||
                       (options_.retry.is_permanent && options_.retry.is_permanent(work.reason));
        if (!work.give_up) {
          Wait(tp, work, options_.retry.BackoffAfter(work.failures));
          return absl::OkStatus();
        }
      }
      absl::StatusOr<DeadLettered> sent = consumer_->DeadLetter(
          record, {work.reason, work.failures, work.first_failure_ms, work.last_failure_ms});
      if (CodeOf(sent.status()) == ErrorCode::kOffsetOutOfRange) {
        // Compaction or retention removed the record meanwhile: nothing is left to park.
        ++stats_.gone;
        Done(work, record.offset);
        continue;
      }
      if (!sent.ok()) {
        Wait(tp, work, std::max(options_.retry.initial_backoff, kDeadLetterRetryFloor));
        return IsTransient(sent.status()) ? absl::OkStatus() : sent.status();
      }
      ++stats_.dead_lettered;
      work.committed = record.offset + 1;  // The broker committed it with the copy.
      Done(work, record.offset);
    }
    return absl::OkStatus();
  }

  RecordOutcome Invoke(const ConsumerRecord& record) {
    try {
      return handler_(record);
    } catch (const std::exception& e) {
      return RecordOutcome::Retry(e.what());
    } catch (...) {
      return RecordOutcome::Retry("the handler threw a non-standard exception");
    }
  }

  // The first record is finished with: the next one is up, with a clean slate.
  static void Done(PartitionWork& work, int64_t offset) {
    work.handled_up_to = offset + 1;
    work.queue.pop_front();
    work.failures = 0;
    work.reason.clear();
    work.give_up = false;
  }

  void Wait(const TopicPartition& tp, PartitionWork& work, milliseconds backoff) {
    work.ready_at = Clock::now() + backoff;
    if (!work.paused) (void)consumer_->Pause({tp});
    work.paused = true;
  }

  // Commits the handled offsets of `partitions` that moved since their last commit.
  absl::Status CommitHandled(const std::vector<TopicPartition>& partitions) {
    std::vector<std::pair<TopicPartition, int64_t>> offsets;
    for (const TopicPartition& tp : partitions) {
      auto it = work_.find(tp);
      if (it == work_.end() || !it->second.handled_up_to ||
          it->second.handled_up_to == it->second.committed) {
        continue;
      }
      offsets.emplace_back(tp, *it->second.handled_up_to);
    }
    if (offsets.empty()) return absl::OkStatus();
    absl::Status status = consumer_->Commit(offsets);
    if (!status.ok()) return status;
    for (const auto& [tp, offset] : offsets) work_[tp].committed = offset;
    return absl::OkStatus();
  }

  void Forget(const std::vector<TopicPartition>& partitions) {
    for (const TopicPartition& tp : partitions) work_.erase(tp);
  }

  Options options_;
  Handler handler_;
  std::unique_ptr<Consumer> consumer_;
  std::map<TopicPartition, PartitionWork> work_;
  Clock::time_point next_commit_;
  ProcessorStats stats_;
  bool closed_ = false;
};

absl::StatusOr<std::unique_ptr<RecordProcessor>> RecordProcessor::Create(Options options,
                                                                         Handler handler) {
  auto invalid = [](std::string_view what) {
    return MakeError(ErrorCode::kInvalidRequest, std::string(what));
  };
  if (options.consumer.group_id.empty()) return invalid("a RecordProcessor needs a group_id");
  if (options.topics.empty()) return invalid("a RecordProcessor needs at least one topic");
  if (!handler) return invalid("a RecordProcessor needs a handler");
  if (options.commit_interval <= milliseconds(0)) {
    return invalid("commit_interval must be positive");
  }
  if (absl::Status s = options.retry.Validate(); !s.ok()) return s;
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  if (absl::Status s = impl->Start(); !s.ok()) return s;
  return std::unique_ptr<RecordProcessor>(new RecordProcessor(std::move(impl)));
}

RecordProcessor::RecordProcessor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordProcessor::~RecordProcessor() { Close(); }
absl::Status RecordProcessor::RunOnce(milliseconds max_wait) { return impl_->RunOnce(max_wait); }
absl::Status RecordProcessor::Run(std::stop_token stop) { return impl_->Run(std::move(stop)); }
void RecordProcessor::Close() { impl_->Close(); }
ProcessorStats RecordProcessor::stats() const { return impl_->stats(); }
Consumer& RecordProcessor::consumer() { return impl_->consumer(); }

}  // namespace brook
