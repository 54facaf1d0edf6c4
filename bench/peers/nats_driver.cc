#include "bench/peers/nats_driver.h"

#include <nats/nats.h>

#include <algorithm>
#include <atomic>

#include "fmt/format.h"

namespace brook::bench {
namespace {

constexpr int64_t kMaxAckPending = 20'000;
constexpr int64_t kWaitMs = 60'000;  // For JetStream API calls and for all acks to arrive.

struct NatsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
template <class T>
using NatsPtr = std::unique_ptr<T, NatsDeleter>;

// The library's text for the calling thread's last error (more precise than the status's).
absl::Status NatsError(std::string_view doing, natsStatus s, jsErrCode js_error = jsErrCode(0)) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  const std::string detail = text != nullptr && *text != '\0' ? text : natsStatus_GetText(s);
  const std::string message =
      js_error != 0 ? fmt::format("NATS: {}: {} (JetStream error {})", doing, detail,
                                  static_cast<int>(js_error))
                    : fmt::format("NATS: {}: {}", doing, detail);
  return s == NATS_NO_SERVER || s == NATS_CONNECTION_CLOSED ? absl::UnavailableError(message)
                                                            : absl::InternalError(message);
}

// A connection and its JetStream context (destroyed in that reverse order).
struct Connection {
  NatsPtr<natsConnection> nc;
  NatsPtr<jsCtx> js;
};

// `send_asap`: write each message at once instead of letting the flusher coalesce writes.
// `js_options` may be null. Errors: UNAVAILABLE when the server cannot be reached.
absl::StatusOr<Connection> Connect(const std::string& host, int port, bool send_asap,
                                   jsOptions* js_options) {
  natsOptions* raw_options = nullptr;
  if (natsStatus s = natsOptions_Create(&raw_options); s != NATS_OK) return NatsError("options", s);
  NatsPtr<natsOptions> options(raw_options);
  const std::string url = fmt::format("nats://{}:{}", host, port);
  natsStatus s = natsOptions_SetURL(options.get(), url.c_str());
  if (s == NATS_OK) s = natsOptions_SetSendAsap(options.get(), send_asap);
  if (s != NATS_OK) return NatsError("options", s);
  Connection c;
  natsConnection* nc = nullptr;
  if (s = natsConnection_Connect(&nc, options.get()); s != NATS_OK) {
    return NatsError(fmt::format("connecting to {}", url), s);
  }
  c.nc.reset(nc);
  jsCtx* js = nullptr;
  if (s = natsConnection_JetStream(&js, nc, js_options); s != NATS_OK) {
    return NatsError("JetStream context", s);
  }
  c.js.reset(js);
  return c;
}

class NatsProducer final : public PeerProducer {
 public:
  static absl::StatusOr<std::unique_ptr<PeerProducer>> Create(const std::string& host, int port,
                                                              const std::string& stream,
                                                              const ProducerSettings& settings) {
    std::unique_ptr<NatsProducer> producer(new NatsProducer(stream));
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = kWaitMs;
    options.PublishAsync.MaxPending = settings.max_outstanding;
    options.PublishAsync.StallWait = kWaitMs;  // Send blocks (not fails) while MaxPending are out.
    options.PublishAsync.ErrHandler = &NatsProducer::OnError;
    options.PublishAsync.ErrHandlerClosure = producer.get();
    absl::StatusOr<Connection> c = Connect(host, port, settings.batch_records == 1, &options);
    if (!c.ok()) return c.status();
    producer->c_ = *std::move(c);
    return producer;
  }

  absl::Status Send(std::optional<std::string_view> key, std::string_view value) override {
    const char* subject = plain_subject_.c_str();
    if (key) {
      keyed_subject_.resize(key_prefix_size_);
      keyed_subject_.append(*key);
      subject = keyed_subject_.c_str();
    }
    const natsStatus s = js_PublishAsync(c_.js.get(), subject, value.data(),
                                         static_cast<int>(value.size()), nullptr);
    return s == NATS_OK ? absl::OkStatus() : NatsError("publish", s);
  }

  absl::Status Flush() override {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = kWaitMs;
    const natsStatus s = js_PublishAsyncComplete(c_.js.get(), &options);
    return s == NATS_OK ? absl::OkStatus() : NatsError("waiting for publish acks", s);
  }

  int64_t errors() const override { return errors_.load(); }

 private:
  explicit NatsProducer(const std::string& stream)
      : plain_subject_(stream + ".r"), keyed_subject_(stream + ".k."),
        key_prefix_size_(keyed_subject_.size()) {}

  // Runs on the client library's thread for each negative PubAck.
  static void OnError(jsCtx*, jsPubAckErr*, void* closure) {
    static_cast<NatsProducer*>(closure)->errors_.fetch_add(1, std::memory_order_relaxed);
  }

  std::atomic<int64_t> errors_{0};  // Before c_: OnError may run until c_ is destroyed.
  std::string plain_subject_;
  std::string keyed_subject_;  // "<stream>.k." then the record's key.
  size_t key_prefix_size_;
  Connection c_;
};

// Destroys a fetched list's messages (and the array) on scope exit.
struct MsgList {
  natsMsgList list{};
  ~MsgList() { natsMsgList_Destroy(&list); }
};

class NatsConsumer final : public PeerConsumer {
 public:
  // `ack_each`: AckExplicit (ack every record); otherwise AckAll (ack each batch's last).
  NatsConsumer(Connection c, NatsPtr<natsSubscription> sub, bool ack_each, int batch)
      : c_(std::move(c)), sub_(std::move(sub)), ack_each_(ack_each), batch_(batch) {}

