#include "bench/peers/kafka_driver.h"

#include <librdkafka/rdkafka.h>

#include <chrono>

#include "fmt/format.h"

namespace brook::bench {
namespace {

constexpr int kSetupTimeoutMs = 10'000;   // Metadata and admin calls.
constexpr int kFlushTimeoutMs = 120'000;  // A producer's Flush.

struct ClientDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
};
using Topic = std::unique_ptr<rd_kafka_topic_t, TopicDeleter>;

struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};
using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

absl::Status KafkaError(rd_kafka_resp_err_t err, std::string_view doing) {
  return absl::InternalError(fmt::format("librdkafka: {}: {}", doing, rd_kafka_err2str(err)));
}

// A client of `type` on `bootstrap` with `config`; `setup` may adjust the rd_kafka_conf_t last
// (callbacks, opaque). Errors: INVALID_ARGUMENT for a refused setting; INTERNAL when
// rd_kafka_new fails.
template <class Setup>
absl::StatusOr<Client> NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                                 const KafkaConfig& config, Setup setup) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  KafkaConfig all = config;
  all.emplace_back("bootstrap.servers", bootstrap);
  for (const auto& [name, value] : all) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(fmt::format("librdkafka: {}={}: {}", name, value, error));
    }
  }
  setup(conf);
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);  // Owns conf when it succeeds.
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(fmt::format("librdkafka: {}", error));
  }
  return Client(rk);
}

absl::StatusOr<Client> NewClient(rd_kafka_type_t type, const std::string& bootstrap,
                                 const KafkaConfig& config) {
  return NewClient(type, bootstrap, config, [](rd_kafka_conf_t*) {});
}

// The partitions of `topic` from a Metadata request (which also connects the client).
// Errors: UNAVAILABLE when no broker answers in time; the topic's error (e.g. unknown topic).
absl::StatusOr<int> PartitionCount(rd_kafka_t* rk, rd_kafka_topic_t* topic) {
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, /*all_topics=*/0, topic, &metadata, kSetupTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        fmt::format("librdkafka: Metadata of {}: {}", rd_kafka_topic_name(topic), rd_kafka_err2str(err)));
  }
  absl::StatusOr<int> count = absl::NotFoundError(
      fmt::format("librdkafka: Metadata has no topic {}", rd_kafka_topic_name(topic)));
  if (metadata->topic_cnt == 1) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[0];
    count = t.err != RD_KAFKA_RESP_ERR_NO_ERROR ? KafkaError(t.err, "Metadata")
                                                 : absl::StatusOr<int>(t.partition_cnt);
  }
  rd_kafka_metadata_destroy(metadata);
  return count;
}

// Runs one admin call (`call(queue)`) and waits for its result event.
// Errors: DEADLINE_EXCEEDED after 10 s; the request's error.
template <class Call>
absl::StatusOr<Event> AdminCall(rd_kafka_t* rk, std::string_view doing, Call call) {
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  call(queue);
  Event event(rd_kafka_queue_poll(queue, kSetupTimeoutMs));
  rd_kafka_queue_destroy(queue);
  if (event == nullptr) {
    return absl::DeadlineExceededError(fmt::format("librdkafka: {}: no answer in 10 s", doing));
  }
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(
        fmt::format("librdkafka: {}: {}", doing, rd_kafka_event_error_string(event.get())));
  }
  return event;
}

// The first per-topic error of a CreateTopics or DeleteTopics result, or OK.
absl::Status TopicResult(const rd_kafka_topic_result_t** results, size_t count,
                         std::string_view doing) {
  for (size_t i = 0; i < count; ++i) {
    if (rd_kafka_topic_result_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::InternalError(fmt::format("librdkafka: {} {}: {}", doing,
                                             rd_kafka_topic_result_name(results[i]),
                                             rd_kafka_topic_result_error_string(results[i])));
    }
  }
  return absl::OkStatus();
}

