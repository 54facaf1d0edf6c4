#include "client/connection.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/uio.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "protocol/host_port.h"
#include "client/sync.h"
#include "protocol/absl_compat.h"
#include "protocol/frame.h"
#include "protocol/wire.h"

namespace brook::client {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kReadBufferBytes = 64 << 10;
// The API keys this client knows, in AllRequests order: a key's position indexes its negotiated
// version.
template <size_t... I>
constexpr std::array<ApiKey, sizeof...(I)> KeysOf(std::index_sequence<I...>) {
  return {std::tuple_element_t<I, AllRequests>::kApiKey...};
}
constexpr auto kApiKeys = KeysOf(std::make_index_sequence<std::tuple_size_v<AllRequests>>());
constexpr size_t kApiCount = kApiKeys.size();

// The position of `key` in kApiKeys, or kApiCount for a key this client does not know.
size_t ApiIndex(ApiKey key) {
  return static_cast<size_t>(std::find(kApiKeys.begin(), kApiKeys.end(), key) - kApiKeys.begin());
}
constexpr std::chrono::milliseconds kMaxTimeout = std::chrono::hours(24 * 365);

// Per-socket state. A new Link is made for every connection; handlers hold a shared_ptr to
// theirs and stop touching anything once it is dead, so a late handler of a lost connection
// can never act on its successor. Only the I/O thread touches a Link.
struct Link {
  explicit Link(asio::io_context& io) : socket(io), rbuf(kReadBufferBytes, '\0') {}
  tcp::socket socket;
  bool dead = false;
  // Reading: small frames are parsed out of rbuf; a frame larger than rbuf is read straight
  // into its own buffer (`big`), so large fetch responses are copied once.
  std::string rbuf;
  size_t rlen = 0;
  std::shared_ptr<std::string> big;
  size_t big_have = 0;
  // Writing: the requests of the write in progress and their buffers.
  struct Outbound {
    std::string header;  // Length prefix and request header.
    std::string body;
    int32_t correlation_id = 0;
    bool one_way = false;
    bool started = false;     // Part of it is on the wire (WriteNow): the rest must follow.
    WrittenCallback written;  // one_way only.
  };
  std::vector<Outbound> writing;
  std::vector<asio::const_buffer> buffers;
};
using Outbound = Link::Outbound;

// One connect attempt (resolve + TCP connect) racing its timer. I/O thread only.
struct Attempt {
  explicit Attempt(asio::io_context& io) : resolver(io), timer(io) {}
  tcp::resolver resolver;
  asio::steady_timer timer;
  std::shared_ptr<Link> link;
  bool done = false;
  std::promise<absl::Status> result;
};

std::string ConnectError(std::string_view address, std::string_view why) {
  return fmt::format("cannot connect to {}: {}", address, why);
}

}  // namespace

class Connection::Impl {
 public:
  explicit Impl(ConnectionOptions options)
      : options_(std::move(options)), work_(asio::make_work_guard(io_)), deadline_timer_(io_) {
    for (auto& v : versions_) v.store(-1, std::memory_order_relaxed);
    thread_ = std::thread([this] { io_.run(); });
    io_thread_id_ = thread_.get_id();
  }

  ~Impl() { Close(); }

  bool InIoThread() const { return std::this_thread::get_id() == io_thread_id_; }
  const std::string& address() const { return options_.address; }

  bool connected() const {
    MutexLock lock(&mu_);
    return state_ == State::kConnected;
  }

  int16_t VersionFor(ApiKey key, int16_t client_max) const {
    const size_t index = ApiIndex(key);
    if (index >= kApiCount) return client_max;
    const int16_t negotiated = versions_[index].load(std::memory_order_acquire);
    if (negotiated == Connection::kNotServed) return Connection::kNotServed;
    return negotiated < 0 ? client_max : std::min(negotiated, client_max);
  }

  absl::Status Connect();
  void Send(ApiKey api_key, int16_t version, std::string body, std::chrono::milliseconds timeout,
            ResponseCallback done, bool handshake);
  void SendOneWay(ApiKey api_key, int16_t version, std::string body, WrittenCallback written);
  void Post(absl::AnyInvocable<void()> fn);
  void Close();

 private:
  enum class State { kIdle, kConnecting, kHandshaking, kConnected, kBroken, kClosed };
  struct Pending {
    ResponseCallback done;
    Clock::time_point deadline;
    ApiKey api_key;
    std::chrono::milliseconds timeout;
  };

