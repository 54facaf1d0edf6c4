#include "bench/peers/redis_driver.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "fmt/format.h"

namespace brook::bench {
namespace {

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

constexpr timeval kConnectTimeout{5, 0};
constexpr timeval kSocketTimeout{60, 0};  // Longer than any BLOCK the consumers ask for.

std::string_view View(const redisReply& r) { return {r.str, r.len}; }

// A command's words, as hiredis's argv/argvlen arrays (views into the caller's strings).
class Argv {
 public:
  Argv() = default;
  Argv(std::initializer_list<std::string_view> words) {
    for (std::string_view w : words) Add(w);
  }
  void Add(std::string_view word) {
    argv_.push_back(word.data());
    lengths_.push_back(word.size());
  }
  void Clear() {
    argv_.clear();
    lengths_.clear();
  }
  int Append(redisContext* c) const {
    // hiredis only reads argv; its signature just lacks the const.
    return redisAppendCommandArgv(c, static_cast<int>(argv_.size()),
                                  const_cast<const char**>(argv_.data()), lengths_.data());
  }

 private:
  std::vector<const char*> argv_;
  std::vector<size_t> lengths_;
};

absl::Status ConnectionError(const redisContext* c, std::string_view doing) {
  return absl::UnavailableError(fmt::format("Redis: {}: {}", doing, c->errstr));
}

absl::StatusOr<Context> Connect(const std::string& host, int port) {
  Context c(redisConnectWithTimeout(host.c_str(), port, kConnectTimeout));
  if (c == nullptr) return absl::UnavailableError("Redis: cannot allocate a connection");
  if (c->err != 0) return ConnectionError(c.get(), fmt::format("connecting to {}:{}", host, port));
  if (redisSetTimeout(c.get(), kSocketTimeout) != REDIS_OK) {
    return ConnectionError(c.get(), "setting the socket timeout");
  }
  return c;
}

// Reads the next reply. Errors: UNAVAILABLE when the connection fails or times out.
absl::StatusOr<Reply> ReadReply(redisContext* c, std::string_view doing) {
  void* reply = nullptr;
  if (redisGetReply(c, &reply) != REDIS_OK) return ConnectionError(c, doing);
  return Reply(static_cast<redisReply*>(reply));
}

// Sends one command and reads its reply. Errors: as ReadReply; INTERNAL for an error reply.
absl::StatusOr<Reply> Command(redisContext* c, const Argv& argv, std::string_view doing) {
  if (argv.Append(c) != REDIS_OK) return ConnectionError(c, doing);
  absl::StatusOr<Reply> reply = ReadReply(c, doing);
  if (reply.ok() && (*reply)->type == REDIS_REPLY_ERROR) {
    return absl::InternalError(fmt::format("Redis: {}: {}", doing, View(**reply)));
  }
  return reply;
}

class RedisProducer final : public PeerProducer {
 public:
  RedisProducer(Context c, std::string stream, const ProducerSettings& settings)
      : c_(std::move(c)), stream_(std::move(stream)), settings_(settings) {}

  absl::Status Send(std::optional<std::string_view> key, std::string_view value) override {
    const char* argv[7] = {"XADD", stream_.c_str(), "*", "v", value.data(), "k", nullptr};
    size_t lengths[7] = {4, stream_.size(), 1, 1, value.size(), 1, 0};
    int argc = 5;
    if (key) {
      argv[6] = key->data();
      lengths[6] = key->size();
      argc = 7;
    }
    if (redisAppendCommandArgv(c_.get(), argc, argv, lengths) != REDIS_OK) {
      return ConnectionError(c_.get(), "XADD");
    }
    return ++queued_ >= settings_.batch_records ? Transmit() : absl::OkStatus();
  }

  absl::Status Flush() override {
    if (absl::Status s = Transmit(); !s.ok()) return s;
    return ReadReplies(0);
  }

  int64_t errors() const override { return errors_; }

 private:
  // Writes the queued commands, then reads replies while more than max_outstanding are due.
  absl::Status Transmit() {
    for (int done = 0; !done;) {
      if (redisBufferWrite(c_.get(), &done) != REDIS_OK) return ConnectionError(c_.get(), "XADD");
    }
    outstanding_ += queued_;
    queued_ = 0;
    return ReadReplies(settings_.max_outstanding);
  }