  absl::StatusOr<int> Poll(std::chrono::milliseconds timeout, RecordFn on_record) override {
    MsgList fetched;
    jsErrCode js_error = jsErrCode(0);
    const natsStatus s = natsSubscription_Fetch(&fetched.list, sub_.get(), batch_,
                                                std::max<int64_t>(1, timeout.count()), &js_error);
    if (s != NATS_OK && s != NATS_TIMEOUT) return NatsError("fetch", s, js_error);
    const natsMsgList& list = fetched.list;
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* msg = list.Msgs[i];
      on_record({natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))});
      if (ack_each_ || i == list.Count - 1) {
        if (natsStatus a = natsMsg_Ack(msg, nullptr); a != NATS_OK) return NatsError("ack", a);
      }
    }
    return list.Count;
  }

  // Makes sure the server has the acks: a PING after them, answered.
  absl::Status Close() override {
    const natsStatus s = natsConnection_FlushTimeout(c_.nc.get(), kWaitMs);
    return s == NATS_OK ? absl::OkStatus() : NatsError("flushing acks", s);
  }

 private:
  Connection c_;
  NatsPtr<natsSubscription> sub_;  // Declared after c_: destroyed before the connection.
  bool ack_each_;
  int batch_;
};

class NatsDriver final : public PeerDriver {
 public:
  NatsDriver(Connection c, std::string host, int port)
      : c_(std::move(c)), host_(std::move(host)), port_(port) {}

  std::string name() const override { return "NATS JetStream"; }

  absl::Status CreateStream(const std::string& stream) override {
    const std::string subjects = stream + ".>";
    const char* subject_list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = stream.c_str();
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = 1;
    jsStreamInfo* info = nullptr;
    jsErrCode js_error = jsErrCode(0);
    const natsStatus s = js_AddStream(&info, c_.js.get(), &config, nullptr, &js_error);
    jsStreamInfo_Destroy(info);
    return s == NATS_OK ? absl::OkStatus()
                        : NatsError(fmt::format("creating stream {}", stream), s, js_error);
  }

  absl::Status DeleteStream(const std::string& stream) override {
    jsErrCode js_error = jsErrCode(0);
    const natsStatus s = js_DeleteStream(c_.js.get(), stream.c_str(), nullptr, &js_error);
    return s == NATS_OK ? absl::OkStatus()
                        : NatsError(fmt::format("deleting stream {}", stream), s, js_error);
  }

  absl::Status CreateGroup(const std::string& stream, const std::string& group) override {
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = group.c_str();
    config.AckPolicy = js_AckExplicit;
    config.DeliverPolicy = js_DeliverAll;
    config.MaxAckPending = kMaxAckPending;
    jsConsumerInfo* info = nullptr;
    jsErrCode js_error = jsErrCode(0);
    const natsStatus s =
        js_AddConsumer(&info, c_.js.get(), stream.c_str(), &config, nullptr, &js_error);
    jsConsumerInfo_Destroy(info);
    return s == NATS_OK ? absl::OkStatus()
                        : NatsError(fmt::format("creating consumer {} on {}", group, stream), s,
                                    js_error);
  }

  absl::StatusOr<std::unique_ptr<PeerProducer>> NewProducer(
      const std::string& stream, const ProducerSettings& settings) override {
    return NatsProducer::Create(host_, port_, stream, settings);
  }

  absl::StatusOr<std::unique_ptr<PeerConsumer>> NewConsumer(const std::string& stream,
                                                            const std::string& group, int member,
                                                            int batch_records) override {
    absl::StatusOr<Connection> c = Connect(host_, port_, /*send_asap=*/false, nullptr);
    if (!c.ok()) return c.status();
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream.c_str();
    const bool in_group = !group.empty();
    if (in_group) {
      options.Consumer = group.c_str();  // Bind to the durable consumer CreateGroup made.
    } else {
      options.Config.AckPolicy = js_AckAll;
      options.Config.DeliverPolicy = js_DeliverAll;
      options.Config.MaxAckPending = kMaxAckPending;
    }
    const std::string subjects = stream + ".>";
    natsSubscription* sub = nullptr;
    jsErrCode js_error = jsErrCode(0);
    const natsStatus s = js_PullSubscribe(&sub, c->js.get(), subjects.c_str(),
                                          in_group ? group.c_str() : nullptr, nullptr, &options,
                                          &js_error);
    if (s != NATS_OK) {
      return NatsError(fmt::format("pull subscription on {}{}", stream,
                                   in_group ? fmt::format(" (consumer {})", group) : ""),
                       s, js_error);
    }
    return std::make_unique<NatsConsumer>(*std::move(c), NatsPtr<natsSubscription>(sub),
                                          in_group, batch_records);
  }

 private:
  Connection c_;  // Setup calls.
  std::string host_;
  int port_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<PeerDriver>> ConnectNats(const std::string& host, int port) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = kWaitMs;
  absl::StatusOr<Connection> c = Connect(host, port, /*send_asap=*/false, &options);
  if (!c.ok()) return c.status();
  return std::make_unique<NatsDriver>(*std::move(c), host, port);
}

}  // namespace brook::bench