  // ---- I/O thread ---------------------------------------------------------------------------
  void StartConnect(const HostPort& target, Clock::time_point deadline,
                    std::shared_ptr<Attempt> attempt);
  void FinishAttempt(const std::shared_ptr<Attempt>& attempt, absl::Status status);
  void StartRead(std::shared_ptr<Link> link);
  void OnRead(const std::shared_ptr<Link>& link, size_t n);
  void Dispatch(const std::shared_ptr<Link>& link, std::shared_ptr<const std::string> frame);
  void WriteMore(std::shared_ptr<Link> link);
  // On the calling thread, when the connection is up and no write is queued or in progress:
  // writes what the socket takes without blocking. Returns true when all of `out` went;
  // else `out` keeps what is left, for the I/O thread.
  bool WriteNow(Outbound& out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnWritten(const std::shared_ptr<Link>& link, boost::system::error_code ec);
  void LinkFailed(const std::shared_ptr<Link>& link, std::string_view reason);
  void ArmDeadline();
  void OnDeadline();
  void Shutdown(std::vector<Pending> pending, std::vector<Outbound> queued);

  absl::Status Handshake(Clock::time_point deadline);
  absl::Status Negotiate(const ApiVersionsResponse& response);
  std::string MakeHeader(ApiKey api_key, int16_t version, int32_t correlation_id,
                         size_t body_size) const;
  absl::Status Lost(std::string_view reason) const {
    return MakeError(ErrorCode::kNetworkException,
                     fmt::format("connection to {} lost: {}", options_.address, reason));
  }
  absl::Status NotConnected() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return MakeError(ErrorCode::kNetworkException,
                     state_ == State::kClosed
                         ? fmt::format("connection to {} is closed", options_.address)
                         : fmt::format("not connected to {}", options_.address));
  }
  // Takes everything waiting for a response or a write. The caller fails them.
  void TakeAll(std::vector<Pending>* pending, std::vector<Outbound>* queued)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void FailAll(std::vector<Pending> pending, std::vector<Outbound> queued,
                      const absl::Status& status);

  const ConnectionOptions options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::thread::id io_thread_id_;
  std::array<std::atomic<int16_t>, kApiCount> versions_;  // By ApiIndex.

  // I/O thread only.
  asio::steady_timer deadline_timer_;
  std::shared_ptr<Link> link_;        // The current connection, if any.
  std::shared_ptr<Attempt> attempt_;  // The connect attempt in progress, if any.

  Mutex connect_mu_;  // Serializes Connect(); held across the whole attempt.
  mutable Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kIdle;
  int32_t next_correlation_id_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_map<int32_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<Clock::time_point, int32_t>> deadlines_ ABSL_GUARDED_BY(mu_);
  // The deadline the timer is (about to be) armed for; Send posts a re-arm only when its
  // request's deadline is earlier.
  Clock::time_point armed_deadline_ ABSL_GUARDED_BY(mu_) = Clock::time_point::max();
  std::vector<Outbound> queue_ ABSL_GUARDED_BY(mu_);  // Not yet handed to a write.
  bool writer_active_ ABSL_GUARDED_BY(mu_) = false;   // A WriteMore is posted or running.
  // The current link's socket, for WriteNow; -1 when there is none. The I/O thread closes a
  // socket only under mu_ after resetting this, so WriteNow never writes to a reused fd.
  int direct_fd_ ABSL_GUARDED_BY(mu_) = -1;
  bool close_started_ ABSL_GUARDED_BY(mu_) = false;
};

// ---- Connect ----------------------------------------------------------------------------------