  absl::Status ReadReplies(int64_t keep) {
    while (outstanding_ > keep) {
      absl::StatusOr<Reply> reply = ReadReply(c_.get(), "XADD");
      if (!reply.ok()) return reply.status();
      --outstanding_;
      if ((*reply)->type == REDIS_REPLY_ERROR) ++errors_;
    }
    return absl::OkStatus();
  }

  Context c_;
  std::string stream_;
  ProducerSettings settings_;
  int64_t queued_ = 0;       // Appended, not yet written.
  int64_t outstanding_ = 0;  // Written, reply not yet read.
  int64_t errors_ = 0;
};

// The entries of an XREAD/XREADGROUP reply for one stream: [[name, [[id, [f, v, ...]], ...]]],
// or nil when BLOCK timed out. Returns the entries array, or null when there is none.
// Errors: INTERNAL for an error reply or an unexpected shape.
absl::StatusOr<const redisReply*> Entries(const redisReply& reply, std::string_view command) {
  if (reply.type == REDIS_REPLY_NIL) return nullptr;
  if (reply.type == REDIS_REPLY_ERROR) {
    return absl::InternalError(fmt::format("Redis: {}: {}", command, View(reply)));
  }
  if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 1 ||
      reply.element[0]->type != REDIS_REPLY_ARRAY || reply.element[0]->elements != 2) {
    return absl::InternalError(fmt::format("Redis: {}: unexpected reply", command));
  }
  return reply.element[0]->element[1];
}

// Calls on_record with each entry's "v" field. Errors: INTERNAL for a malformed entry.
absl::Status Deliver(const redisReply& entries, RecordFn on_record) {
  for (size_t i = 0; i < entries.elements; ++i) {
    const redisReply& entry = *entries.element[i];
    if (entry.type != REDIS_REPLY_ARRAY || entry.elements != 2) {
      return absl::InternalError("Redis: malformed stream entry");
    }
    const redisReply& fields = *entry.element[1];
    std::string_view value;
    for (size_t f = 0; f + 1 < fields.elements; f += 2) {
      if (View(*fields.element[f]) == "v") value = View(*fields.element[f + 1]);
    }
    on_record(value);
  }
  return absl::OkStatus();
}

std::string_view EntryId(const redisReply& entries, size_t i) {
  return View(*entries.element[i]->element[0]);
}

// A plain reader: XREAD from the last id it saw.
class RedisReader final : public PeerConsumer {
 public:
  RedisReader(Context c, std::string stream, int batch)
      : c_(std::move(c)), stream_(std::move(stream)), count_(std::to_string(batch)) {}

  absl::StatusOr<int> Poll(std::chrono::milliseconds timeout, RecordFn on_record) override {
    const std::string block = std::to_string(std::max<int64_t>(1, timeout.count()));
    absl::StatusOr<Reply> reply =
        Command(c_.get(), {"XREAD", "COUNT", count_, "BLOCK", block, "STREAMS", stream_, last_id_},
                "XREAD");
    if (!reply.ok()) return reply.status();
    absl::StatusOr<const redisReply*> entries = Entries(**reply, "XREAD");
    if (!entries.ok()) return entries.status();
    if (*entries == nullptr || (*entries)->elements == 0) return 0;
    if (absl::Status s = Deliver(**entries, on_record); !s.ok()) return s;
    last_id_ = EntryId(**entries, (*entries)->elements - 1);
    return static_cast<int>((*entries)->elements);
  }

  absl::Status Close() override { return absl::OkStatus(); }

 private:
  Context c_;
  std::string stream_;
  std::string count_;
  std::string last_id_ = "0-0";
};

// A group member: XREADGROUP, and XACK of the previous batch sent in the same write.
class RedisGroupMember final : public PeerConsumer {
 public:
  RedisGroupMember(Context c, std::string stream, std::string group, int member, int batch)
      : c_(std::move(c)),
        stream_(std::move(stream)),
        group_(std::move(group)),
        member_(fmt::format("member-{}", member)),
        count_(std::to_string(batch)) {}