class KafkaProducer final : public PeerProducer {
 public:
  static absl::StatusOr<std::unique_ptr<PeerProducer>> Create(const KafkaSettings& settings,
                                                              const std::string& stream) {
    auto producer = std::unique_ptr<KafkaProducer>(new KafkaProducer());
    absl::StatusOr<Client> client = NewClient(
        RD_KAFKA_PRODUCER, settings.bootstrap, KafkaProducerConfig(settings),
        [&producer](rd_kafka_conf_t* conf) {
          rd_kafka_conf_set_opaque(conf, producer.get());
          rd_kafka_conf_set_dr_msg_cb(conf, &KafkaProducer::OnDelivery);
        });
    if (!client.ok()) return client.status();
    producer->client_ = *std::move(client);
    producer->topic_.reset(rd_kafka_topic_new(producer->client_.get(), stream.c_str(), nullptr));
    // Connected, with the topic's partitions known, before the workload's clock starts.
    if (absl::StatusOr<int> partitions =
            PartitionCount(producer->client_.get(), producer->topic_.get());
        !partitions.ok()) {
      return partitions.status();
    }
    return producer;
  }

  ~KafkaProducer() override {
    topic_.reset();  // Before the client it belongs to.
  }

  absl::Status Send(std::optional<std::string_view> key, std::string_view value) override {
    // F_COPY: the caller's bytes are valid during the call only.
    while (rd_kafka_produce(topic_.get(), RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                            const_cast<char*>(value.data()), value.size(),
                            key ? key->data() : nullptr, key ? key->size() : 0, nullptr) != 0) {
      const rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return KafkaError(err, "produce");
      rd_kafka_poll(client_.get(), 1);  // The local queue is full: let it drain a little.
    }
    // Serve delivery reports (failures only) now and then.
    if ((++sent_ & 1023) == 0) rd_kafka_poll(client_.get(), 0);
    return absl::OkStatus();
  }

  absl::Status Flush() override {
    const rd_kafka_resp_err_t err = rd_kafka_flush(client_.get(), kFlushTimeoutMs);
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      return absl::DeadlineExceededError(
          fmt::format("librdkafka: {} records unacknowledged after {} s",
                      rd_kafka_outq_len(client_.get()), kFlushTimeoutMs / 1000));
    }
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? absl::OkStatus() : KafkaError(err, "flush");
  }

  int64_t errors() const override { return errors_; }

 private:
  KafkaProducer() = default;

  // Called from rd_kafka_poll/rd_kafka_flush on the producing thread, for failed records only
  // (delivery.report.only.error).
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) ++static_cast<KafkaProducer*>(opaque)->errors_;
  }

  Client client_;
  Topic topic_;
  int64_t sent_ = 0;
  int64_t errors_ = 0;
};

// A plain reader with librdkafka's simple (legacy) consumer API: every partition started from
// its beginning on one queue, no group, no commits. Poll drains the queue with
// rd_kafka_consume_callback_queue, which moves what is queued under one lock and hands it out
// without taking it again (rd_kafka_consume_batch_queue takes the queue's lock per record,
// against the broker thread that fills it); the high-level consumer's queue would also carry
// group events, which the callback API cannot serve.
class KafkaReader final : public PeerConsumer {
 public:
  static absl::StatusOr<std::unique_ptr<PeerConsumer>> Create(const KafkaSettings& settings,
                                                              const std::string& stream,
                                                              int batch_records) {
    absl::StatusOr<Client> client =
        NewClient(RD_KAFKA_CONSUMER, settings.bootstrap, KafkaConsumerConfig(settings));
    if (!client.ok()) return client.status();
    auto reader = std::unique_ptr<KafkaReader>(new KafkaReader(*std::move(client), batch_records));
    reader->topic_.reset(rd_kafka_topic_new(reader->client_.get(), stream.c_str(), nullptr));
    // Metadata first: a partition started on a cold client waits for the leader.
    absl::StatusOr<int> partitions = PartitionCount(reader->client_.get(), reader->topic_.get());
    if (!partitions.ok()) return partitions.status();
    // From offset 0 rather than the logical RD_KAFKA_OFFSET_BEGINNING (auto.offset.reset takes
    // the reader to the earliest record should 0 be gone): a logical offset is first resolved
    // with ListOffsets, and when that query races the partition's hand-over to librdkafka's
    // broker thread ("no current leader"), librdkafka retries it only 500 ms later; seen here
    // as first fetches half a second late.
    for (int p = 0; p < *partitions; ++p) {
      if (rd_kafka_consume_start_queue(reader->topic_.get(), p, 0, reader->queue_) != 0) {
        return KafkaError(rd_kafka_last_error(), "consume_start");
      }
      reader->started_ = p + 1;
    }
    return reader;
  }

