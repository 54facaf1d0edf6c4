#include "client/record_accumulator.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "protocol/absl_compat.h"

namespace brook::client {
namespace {

using std::chrono::milliseconds;

// An accumulator whose "I/O thread" is whoever calls: completions run inline.
struct Fixture {
  explicit Fixture(ProducerOptions o = Options())
      : options(o),
        accumulator(
            options, [](absl::AnyInvocable<void()> fn) { fn(); }, [] { return false; }) {}

  // Batching and retries without idempotence; the idempotent cases below turn it on.
  static ProducerOptions Options() {
    ProducerOptions o;
    o.idempotence = false;
    o.linger = milliseconds(20);
    o.batch_size = 400;  // Two 100-byte records fit; a third does not.
    o.retry_backoff = milliseconds(30);
    o.retry_backoff_max = milliseconds(30);
    return o;
  }

  // Declares `topic` with `partitions` partitions, as the Metadata answer would.
  void Topic(const std::string& topic, int partitions) {
    MetadataResponse response;
    MetadataResponse::Topic t{ErrorCode::kNone, topic, {}, {}};
    for (int p = 0; p < partitions; ++p) t.partitions.push_back({p, ErrorCode::kNone, 0, 0});
    response.topics.push_back(t);
    accumulator.OnMetadata({topic}, Reply<MetadataResponse>{nullptr, response});
  }

  // The sender's loop: takes work and, having "sent" it, lets the next drain happen.
  RecordAccumulator::Work Next() {
    RecordAccumulator::Work work = accumulator.NextWork([] { return true; });
    if (!work.requests.empty()) accumulator.DoneSending();
    return work;
  }

  // Answers InitProducerId with `id`, epoch 0.
  void ProducerIdIs(int64_t id) {
    accumulator.OnProducerId(Reply<InitProducerIdResponse>{nullptr, {id, 0}});
  }

  // Answers a plan: every partition OK from `base`, or `error` for all.
  void Answer(RequestPlan plan, ErrorCode error = ErrorCode::kNone, int64_t base = 0) {
    ProduceResponse response;
    for (const PartitionPlan& part : plan.partitions) {
      response.topics.push_back({part.queue->topic->name,
                                 {{part.queue->partition, error, std::nullopt,
                                   error == ErrorCode::kNone ? base : -1, 0}}});
    }
    accumulator.OnProduceResponse(std::move(plan), Reply<ProduceResponse>{nullptr, response});
  }

  ProducerOptions options;
  RecordAccumulator accumulator;
};

const std::string kValue(100, 'v');

TEST_CASE("records of an unknown topic wait for Metadata, then join a batch") {
  Fixture f;
  std::vector<int64_t> offsets;
  f.accumulator.Append(
      {.topic = "t", .partition = 0, .value = kValue},
      [&](const absl::StatusOr<RecordMetadata>& r) { offsets.push_back(r->offset); });
  RecordAccumulator::Work work = f.Next();
  CHECK(work.metadata_topics == std::vector<std::string>{"t"});
  CHECK(work.requests.empty());
  f.Topic("t", 1);
  work = f.Next();  // After linger.
  REQUIRE(work.requests.size() == 1);
  REQUIRE(work.requests[0].partitions.size() == 1);
  CHECK(work.requests[0].partitions[0].batches[0]->record_count == 1);
  f.Answer(std::move(work.requests[0]), ErrorCode::kNone, 41);
  CHECK(offsets == std::vector<int64_t>{41});
}

ProducerOptions WithLinger(milliseconds linger) {
  ProducerOptions o = Fixture::Options();
  o.linger = linger;
  return o;
}
// Timing margins are wide (200 ms linger) so that slow sanitizer builds pass too.
constexpr milliseconds kLongLinger{200};

TEST_CASE("an open batch lingers; a full one is sent at once") {
  Fixture f(WithLinger(kLongLinger));
  f.Topic("t", 2);
  f.accumulator.Append({.topic = "t", .partition = 0, .value = kValue}, {});
  auto start = std::chrono::steady_clock::now();
  RecordAccumulator::Work work = f.Next();
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(150));
  REQUIRE(work.requests.size() == 1);
  f.Answer(std::move(work.requests[0]));