absl::Status Connection::Impl::Connect() {
  if (InIoThread()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     "Connect() was called on the connection's I/O thread (from a callback)");
  }
  MutexLock connect_lock(&connect_mu_);
  absl::StatusOr<HostPort> target = ParseHostPort(options_.address, kBrokerAddress);
  if (!target.ok()) return target.status();
  const Clock::time_point deadline = Clock::now() + options_.connect_timeout;
  std::future<absl::Status> connected;
  {
    MutexLock lock(&mu_);
    if (state_ == State::kConnected) return absl::OkStatus();
    if (state_ == State::kClosed) return NotConnected();
    state_ = State::kConnecting;
    auto attempt = std::make_shared<Attempt>(io_);
    connected = attempt->result.get_future();
    asio::post(io_, [this, target = *target, deadline, attempt] {
      StartConnect(target, deadline, attempt);
    });
  }
  absl::Status status = connected.get();
  if (status.ok()) {
    status = Handshake(deadline);
    const ErrorCode code = CodeOf(status);
    if (code == ErrorCode::kRequestTimedOut || code == ErrorCode::kNetworkException) {
      status = MakeError(
          ErrorCode::kNetworkException,
          ConnectError(options_.address,
                       fmt::format("the ApiVersions handshake failed: {}", MessageOf(status))));
    }
  }
  MutexLock lock(&mu_);
  if (state_ == State::kClosed) return NotConnected();
  if (!status.ok()) {
    state_ = State::kBroken;
    std::vector<Pending> pending;
    std::vector<Outbound> queued;
    TakeAll(&pending, &queued);
    asio::post(io_,
               [this, pending = std::move(pending), queued = std::move(queued), status]() mutable {
                 if (link_) LinkFailed(link_, "the handshake failed");
                 FailAll(std::move(pending), std::move(queued), status);
               });
    return status;
  }
  if (state_ != State::kHandshaking) {
    state_ = State::kBroken;
    return Lost("the connection dropped right after the handshake");
  }
  state_ = State::kConnected;
  return absl::OkStatus();
}

void Connection::Impl::StartConnect(const HostPort& target, Clock::time_point deadline,
                                    std::shared_ptr<Attempt> attempt) {
  {
    MutexLock lock(&mu_);
    if (state_ == State::kClosed) {
      attempt->done = true;
      attempt->result.set_value(NotConnected());
      return;
    }
  }
  if (link_) LinkFailed(link_, "reconnecting");
  attempt_ = attempt;
  attempt->link = std::make_shared<Link>(io_);
  attempt->timer.expires_at(deadline);
  attempt->timer.async_wait([this, attempt](boost::system::error_code ec) {
    if (ec || attempt->done) return;
    FinishAttempt(attempt, MakeError(ErrorCode::kNetworkException,
                                     ConnectError(options_.address,
                                                  fmt::format("timed out after {} ms — is the "
                                                              "broker reachable at this address?",
                                                              options_.connect_timeout.count()))));
  });
  attempt->resolver.async_resolve(
      target.host, std::to_string(target.port),
      [this, attempt, host = target.host](boost::system::error_code ec,
                                          tcp::resolver::results_type endpoints) {
        if (attempt->done) return;
        if (ec) {
          const bool unknown = ec == asio::error::host_not_found ||
                               ec == asio::error::host_not_found_try_again ||
                               ec == asio::error::no_data;
          FinishAttempt(attempt,
                        MakeError(ErrorCode::kNetworkException,
                                  ConnectError(options_.address,
                                               unknown ? fmt::format("unknown host '{}'", host)
                                                       : ec.message())));
          return;
        }
        asio::async_connect(
            attempt->link->socket, endpoints,
            [this, attempt](boost::system::error_code ec, const tcp::endpoint&) {
              if (attempt->done) return;
              if (ec) {
                FinishAttempt(
                    attempt,
                    MakeError(ErrorCode::kNetworkException,
                              ConnectError(options_.address,
                                           ec == asio::error::connection_refused
                                               ? "connection refused — is `brook serve` running?"
                                               : ec.message())));
                return;
              }
              boost::system::error_code ignored;
              attempt->link->socket.set_option(tcp::no_delay(true), ignored);
              {
                MutexLock lock(&mu_);
                if (state_ == State::kConnecting) state_ = State::kHandshaking;
                writer_active_ = false;
                direct_fd_ = attempt->link->socket.native_handle();
              }
              link_ = attempt->link;
              StartRead(link_);
              FinishAttempt(attempt, absl::OkStatus());
            });
      });
}

void Connection::Impl::FinishAttempt(const std::shared_ptr<Attempt>& attempt, absl::Status status) {
  attempt->done = true;
  boost::system::error_code ignored;
  attempt->timer.cancel();
  attempt->resolver.cancel();
  if (!status.ok()) attempt->link->socket.close(ignored);
  if (attempt_ == attempt) attempt_.reset();
  attempt->result.set_value(std::move(status));
}