  ~KafkaReader() override {
    (void)Close();
    rd_kafka_queue_destroy(queue_);
    topic_.reset();  // Before the client it belongs to.
  }

  absl::StatusOr<int> Poll(std::chrono::milliseconds timeout, RecordFn on_record) override {
    Drain drain{this, on_record};
    // The queue also carries librdkafka's own events (e.g. a partition's start), which end a
    // call without a record: call again until a record or the deadline comes.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (auto left = timeout; drain.delivered == 0 && drain.failure.ok() && left.count() >= 0;
         left = std::chrono::duration_cast<std::chrono::milliseconds>(
             deadline - std::chrono::steady_clock::now())) {
      if (rd_kafka_consume_callback_queue(queue_, static_cast<int>(left.count()),
                                          &KafkaReader::OnMessage, &drain) < 0) {
        return KafkaError(rd_kafka_last_error(), "consume");
      }
    }
    if (!drain.failure.ok()) return drain.failure;
    return drain.delivered;
  }

  // Stops fetching (a plain reader holds nothing back).
  absl::Status Close() override {
    for (; started_ > 0; --started_) rd_kafka_consume_stop(topic_.get(), started_ - 1);
    return absl::OkStatus();
  }

 private:
  // One Poll's state, for OnMessage.
  struct Drain {
    KafkaReader* reader;
    RecordFn on_record;
    int delivered = 0;
    absl::Status failure;
  };

  KafkaReader(Client client, int batch_records)
      : client_(std::move(client)),
        queue_(rd_kafka_queue_new(client_.get())),
        batch_records_(std::max(batch_records, 1)) {}

  // Called by rd_kafka_consume_callback_queue for each queued record (it destroys the message).
  static void OnMessage(rd_kafka_message_t* m, void* opaque) {
    Drain& drain = *static_cast<Drain*>(opaque);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      drain.on_record(std::string_view(static_cast<const char*>(m->payload), m->len));
      ++drain.delivered;
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && drain.failure.ok()) {
      drain.failure =
          absl::InternalError(fmt::format("librdkafka: consume: {}", rd_kafka_message_errstr(m)));
    }
    // At most batch_records per Poll: the rest goes back to the front of the queue.
    if (drain.delivered >= drain.reader->batch_records_ || !drain.failure.ok()) {
      rd_kafka_yield(drain.reader->client_.get());
    }
  }

  Client client_;
  Topic topic_;
  rd_kafka_queue_t* queue_;  // Where every partition's records arrive.
  int batch_records_;
  int started_ = 0;  // Partitions [0, started_) are being fetched.
};

// The records of one Poll: up to `messages.size()` from `queue`, waiting up to `timeout` for the
// first one only (rd_kafka_consume_batch_queue on its own waits until the array is full).
// Returns how many it put in `messages`; -1 on an error (rd_kafka_last_error says which).
ssize_t ConsumeBatch(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout,
                     std::vector<rd_kafka_message_t*>& messages) {
  ssize_t n = rd_kafka_consume_batch_queue(queue, 0, messages.data(), messages.size());
  if (n != 0) return n;
  n = rd_kafka_consume_batch_queue(queue, static_cast<int>(timeout.count()), messages.data(), 1);
  if (n != 1) return n;
  const ssize_t more =
      rd_kafka_consume_batch_queue(queue, 0, messages.data() + 1, messages.size() - 1);
  return more < 0 ? more : 1 + more;
}