  // A third record overflows the batch: the first two are sealed without lingering.
  for (int i = 0; i < 3; ++i)
    f.accumulator.Append({.topic = "t", .partition = 1, .value = kValue}, {});
  start = std::chrono::steady_clock::now();
  work = f.Next();
  CHECK(std::chrono::steady_clock::now() - start < milliseconds(150));
  REQUIRE(work.requests.size() == 1);
  CHECK(work.requests[0].partitions[0].batches[0]->record_count == 2);
  f.Answer(std::move(work.requests[0]));
  work = f.Next();  // The third, after linger.
  REQUIRE(work.requests.size() == 1);
  f.Answer(std::move(work.requests[0]));
}

TEST_CASE("with linger 0 the appending thread takes its record's request itself") {
  Fixture f(WithLinger(milliseconds(0)));
  f.Topic("t", 1);
  f.accumulator.Append({.topic = "t", .value = kValue}, {}, /*caller_sends=*/true);
  std::vector<RequestPlan> mine = f.accumulator.TakeWork([] { return true; });
  REQUIRE(mine.size() == 1);
  CHECK(mine[0].partitions[0].batches[0]->record_count == 1);

  // While this thread holds drained requests, nobody else drains: requests reach the wire
  // in drain order. The record appended meanwhile goes out after DoneSending.
  f.accumulator.Append({.topic = "t", .value = kValue}, {}, /*caller_sends=*/true);
  CHECK(f.accumulator.TakeWork([] { return true; }).empty());
  auto sender = std::async(std::launch::async, [&] { return f.Next(); });
  CHECK(sender.wait_for(milliseconds(100)) == std::future_status::timeout);
  f.accumulator.DoneSending();
  RecordAccumulator::Work next = sender.get();
  REQUIRE(next.requests.size() == 1);
  CHECK(next.requests[0].partitions[0].batches[0]->record_count == 1);
  f.Answer(std::move(mine[0]), ErrorCode::kNone, 0);
  f.Answer(std::move(next.requests[0]), ErrorCode::kNone, 1);
}

TEST_CASE("TakeWork leaves a down connection to the sender thread") {
  Fixture f(WithLinger(milliseconds(0)));
  f.Topic("t", 1);
  f.accumulator.Append({.topic = "t", .value = kValue}, {}, /*caller_sends=*/true);
  CHECK(f.accumulator.TakeWork([] { return false; }).empty());
  RecordAccumulator::Work work = f.accumulator.NextWork([] { return false; });
  CHECK(work.connect);
  work = f.Next();  // Reconnected: the record goes.
  REQUIRE(work.requests.size() == 1);
  f.Answer(std::move(work.requests[0]));
}

TEST_CASE("ready batches of several partitions share one request plan") {
  Fixture f(WithLinger(kLongLinger));
  f.Topic("a", 3);
  f.Topic("b", 1);
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < 2; ++i)
      f.accumulator.Append({.topic = "a", .partition = p, .value = kValue}, {});
  }
  f.accumulator.Append({.topic = "b", .partition = 0, .value = kValue}, {});
  // Every batch has lingered long enough by the time the sender looks (on a loaded machine
  // the last one could otherwise still be lingering when the first is due).
  std::this_thread::sleep_for(kLongLinger + milliseconds(50));
  RecordAccumulator::Work work = f.Next();
  REQUIRE(work.requests.size() == 1);
  CHECK(work.requests[0].partitions.size() == 4);
  for (RequestPlan& plan : work.requests) f.Answer(std::move(plan));
}

TEST_CASE("a batch waiting for its retry holds back newer batches of its partition") {
  Fixture f;
  f.Topic("t", 1);
  std::vector<std::pair<int, int64_t>> done;  // (record id, offset) in callback order.
  auto callback = [&](int id) {
    return [&done, id](const absl::StatusOr<RecordMetadata>& r) {
      done.emplace_back(id, r.ok() ? r->offset : -100);
    };
  };
  f.accumulator.Append({.topic = "t", .value = kValue}, callback(1));
  f.accumulator.Append({.topic = "t", .value = kValue}, callback(2));
  RecordAccumulator::Work first = f.Next();  // [1, 2], after linger.
  REQUIRE(first.requests.size() == 1);
  f.Answer(std::move(first.requests[0]), ErrorCode::kKafkaStorageError);  // Retriable.
  CHECK(done.empty());

  f.accumulator.Append({.topic = "t", .value = kValue}, callback(3));
  f.accumulator.Append({.topic = "t", .value = kValue}, callback(4));
  const auto start = std::chrono::steady_clock::now();
  RecordAccumulator::Work retry = f.Next();
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(20));  // The backoff.
  REQUIRE(retry.requests.size() == 1);
  // The retried batch goes first, the newer one behind it in the same request.
  REQUIRE(retry.requests[0].partitions[0].batches.size() == 2);
  CHECK(retry.requests[0].partitions[0].batches[0]->attempts == 2);
  f.Answer(std::move(retry.requests[0]), ErrorCode::kNone, 10);
  CHECK(done == std::vector<std::pair<int, int64_t>>{{1, 10}, {2, 11}, {3, 12}, {4, 13}});
}

TEST_CASE("a non-retriable error fails the batch and is reported once by Flush") {
  Fixture f;
  f.Topic("t", 1);
  std::vector<ErrorCode> codes;
  for (int i = 0; i < 2; ++i) {
    f.accumulator.Append(
        {.topic = "t", .value = kValue},
        [&](const absl::StatusOr<RecordMetadata>& r) { codes.push_back(CodeOf(r.status())); });
  }
  RecordAccumulator::Work work = f.Next();
  f.Answer(std::move(work.requests[0]), ErrorCode::kMessageTooLarge);
  CHECK(codes == std::vector<ErrorCode>{ErrorCode::kMessageTooLarge, ErrorCode::kMessageTooLarge});
  CHECK(CodeOf(f.accumulator.Flush()) == ErrorCode::kMessageTooLarge);
  CHECK(f.accumulator.Flush().ok());
}