absl::Status Connection::Impl::Handshake(Clock::time_point deadline) {
  std::promise<absl::StatusOr<RawResponse>> promise;
  std::future<absl::StatusOr<RawResponse>> future = promise.get_future();
  const auto timeout =
      std::max(std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()),
               std::chrono::milliseconds(1));
  Send(
      ApiKey::kApiVersions, 0, std::string(), timeout,
      [promise = std::move(promise)](absl::StatusOr<RawResponse> raw) mutable {
        promise.set_value(std::move(raw));
      },
      /*handshake=*/true);
  absl::StatusOr<Reply<ApiVersionsResponse>> reply =
      Connection::DecodeReply<ApiVersionsResponse>(future.get(), 0, "ApiVersions");
  if (!reply.ok()) return reply.status();
  return Negotiate(reply->message);
}

absl::Status Connection::Impl::Negotiate(const ApiVersionsResponse& response) {
  std::array<int16_t, kApiCount> chosen;
  chosen.fill(Connection::kNotServed);
  auto choose = [&]<class Req>(const Req*) {
    const auto key = static_cast<int16_t>(Req::kApiKey);
    const auto it = std::find_if(response.api_keys.begin(), response.api_keys.end(),
                                 [&](const auto& range) { return range.api_key == key; });
    if (it == response.api_keys.end()) return;
    const int16_t version = std::min(it->max_version, Req::kMaxVersion);
    if (version >= it->min_version && version >= 0) chosen[ApiIndex(Req::kApiKey)] = version;
  };
  std::apply([&](const auto&... requests) { (choose(&requests), ...); }, AllRequests{});
  for (size_t i = 0; i < kApiCount; ++i) versions_[i].store(chosen[i], std::memory_order_release);
  return absl::OkStatus();
}

// ---- Sending ----------------------------------------------------------------------------------

std::string Connection::Impl::MakeHeader(ApiKey api_key, int16_t version, int32_t correlation_id,
                                         size_t body_size) const {
  std::string header;
  BeginRequestFrame(
      RequestHeader{static_cast<int16_t>(api_key), version, correlation_id, options_.client_id},
      &header);
  wire::Writer(&header).PatchInt32(
      0, static_cast<int32_t>(header.size() - kFrameLengthSize + body_size));
  return header;
}

void Connection::Impl::Send(ApiKey api_key, int16_t version, std::string body,
                            std::chrono::milliseconds timeout, ResponseCallback done,
                            bool handshake) {
  MutexLock lock(&mu_);
  if (state_ == State::kClosed) {
    absl::Status status = NotConnected();
    lock.Release();
    done(std::move(status));
    return;
  }
  if (state_ != State::kConnected && !(handshake && state_ == State::kHandshaking)) {
    asio::post(io_, [done = std::move(done), status = NotConnected()]() mutable {
      done(std::move(status));
    });
    return;
  }
  int32_t correlation_id;
  do {
    correlation_id = next_correlation_id_;
    next_correlation_id_ =
        next_correlation_id_ == std::numeric_limits<int32_t>::max() ? 1 : next_correlation_id_ + 1;
  } while (pending_.contains(correlation_id));
  // Clamped so that "forever" (e.g. milliseconds::max()) cannot overflow the clock.
  const Clock::time_point deadline =
      Clock::now() + std::clamp(timeout, std::chrono::milliseconds(0), kMaxTimeout);
  pending_.emplace(correlation_id, Pending{std::move(done), deadline, api_key, timeout});
  deadlines_.emplace(deadline, correlation_id);
  Outbound out;
  out.header = MakeHeader(api_key, version, correlation_id, body.size());
  out.body = std::move(body);
  out.correlation_id = correlation_id;
  if (!WriteNow(out)) {
    queue_.push_back(std::move(out));
    if (!writer_active_) {
      writer_active_ = true;
      asio::post(io_, [this, link = link_] { WriteMore(link); });
    }
  }
  if (deadline < armed_deadline_) {
    armed_deadline_ = deadline;
    asio::post(io_, [this] { ArmDeadline(); });
  }
}