// One member of a consumer group: librdkafka's high-level consumer (subscribe, the
// cooperative-sticky assignor, as brook's group-consume), committing the offsets it has read
// asynchronously after each Poll that returned records, and synchronously at Close.
// Create returns once the member has its first partitions, so the group-consume clock starts at
// the first assignment, as brook's own group-consume does (the join and the broker's initial
// rebalance delay before it are not counted; rebalances while the others join are). A member
// that gets none in 5 s (more members than partitions) returns then.
class KafkaGroupMember final : public PeerConsumer {
 public:
  static absl::StatusOr<std::unique_ptr<PeerConsumer>> Create(const KafkaSettings& settings,
                                                              const std::string& stream,
                                                              const std::string& group,
                                                              int member, int batch_records) {
    KafkaConfig config = KafkaGroupMemberConfig(settings);
    config.emplace_back("group.id", group);
    config.emplace_back("client.id", fmt::format("brook-bench-member-{}", member));
    absl::StatusOr<Client> client = NewClient(RD_KAFKA_CONSUMER, settings.bootstrap, config);
    if (!client.ok()) return client.status();
    auto m = std::unique_ptr<KafkaGroupMember>(
        new KafkaGroupMember(*std::move(client), batch_records));
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, stream.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(m->client_.get(), topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(err, "subscribe");
    if (absl::Status s = m->WaitForPartitions(); !s.ok()) return s;
    return m;
  }

  ~KafkaGroupMember() override {
    for (rd_kafka_message_t* m : pending_) rd_kafka_message_destroy(m);
    rd_kafka_queue_destroy(queue_);
    if (!closed_) rd_kafka_consumer_close(client_.get());
  }

  absl::StatusOr<int> Poll(std::chrono::milliseconds timeout, RecordFn on_record) override {
    absl::Status failure;
    int delivered = 0;
    const auto deliver = [&](rd_kafka_message_t* m) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        on_record(std::string_view(static_cast<const char*>(m->payload), m->len));
        ++delivered;
      } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && failure.ok()) {
        failure = absl::InternalError(
            fmt::format("librdkafka: consume: {}", rd_kafka_message_errstr(m)));
      }
      rd_kafka_message_destroy(m);
    };
    if (!pending_.empty()) {
      for (rd_kafka_message_t* m : pending_) deliver(m);
      pending_.clear();
    } else {
      const ssize_t n = ConsumeBatch(queue_, timeout, messages_);
      if (n < 0) return KafkaError(rd_kafka_last_error(), "consume");
      for (ssize_t i = 0; i < n; ++i) deliver(messages_[static_cast<size_t>(i)]);
    }
    if (!failure.ok()) return failure;
    // The offsets of what was just read (stored as it was returned: enable.auto.offset.store).
    if (delivered > 0) (void)rd_kafka_commit(client_.get(), nullptr, /*async=*/1);
    return delivered;
  }

  absl::Status Close() override {
    closed_ = true;
    rd_kafka_resp_err_t err = rd_kafka_commit(client_.get(), nullptr, /*async=*/0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
      (void)rd_kafka_consumer_close(client_.get());
      return KafkaError(err, "commit");
    }
    err = rd_kafka_consumer_close(client_.get());
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? absl::OkStatus() : KafkaError(err, "close");
  }

 private:
  KafkaGroupMember(Client client, int batch_records)
      : client_(std::move(client)), messages_(static_cast<size_t>(std::max(batch_records, 1))) {
    // librdkafka's own events (errors, logs) go to the consumer queue too, which Poll serves.
    (void)rd_kafka_poll_set_consumer(client_.get());
    queue_ = rd_kafka_queue_get_consumer(client_.get());
  }

  // Serves the consumer queue (where librdkafka runs the rebalance) until this member owns a
  // partition, or for 5 s (a group with more members than partitions leaves some without),
  // keeping the records that arrive meanwhile for the first Poll. Errors: a consume error.
  absl::Status WaitForPartitions() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      rd_kafka_topic_partition_list_t* assignment = nullptr;
      if (rd_kafka_assignment(client_.get(), &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const bool assigned = assignment->cnt > 0;
        rd_kafka_topic_partition_list_destroy(assignment);
        if (assigned) return absl::OkStatus();
      }
      rd_kafka_message_t* m = nullptr;
      const ssize_t n = rd_kafka_consume_batch_queue(queue_, 10, &m, 1);
      if (n < 0) return KafkaError(rd_kafka_last_error(), "consume");
      if (n == 1) pending_.push_back(m);
    }
    return absl::OkStatus();
  }

  Client client_;
  rd_kafka_queue_t* queue_ = nullptr;  // The consumer queue: records, and the group's events.
  std::vector<rd_kafka_message_t*> messages_;
  std::vector<rd_kafka_message_t*> pending_;  // Arrived while waiting for partitions.
  bool closed_ = false;
};