  absl::StatusOr<int> Poll(std::chrono::milliseconds timeout, RecordFn on_record) override {
    const bool acking = AppendAck();
    const std::string block = std::to_string(std::max<int64_t>(1, timeout.count()));
    const Argv read{"XREADGROUP", "GROUP", group_,  member_,   "COUNT", count_,
                    "BLOCK",      block,   "STREAMS", stream_, ">"};
    if (read.Append(c_.get()) != REDIS_OK) return ConnectionError(c_.get(), "XREADGROUP");
    if (acking) {
      if (absl::Status s = ReadAckReply(); !s.ok()) return s;
    }
    absl::StatusOr<Reply> reply = ReadReply(c_.get(), "XREADGROUP");
    if (!reply.ok()) return reply.status();
    absl::StatusOr<const redisReply*> entries = Entries(**reply, "XREADGROUP");
    if (!entries.ok()) return entries.status();
    if (*entries == nullptr || (*entries)->elements == 0) return 0;
    if (absl::Status s = Deliver(**entries, on_record); !s.ok()) return s;
    unacked_ = *std::move(reply);  // Its ids are acknowledged with the next request.
    return static_cast<int>((*entries)->elements);
  }

  absl::Status Close() override {
    if (!AppendAck()) return absl::OkStatus();
    return ReadAckReply();
  }

 private:
  // Appends `XACK <stream> <group> <ids of the unacknowledged batch>`; false when there is none.
  bool AppendAck() {
    if (unacked_ == nullptr) return false;
    const redisReply& entries = *unacked_->element[0]->element[1];
    ack_.Clear();
    ack_.Add("XACK");
    ack_.Add(stream_);
    ack_.Add(group_);
    for (size_t i = 0; i < entries.elements; ++i) ack_.Add(EntryId(entries, i));
    ack_.Append(c_.get());  // Fails only on out-of-memory; the read that follows reports it.
    return true;
  }

  absl::Status ReadAckReply() {
    absl::StatusOr<Reply> reply = ReadReply(c_.get(), "XACK");
    unacked_.reset();
    if (!reply.ok()) return reply.status();
    if ((*reply)->type == REDIS_REPLY_ERROR) {
      return absl::InternalError(fmt::format("Redis: XACK: {}", View(**reply)));
    }
    return absl::OkStatus();
  }

  Context c_;
  std::string stream_;
  std::string group_;
  std::string member_;
  std::string count_;
  Reply unacked_;  // The last XREADGROUP reply, until its ids are acknowledged.
  Argv ack_;
};

class RedisDriver final : public PeerDriver {
 public:
  RedisDriver(Context c, std::string host, int port)
      : c_(std::move(c)), host_(std::move(host)), port_(port) {}

  std::string name() const override { return "Redis Streams"; }

  absl::Status CreateStream(const std::string& stream) override {
    return DeleteStream(stream);  // XADD makes it; this makes sure it starts empty.
  }

  absl::Status DeleteStream(const std::string& stream) override {
    return Command(c_.get(), {"DEL", stream}, fmt::format("DEL {}", stream)).status();
  }

  absl::Status CreateGroup(const std::string& stream, const std::string& group) override {
    return Command(c_.get(), {"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"},
                   fmt::format("XGROUP CREATE {} {}", stream, group))
        .status();
  }

  absl::StatusOr<std::unique_ptr<PeerProducer>> NewProducer(
      const std::string& stream, const ProducerSettings& settings) override {
    absl::StatusOr<Context> c = Connect(host_, port_);
    if (!c.ok()) return c.status();
    return std::make_unique<RedisProducer>(*std::move(c), stream, settings);
  }

  absl::StatusOr<std::unique_ptr<PeerConsumer>> NewConsumer(const std::string& stream,
                                                            const std::string& group, int member,
                                                            int batch_records) override {
    absl::StatusOr<Context> c = Connect(host_, port_);
    if (!c.ok()) return c.status();
    if (group.empty()) return std::make_unique<RedisReader>(*std::move(c), stream, batch_records);
    return std::make_unique<RedisGroupMember>(*std::move(c), stream, group, member,
                                              batch_records);
  }

 private:
  Context c_;  // Setup commands.
  std::string host_;
  int port_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<PeerDriver>> ConnectRedis(const std::string& host, int port) {
  absl::StatusOr<Context> c = Connect(host, port);
  if (!c.ok()) return c.status();
  return std::make_unique<RedisDriver>(*std::move(c), host, port);
}

}  // namespace brook::bench