void Connection::Impl::SendOneWay(ApiKey api_key, int16_t version, std::string body,
                                  WrittenCallback written) {
  MutexLock lock(&mu_);
  if (state_ != State::kConnected) {
    absl::Status status = NotConnected();
    if (state_ == State::kClosed) {
      lock.Release();
      if (written) written(std::move(status));
    } else {
      asio::post(io_, [written = std::move(written), status]() mutable {
        if (written) written(std::move(status));
      });
    }
    return;
  }
  // The broker sends no response, so the id is only for its logs; it never enters pending_.
  const int32_t correlation_id = next_correlation_id_;
  next_correlation_id_ =
      next_correlation_id_ == std::numeric_limits<int32_t>::max() ? 1 : next_correlation_id_ + 1;
  Outbound out;
  out.header = MakeHeader(api_key, version, correlation_id, body.size());
  out.body = std::move(body);
  out.one_way = true;
  out.written = std::move(written);
  queue_.push_back(std::move(out));
  if (!writer_active_) {
    writer_active_ = true;
    asio::post(io_, [this, link = link_] { WriteMore(link); });
  }
}

void Connection::Impl::Post(absl::AnyInvocable<void()> fn) {
  MutexLock lock(&mu_);
  if (close_started_ && !InIoThread()) {
    // The I/O thread is stopping (or gone): run inline so the work is never lost.
    lock.Release();
    fn();
    return;
  }
  asio::post(io_, std::move(fn));
}