class KafkaDriver final : public PeerDriver {
 public:
  KafkaDriver(KafkaSettings settings, Client setup)
      : settings_(std::move(settings)), setup_(std::move(setup)) {}

  std::string name() const override { return settings_.name; }

  absl::Status CreateStream(const std::string& stream) override {
    char error[256];
    rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(stream.c_str(), settings_.partitions,
                                                       /*replication_factor=*/1, error,
                                                       sizeof error);
    if (topic == nullptr) return absl::InvalidArgumentError(fmt::format("librdkafka: {}", error));
    absl::StatusOr<Event> event = AdminCall(setup_.get(), "CreateTopics", [&](rd_kafka_queue_t* q) {
      rd_kafka_CreateTopics(setup_.get(), &topic, 1, nullptr, q);
    });
    rd_kafka_NewTopic_destroy(topic);
    if (!event.ok()) return event.status();
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(
        rd_kafka_event_CreateTopics_result(event->get()), &count);
    return TopicResult(results, count, "CreateTopics");
  }

  absl::Status DeleteStream(const std::string& stream) override {
    rd_kafka_DeleteTopic_t* topic = rd_kafka_DeleteTopic_new(stream.c_str());
    absl::StatusOr<Event> event = AdminCall(setup_.get(), "DeleteTopics", [&](rd_kafka_queue_t* q) {
      rd_kafka_DeleteTopics(setup_.get(), &topic, 1, nullptr, q);
    });
    rd_kafka_DeleteTopic_destroy(topic);
    if (!event.ok()) return event.status();
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_DeleteTopics_result_topics(
        rd_kafka_event_DeleteTopics_result(event->get()), &count);
    return TopicResult(results, count, "DeleteTopics");
  }

  // A Kafka group comes into being when its first member joins; its members start at the
  // beginning of the topic (auto.offset.reset=earliest, nothing committed yet).
  absl::Status CreateGroup(const std::string&, const std::string&) override {
    return absl::OkStatus();
  }

  absl::StatusOr<std::unique_ptr<PeerProducer>> NewProducer(const std::string& stream,
                                                            const ProducerSettings&) override {
    return KafkaProducer::Create(settings_, stream);
  }

  absl::StatusOr<std::unique_ptr<PeerConsumer>> NewConsumer(const std::string& stream,
                                                            const std::string& group, int member,
                                                            int batch_records) override {
    if (group.empty()) return KafkaReader::Create(settings_, stream, batch_records);
    // One group per topic: a group named for the run keeps no members or offsets of another.
    return KafkaGroupMember::Create(settings_, stream, fmt::format("{}-{}", stream, group), member,
                                    batch_records);
  }

 private:
  KafkaSettings settings_;
  Client setup_;  // For the admin calls.
};

}  // namespace