TEST_CASE("Close: new records fail inline; NextWork stops once nothing is left") {
  Fixture f;
  f.Topic("t", 1);
  f.accumulator.Append({.topic = "t", .value = kValue}, {});
  f.accumulator.Close();
  RecordAccumulator::Work work = f.Next();  // The open batch is sealed and sent at once.
  REQUIRE(work.requests.size() == 1);
  bool failed = false;
  f.accumulator.Append({.topic = "t", .value = kValue},
                       [&](const absl::StatusOr<RecordMetadata>& r) { failed = !r.ok(); });
  CHECK(failed);
  f.Answer(std::move(work.requests[0]));
  CHECK(f.Next().stop);
}

ProducerOptions Idempotent() {
  ProducerOptions o = Fixture::Options();
  o.idempotence.reset();  // The default: on, with the default acks = -1.
  return o;
}

ProducerStamp StampOf(const ProducerBatch* batch) { return batch->stamp; }

TEST_CASE("idempotent: the first record asks for a producer id; batches are stamped as they go") {
  Fixture f(Idempotent());
  f.accumulator.Append({.topic = "t", .partition = 0, .value = kValue}, {});
  RecordAccumulator::Work work = f.Next();
  CHECK(work.init_producer_id);
  CHECK(work.metadata_topics == std::vector<std::string>{"t"});
  f.Topic("t", 1);
  f.ProducerIdIs(1000);
  work = f.Next();  // After linger.
  REQUIRE(work.requests.size() == 1);
  CHECK(StampOf(work.requests[0].partitions[0].batches[0]) ==
        ProducerStamp{ProducerId(1000), ProducerEpoch(0), 0});
  f.Answer(std::move(work.requests[0]));

  for (int i = 0; i < 3; ++i) f.accumulator.Append({.topic = "t", .partition = 0, .value = kValue}, {});
  std::this_thread::sleep_for(milliseconds(40));  // The third record's batch lingers.
  work = f.Next();  // Two records filled a batch; the third has its own.
  REQUIRE(work.requests.size() == 1);
  const std::vector<ProducerBatch*>& batches = work.requests[0].partitions[0].batches;
  REQUIRE(batches.size() == 2);
  CHECK(StampOf(batches[0]).base_sequence == 1);
  CHECK(StampOf(batches[1]).base_sequence == 3);
  f.Answer(std::move(work.requests[0]), ErrorCode::kNone, 1);
}

TEST_CASE("idempotent: a retry keeps its stamp and goes alone, then the batches behind it") {
  Fixture f(Idempotent());
  f.Topic("t", 1);
  f.ProducerIdIs(1000);
  std::vector<std::pair<int, int64_t>> done;  // (record id, offset) in callback order.
  auto callback = [&](int id) {
    return [&done, id](const absl::StatusOr<RecordMetadata>& r) {
      done.emplace_back(id, r.ok() ? r->offset : -100);
    };
  };
  f.accumulator.Append({.topic = "t", .partition = 0, .value = kValue}, callback(0));
  RecordAccumulator::Work work = f.Next();
  f.Answer(std::move(work.requests[0]), ErrorCode::kNone, 0);  // Five may go now.
  for (int i = 1; i <= 4; ++i) {
    f.accumulator.Append({.topic = "t", .partition = 0, .value = kValue}, callback(i));
  }
  std::this_thread::sleep_for(milliseconds(40));  // The second batch lingers.
  work = f.Next();  // Records 1-2 and 3-4: two batches in one request.
  REQUIRE(work.requests.size() == 1);
  REQUIRE(work.requests[0].partitions[0].batches.size() == 2);
  const ProducerStamp first = StampOf(work.requests[0].partitions[0].batches[0]);
  const ProducerStamp second = StampOf(work.requests[0].partitions[0].batches[1]);
  CHECK(first.base_sequence == 1);
  CHECK(second.base_sequence == 3);
  f.Answer(std::move(work.requests[0]), ErrorCode::kNetworkException);  // It may be in the log.
  f.accumulator.Append({.topic = "t", .partition = 0, .value = kValue}, callback(5));

  for (const ProducerStamp& expected : {first, second}) {
    work = f.Next();  // After the backoff: one retry, alone, with its stamp.
    REQUIRE(work.requests.size() == 1);
    REQUIRE(work.requests[0].partitions[0].batches.size() == 1);
    const ProducerBatch* retry = work.requests[0].partitions[0].batches[0];
    CHECK(StampOf(retry) == expected);
    CHECK(retry->attempts == 2);
    f.Answer(std::move(work.requests[0]), ErrorCode::kNone, expected.base_sequence);
  }
  work = f.Next();  // The newer batch, stamped after them.
  REQUIRE(work.requests.size() == 1);
  CHECK(StampOf(work.requests[0].partitions[0].batches[0]).base_sequence == 5);
  f.Answer(std::move(work.requests[0]), ErrorCode::kNone, 5);
  CHECK(done == std::vector<std::pair<int, int64_t>>{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}});
}

}  // namespace
}  // namespace brook::client