bool Connection::Impl::WriteNow(Outbound& out) {
  if (state_ != State::kConnected || direct_fd_ < 0 || writer_active_ || !queue_.empty()) {
    return false;
  }
  iovec parts[2] = {{out.header.data(), out.header.size()}, {out.body.data(), out.body.size()}};
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = out.body.empty() ? 1 : 2;
  const ssize_t sent = ::sendmsg(direct_fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  // A failed write leaves the request to the I/O thread, whose write or read then reports
  // the connection's loss.
  size_t done = sent > 0 ? static_cast<size_t>(sent) : 0;
  if (done == out.header.size() + out.body.size()) return true;
  const size_t from_header = std::min(done, out.header.size());
  out.header.erase(0, from_header);
  out.body.erase(0, done - from_header);
  out.started = done > 0;
  return false;
}

// WriteMore and Send race on `link_`: Send captures whatever link_ is when it posts; that is
// harmless, because WriteMore always writes to the current link and re-checks it.
void Connection::Impl::WriteMore(std::shared_ptr<Link> /*posted_for*/) {
  // One write at a time per link: WriteMore is posted only when writer_active_ was false,
  // and is called again by OnWritten, so link->writing is empty here.
  std::shared_ptr<Link> link = link_;
  {
    MutexLock lock(&mu_);
    if (!link || link->dead || queue_.empty()) {
      writer_active_ = false;
      return;
    }
    link->writing.reserve(queue_.size());
    for (Outbound& out : queue_) {
      // A request that timed out while queued has failed already: do not send it (unless it
      // is partly written, as the stream must stay whole).
      if (!out.one_way && !out.started && !pending_.contains(out.correlation_id)) continue;
      link->writing.push_back(std::move(out));
    }
    queue_.clear();
  }
  link->buffers.clear();
  for (const Outbound& out : link->writing) {
    link->buffers.push_back(asio::buffer(out.header));
    if (!out.body.empty()) link->buffers.push_back(asio::buffer(out.body));
  }
  if (link->writing.empty()) {
    OnWritten(link, {});
    return;
  }
  asio::async_write(link->socket, link->buffers,
                    [this, link](boost::system::error_code ec, size_t) { OnWritten(link, ec); });
}

void Connection::Impl::OnWritten(const std::shared_ptr<Link>& link, boost::system::error_code ec) {
  std::vector<Outbound> written = std::move(link->writing);
  link->writing.clear();
  link->buffers.clear();
  absl::Status status = absl::OkStatus();
  if (ec) {
    status = Lost(ec.message());
    LinkFailed(link, ec.message());
  }
  for (Outbound& out : written) {
    if (out.one_way && out.written) out.written(status);
  }
  if (!link->dead) WriteMore(link);
}

// ---- Reading ----------------------------------------------------------------------------------

void Connection::Impl::StartRead(std::shared_ptr<Link> link) {
  if (link->dead) return;
  if (link->big) {
    std::string& big = *link->big;
    asio::async_read(link->socket,
                     asio::buffer(big.data() + link->big_have, big.size() - link->big_have),
                     [this, link](boost::system::error_code ec, size_t n) {
                       if (link->dead) return;
                       if (ec) return LinkFailed(link, ec.message());
                       std::shared_ptr<const std::string> frame = std::move(link->big);
                       link->big.reset();
                       link->big_have = 0;
                       Dispatch(link, std::move(frame));
                       StartRead(link);
                     });
    return;
  }
  link->socket.async_read_some(
      asio::buffer(link->rbuf.data() + link->rlen, link->rbuf.size() - link->rlen),
      [this, link](boost::system::error_code ec, size_t n) {
        if (link->dead) return;
        if (ec) {
          return LinkFailed(
              link, ec == asio::error::eof ? "the broker closed the connection" : ec.message());
        }
        OnRead(link, n);
        StartRead(link);
      });
}

void Connection::Impl::OnRead(const std::shared_ptr<Link>& link, size_t n) {
  link->rlen += n;
  size_t pos = 0;
  while (!link->dead) {
    const std::string_view buffered(link->rbuf.data() + pos, link->rlen - pos);
    const FrameResult frame = DecodeFrame(buffered, options_.max_response_bytes);
    if (frame.status == FrameStatus::kTooLarge) {
      return LinkFailed(link, fmt::format("a response frame of {} bytes exceeds the limit of {}",
                                          frame.declared_size, options_.max_response_bytes));
    }
    if (frame.status == FrameStatus::kComplete) {
      pos += frame.consumed;
      Dispatch(link, std::make_shared<const std::string>(frame.payload));
      continue;
    }
    const size_t have = buffered.size();
    if (have >= kFrameLengthSize && kFrameLengthSize + frame.declared_size > link->rbuf.size()) {
      // Too large for rbuf: read the rest of this frame straight into its own buffer.
      link->big = std::make_shared<std::string>(frame.declared_size, '\0');
      link->big_have = have - kFrameLengthSize;
      std::memcpy(link->big->data(), buffered.data() + kFrameLengthSize, link->big_have);
      link->rlen = 0;
      return;
    }
    std::memmove(link->rbuf.data(), buffered.data(), have);
    link->rlen = have;
    return;
  }
}

void Connection::Impl::Dispatch(const std::shared_ptr<Link>& link,
                                std::shared_ptr<const std::string> frame) {
  std::string_view body;
  absl::StatusOr<ResponseHeader> header = ParseResponseHeader(*frame, &body);
  if (!header.ok()) return LinkFailed(link, "the broker sent a malformed response header");
  ResponseCallback done;
  {
    MutexLock lock(&mu_);
    auto it = pending_.find(header->correlation_id);
    if (it == pending_.end()) return;  // Timed out already: drop the late response.
    done = std::move(it->second.done);
    deadlines_.erase({it->second.deadline, header->correlation_id});
    pending_.erase(it);
  }
  if (header->error_code != ErrorCode::kNone) {
    done(MakeError(header->error_code, header->error_message
                                           ? *header->error_message
                                           : std::string(ErrorDescription(header->error_code))));
    return;
  }
  done(RawResponse{std::move(frame), body});
}

// ---- Failure, deadlines, shutdown -------------------------------------------------------------

void Connection::Impl::TakeAll(std::vector<Pending>* pending, std::vector<Outbound>* queued) {
  pending->reserve(pending_.size());
  for (auto& [id, p] : pending_) pending->push_back(std::move(p));
  pending_.clear();
  deadlines_.clear();
  *queued = std::move(queue_);
  queue_.clear();
}

void Connection::Impl::FailAll(std::vector<Pending> pending, std::vector<Outbound> queued,
                               const absl::Status& status) {
  for (Pending& p : pending) p.done(status);
  for (Outbound& out : queued) {
    if (out.one_way && out.written) out.written(status);
  }
}

void Connection::Impl::LinkFailed(const std::shared_ptr<Link>& link, std::string_view reason) {
  if (link->dead) return;
  link->dead = true;
  boost::system::error_code ignored;
  if (link != link_) {
    link->socket.close(ignored);
    return;
  }
  std::vector<Pending> pending;
  std::vector<Outbound> queued;
  {
    MutexLock lock(&mu_);
    direct_fd_ = -1;
    link->socket.close(ignored);
    link_.reset();  // Last: `link` may be a reference to link_.
    if (state_ == State::kConnected || state_ == State::kHandshaking) state_ = State::kBroken;
    TakeAll(&pending, &queued);
    writer_active_ = false;
  }
  FailAll(std::move(pending), std::move(queued), Lost(reason));
}

void Connection::Impl::ArmDeadline() {
  MutexLock lock(&mu_);
  if (deadlines_.empty()) {
    armed_deadline_ = Clock::time_point::max();
    deadline_timer_.cancel();
    return;
  }
  armed_deadline_ = deadlines_.begin()->first;
  deadline_timer_.expires_at(armed_deadline_);
  deadline_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec != asio::error::operation_aborted) OnDeadline();
  });
}