KafkaConfig KafkaProducerConfig(const KafkaSettings& s) {
  KafkaConfig config = {
      {"acks", s.acks == -1 ? "all" : std::to_string(s.acks)},
      // Requests go out as soon as they are made, not held back to fill a segment.
      {"socket.nagle.disable", "true"},
      // Keyed records go where brook's client and Java's put them (Kafka's murmur2); keyless
      // ones use librdkafka's sticky partitioning (a partition per sticky.partitioning.linger.ms,
      // 10 ms), as brook's client sticks to one partition per batch.
      {"partitioner", "murmur2_random"},
      // Only failed records come back: the workloads count failures, and wait with flush.
      {"delivery.report.only.error", "true"},
  };
  if (s.latency) {
    // Each record goes to the broker at once.
    config.emplace_back("linger.ms", "0");
    return config;
  }
  const KafkaConfig throughput = {
      // The same batching as brook's own client in the same run.
      {"linger.ms", std::to_string(s.linger_ms)},
      {"batch.size", std::to_string(s.batch_bytes)},
      // batch.size decides when a batch is full, not a record count (default 10,000).
      // queue.buffering.max.messages stays at its default, 100,000 records queued locally:
      // 1,000,000 measured 23% fewer records/s here (1.41 M against 1.84 M, medians of 3; the
      // client spent 50% more CPU per record) and 10,000 no better (1.47 M).
      {"batch.num.messages", "1000000"},
  };
  config.insert(config.end(), throughput.begin(), throughput.end());
  return config;
}

namespace {

// How every Kafka consumer here fetches.
KafkaConfig FetchConfig() {
  return {
      {"socket.nagle.disable", "true"},
      // A new group's members, and the plain reader should offset 0 be gone, start at the
      // earliest record.
      {"auto.offset.reset", "earliest"},
      // The broker answers a fetch as soon as a byte is there (brook's client does the same)...
      {"fetch.min.bytes", "1"},
      // ...or after this long. brook wakes a waiting fetch when a record arrives, so the wait
      // costs no latency; but librdkafka's first fetch names only the first partition that is
      // ready (seen here: partition 0 of 6), and records on the others wait until it ends.
      // 100 ms bounds that at a start (500, the default and brook's client's, made small mixed
      // runs take half a second), at the price of ten empty fetches a second when idle.
      {"fetch.wait.max.ms", "100"},
      // brook's client's defaults (also Kafka's): 1 MiB per partition, 50 MiB per answer.
      {"max.partition.fetch.bytes", "1048576"},
      {"fetch.max.bytes", "52428800"},
  };
}

KafkaConfig WithFetchConfig(KafkaConfig config) {
  const KafkaConfig fetch = FetchConfig();
  config.insert(config.end(), fetch.begin(), fetch.end());
  return config;
}

}  // namespace

KafkaConfig KafkaConsumerConfig(const KafkaSettings&) {
  // A plain reader keeps no offsets; it starts at offset 0.
  return WithFetchConfig({{"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"}});
}

KafkaConfig KafkaGroupMemberConfig(const KafkaSettings&) {
  return WithFetchConfig({
      // brook's group-consume's assignor.
      {"partition.assignment.strategy", "cooperative-sticky"},
      // Offsets are stored as records are returned and committed after each poll instead of
      // every 5 s (as brook's group-consume commits after each poll).
      {"enable.auto.commit", "false"},
  });
}

std::string ConfigText(const KafkaConfig& config) {
  std::string out;
  for (const auto& [name, value] : config) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ", ", name, value);
  }
  return out;
}

std::string KafkaClientVersion() { return rd_kafka_version_str(); }

absl::StatusOr<std::unique_ptr<PeerDriver>> ConnectKafka(const KafkaSettings& settings) {
  absl::StatusOr<Client> setup = NewClient(RD_KAFKA_PRODUCER, settings.bootstrap, {});
  if (!setup.ok()) return setup.status();
  const rd_kafka_metadata_t* metadata = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(setup->get(), /*all_topics=*/0, nullptr, &metadata, kSetupTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(fmt::format("librdkafka: no Kafka broker answers at {}: {}",
                                              settings.bootstrap, rd_kafka_err2str(err)));
  }
  rd_kafka_metadata_destroy(metadata);
  return std::make_unique<KafkaDriver>(settings, *std::move(setup));
}

}  // namespace brook::bench
