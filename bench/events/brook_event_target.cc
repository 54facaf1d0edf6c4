// EventTarget over brook's own event-store client (client/event_store.h).
#include <chrono>
#include <vector>

#include "bench/events/event_target.h"
#include "client/event_store.h"

namespace brook::bench {
namespace {

std::vector<EventToAppend> Events(int count, std::string_view data) {
  std::vector<EventToAppend> events(static_cast<size_t>(count));
  for (EventToAppend& event : events) {
    event.type = "Deposited";
    event.data = std::string(data);
  }
  return events;
}

absl::Status StatusOf(const absl::StatusOr<AppendResult>& appended) {
  if (ActualRevisionOf(appended.status())) {
    return absl::FailedPreconditionError(appended.status().message());
  }
  return appended.status();
}

class BrookEventTarget final : public EventTarget {
 public:
  explicit BrookEventTarget(std::unique_ptr<EventStore> store) : store_(std::move(store)) {}

  absl::Status Append(std::string_view stream, int64_t expected, int count,
                      std::string_view data) override {
    return StatusOf(store_->Append(stream, expected < 0 ? kExpectNoStream : expected,
                                   Events(count, data)));
  }

  bool pipelines() const override { return true; }
  void AppendAsync(std::string_view stream, int64_t expected, int count, std::string_view data,
                   absl::AnyInvocable<void(absl::Status) &&> done) override {
    store_->AppendAsync(stream, expected < 0 ? kExpectNoStream : expected, Events(count, data),
                        [done = std::move(done)](absl::StatusOr<AppendResult> appended) mutable {
                          std::move(done)(StatusOf(appended));
                        });
  }

  absl::StatusOr<int> ReadStream(std::string_view stream, int limit) override {
    absl::StatusOr<EventPage> page = store_->ReadStream(stream, 0, limit);
    if (!page.ok()) return page.status();
    return static_cast<int>(page->events.size());
  }

  // Through a subscription, as a projection catching up on $all reads (it reads ahead).
  absl::StatusOr<int> ReadAll(int64_t* cursor, int limit) override {
    if (!subscription_ || subscription_->position() != *cursor) {
      absl::StatusOr<std::unique_ptr<Subscription>> started = store_->Subscribe(
          {.from = *cursor, .batch = limit, .max_wait = std::chrono::milliseconds(0)});
      if (!started.ok()) return started.status();
      subscription_ = *std::move(started);
    }
    absl::StatusOr<std::vector<StoredEvent>> events = subscription_->Next();
    if (!events.ok()) return events.status();
    *cursor = subscription_->position();
    return static_cast<int>(events->size());
  }

 private:
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Subscription> subscription_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<EventTarget>> ConnectBrookEvents(const std::string& bootstrap,
                                                                int acks,
                                                                const std::string& store) {
  absl::StatusOr<std::unique_ptr<EventStore>> connected = EventStore::Create(
      {.bootstrap = bootstrap, .client_id = "brook-bench-events", .store = store,
       .acks = static_cast<int16_t>(acks)});
  if (!connected.ok()) return connected.status();
  return std::make_unique<BrookEventTarget>(*std::move(connected));
}

}  // namespace brook::bench