void Connection::Impl::OnDeadline() {
  std::vector<Pending> expired;
  {
    MutexLock lock(&mu_);
    const Clock::time_point now = Clock::now();
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      auto it = pending_.find(deadlines_.begin()->second);
      deadlines_.erase(deadlines_.begin());
      if (it == pending_.end()) continue;
      expired.push_back(std::move(it->second));
      pending_.erase(it);
    }
  }
  for (Pending& p : expired) {
    p.done(MakeError(ErrorCode::kRequestTimedOut,
                     fmt::format("{} request to {} timed out after {} ms", ApiName(p.api_key),
                                 options_.address, p.timeout.count())));
  }
  ArmDeadline();
}

void Connection::Impl::Close() {
  if (InIoThread()) {
    std::fprintf(stderr,
                 "brook client: a Connection was closed or destroyed from its own I/O thread "
                 "(a callback); this would deadlock\n");
    std::abort();
  }
  {
    MutexLock lock(&mu_);
    if (close_started_) {
      // Another thread is closing; wait for it by joining below only if we are first.
    } else {
      close_started_ = true;
      state_ = State::kClosed;
      std::vector<Pending> pending;
      std::vector<Outbound> queued;
      TakeAll(&pending, &queued);
      asio::post(io_, [this, pending = std::move(pending), queued = std::move(queued)]() mutable {
        Shutdown(std::move(pending), std::move(queued));
      });
    }
  }
  MutexLock connect_lock(&connect_mu_);  // Waits for a Connect() in progress to return.
  if (thread_.joinable()) thread_.join();
}

void Connection::Impl::Shutdown(std::vector<Pending> pending, std::vector<Outbound> queued) {
  if (attempt_) {
    FinishAttempt(attempt_, MakeError(ErrorCode::kNetworkException,
                                      ConnectError(options_.address, "the connection was closed")));
  }
  if (link_) {
    std::shared_ptr<Link> link = link_;
    link->dead = true;
    boost::system::error_code ignored;
    MutexLock lock(&mu_);
    direct_fd_ = -1;
    link->socket.close(ignored);
    link_.reset();
  }
  deadline_timer_.cancel();
  FailAll(std::move(pending), std::move(queued),
          MakeError(ErrorCode::kNetworkException,
                    fmt::format("connection to {} is closed", options_.address)));
  work_.reset();  // run() returns once the handlers already queued have run.
}

// ---- Connection -------------------------------------------------------------------------------

Connection::Connection(ConnectionOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
Connection::~Connection() = default;

absl::Status Connection::Connect() { return impl_->Connect(); }
bool Connection::connected() const { return impl_->connected(); }
const std::string& Connection::address() const { return impl_->address(); }
bool Connection::InIoThread() const { return impl_->InIoThread(); }
int16_t Connection::VersionFor(ApiKey key, int16_t client_max) const {
  return impl_->VersionFor(key, client_max);
}
void Connection::Send(ApiKey api_key, int16_t version, std::string body,
                      std::chrono::milliseconds timeout, ResponseCallback done) {
  impl_->Send(api_key, version, std::move(body), timeout, std::move(done), /*handshake=*/false);
}
void Connection::SendOneWay(ApiKey api_key, int16_t version, std::string body,
                            WrittenCallback written) {
  impl_->SendOneWay(api_key, version, std::move(body), std::move(written));
}
void Connection::Post(absl::AnyInvocable<void()> fn) { impl_->Post(std::move(fn)); }
void Connection::Close() { impl_->Close(); }

absl::Status Connection::NotServed(ApiKey key, int16_t client_max) const {
  return MakeError(ErrorCode::kUnsupportedVersion,
                   fmt::format("the broker at {} does not serve {} v0..v{}; use a client and "
                               "broker of matching versions",
                               address(), ApiName(key), client_max));
}

absl::Status Connection::BlockingCallOnIoThread(std::string_view api_name) {
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("a blocking {} call was made on the connection's I/O thread (from "
                               "a callback); it would wait for itself",
                               api_name));
}

}  // namespace brook::client
