// The `rebalance` workload: how long a group takes to hand a leaving member's partitions to the
// members that stay. --consumers - 1 members stay in the group for the whole run, polling; then,
// --rebalances times, one more member joins, waits until the group has given it partitions, and
// leaves with Close(). Each sample is the time from the start of Close() to the moment the
// staying members' on_assigned callbacks (run inside their Poll, right before they fetch the
// new partitions' committed offsets and records) together cover every partition again.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/workload.h"
#include "client/consumer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"

namespace brook::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Which member owns which partitions, as the members' rebalance callbacks report it.
class Ownership {
 public:
  explicit Ownership(size_t partitions) : partitions_(partitions) {}

  Consumer::RebalanceCallbacks CallbacksFor(int member) {
    Consumer::RebalanceCallbacks callbacks;
    callbacks.on_assigned = [this, member](const std::vector<TopicPartition>& assigned) {
      Update([&](std::set<TopicPartition>& owned) { owned.insert(assigned.begin(), assigned.end()); },
             member);
    };
    auto drop = [this, member](const std::vector<TopicPartition>& revoked) {
      Update([&](std::set<TopicPartition>& owned) {
               for (const TopicPartition& tp : revoked) owned.erase(tp);
             },
             member);
    };
    callbacks.on_revoked = drop;
    callbacks.on_lost = drop;
    return callbacks;
  }

  // Waits until `members` own every partition between them and, if `must_own` >= 0, that member
  // owns at least one. Returns the time of the callback that made it so, or nullopt at
  // `deadline`.
  std::optional<Clock::time_point> WaitCovered(const std::vector<int>& members, int must_own,
                                               Clock::time_point deadline) {
    std::unique_lock lock(mu_);
    const bool done = changed_.wait_until(lock, deadline, [&] {
      if (must_own >= 0 && owned_[must_own].empty()) return false;
      std::set<TopicPartition> all;
      for (int member : members) all.insert(owned_[member].begin(), owned_[member].end());
      return all.size() == partitions_;
    });
    if (!done) return std::nullopt;
    return last_change_;
  }

 private:
  template <class Fn>
  void Update(Fn fn, int member) {
    std::lock_guard lock(mu_);
    fn(owned_[member]);
    last_change_ = Clock::now();
    changed_.notify_all();
  }

  const size_t partitions_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<int, std::set<TopicPartition>> owned_;
  Clock::time_point last_change_;
};

ConsumerOptions MemberOptions(const std::string& bootstrap, const std::string& group,
                              const WorkloadOptions& options, int index) {
  ConsumerOptions co;
  co.bootstrap = bootstrap;
  co.client_id = fmt::format("brook-bench-member-{}", index);
  co.group_id = group;
  co.assignor = options.assignor;
  co.auto_offset_reset = OffsetReset::kLatest;
  co.enable_auto_commit = false;
  return co;
}

// A member polling on its own thread until Stop(); Stop() closes it (leaving the group).
class PollingMember {
 public:
  explicit PollingMember(std::unique_ptr<Consumer> consumer) : consumer_(std::move(consumer)) {
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        absl::StatusOr<ConsumerRecords> records = consumer_->Poll(std::chrono::milliseconds(50));
        if (!records.ok()) {
          std::lock_guard lock(mu_);
          if (error_.empty()) error_ = std::string(MessageOf(records.status()));
        }
      }
      close_started_ = Clock::now();
      consumer_->Close();
    });
  }
  ~PollingMember() { Stop(); }

  // Returns when Close() has started, with the time it started.
  Clock::time_point Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return close_started_;
  }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::unique_ptr<Consumer> consumer_;
  std::atomic<bool> stop_{false};
  Clock::time_point close_started_;
  std::mutex mu_;
  std::string error_;
  std::thread thread_;
};

absl::StatusOr<std::unique_ptr<PollingMember>> StartMember(const std::string& bootstrap,
                                                           const std::string& topic,
                                                           const std::string& group,
                                                           const WorkloadOptions& options,
                                                           int index, Ownership& ownership) {
  absl::StatusOr<std::unique_ptr<Consumer>> consumer =
      Consumer::Create(MemberOptions(bootstrap, group, options, index));
  if (!consumer.ok()) return consumer.status();
  if (absl::Status s = (*consumer)->Subscribe({topic}, ownership.CallbacksFor(index)); !s.ok()) {
    return s;
  }
  return std::make_unique<PollingMember>(*std::move(consumer));
}

}  // namespace

absl::StatusOr<std::vector<double>> RunRebalance(const std::string& bootstrap,
                                                 const std::string& topic,
                                                 const WorkloadOptions& options, int rebalances) {
  const std::string group = fmt::format("{}-group", topic);
  Ownership ownership(static_cast<size_t>(options.partitions));
  std::vector<std::unique_ptr<PollingMember>> staying;
  std::vector<int> staying_ids;
  for (int i = 0; i < std::max(1, options.consumers - 1); ++i) {
    absl::StatusOr<std::unique_ptr<PollingMember>> member =
        StartMember(bootstrap, topic, group, options, i, ownership);
    if (!member.ok()) return member.status();
    staying.push_back(*std::move(member));
    staying_ids.push_back(i);
  }
  const auto minute = [] { return Clock::now() + std::chrono::seconds(60); };
  if (!ownership.WaitCovered(staying_ids, -1, minute())) {
    return absl::InternalError("the staying members never owned every partition");
  }
  std::vector<double> samples;
  for (int round = 0; round < rebalances; ++round) {
    const int id = 1000 + round;
    absl::StatusOr<std::unique_ptr<PollingMember>> leaving =
        StartMember(bootstrap, topic, group, options, id, ownership);
    if (!leaving.ok()) return leaving.status();
    std::vector<int> everyone = staying_ids;
    everyone.push_back(id);
    if (!ownership.WaitCovered(everyone, id, minute())) {
      return absl::InternalError(fmt::format("round {}: the new member got no partition", round));
    }
    const Clock::time_point close_started = (*leaving)->Stop();
    const std::optional<Clock::time_point> covered =
        ownership.WaitCovered(staying_ids, -1, minute());
    if (!covered) {
      return absl::InternalError(fmt::format("round {}: partitions were not handed over", round));
    }
    const std::chrono::duration<double, std::milli> handover = *covered - close_started;
    samples.push_back(handover.count());
    fmt::print(stderr, "rebalance {}/{}: {:.1f} ms\n", round + 1, rebalances, handover.count());
  }
  for (auto& member : staying) {
    if (std::string error = member->error(); !error.empty()) {
      return absl::InternalError(fmt::format("a staying member failed: {}", error));
    }
  }
  return samples;
}

}  // namespace brook::bench
