// client/connection.h: one TCP connection from a client to a brook broker.
//
// The building block under Producer, Consumer and Admin; applications normally use those.
// A Connection frames requests (protocol/frame.h), pipelines any number of them, and matches
// each response to its request by correlation id (the broker may answer out of order). It
// never interprets a message body: typed helpers (Call, CallAsync) encode and decode bodies
// with protocol/message_codec.h.
//
// Operation:
//   Connect() resolves the address, opens TCP (with a timeout), then asks ApiVersions once
//   and picks, per API, the highest version both sides serve. Send() writes a request from
//   the calling thread when the connection is idle (nothing queued or being written) and the
//   socket takes it without blocking: no thread hand-off. Otherwise it queues the request
//   (or its unwritten rest) and the I/O thread writes queued requests in Send order (several
//   per write). The I/O thread reads every response.
//   A response whose header carries an error becomes that request's Status (the broker's
//   code and message). Each request has a deadline; when it passes, the request fails with
//   REQUEST_TIMED_OUT and a late response is dropped. A request that timed out before it was
//   written is not written at all.
//
// Errors: every failure is an absl::Status with a wire ErrorCode (protocol/error_codes.h):
//   NETWORK_EXCEPTION   cannot connect, connection lost, not connected, or closed
//   REQUEST_TIMED_OUT   no response within the request's timeout
//   UNSUPPORTED_VERSION a call of an API the broker does not serve (Connect still succeeds)
//   INVALID_REQUEST     a bad address, or a blocking call from the I/O thread
//   anything else       the error the broker put in the response header
//
// Concurrency: every public method is thread-safe. One internal I/O thread (started by the
// constructor) does all socket work and runs every callback, one at a time, in the order the
// events happen. Callbacks must not block on this connection (no Call, Connect or Close
// from a callback); those return INVALID_REQUEST when called on the I/O thread.
//
// Lifecycle: construct (no network yet) -> Connect() -> use -> Close() (or destroy). After
// a connection loss every pending request fails with NETWORK_EXCEPTION and the connection is
// "broken"; Connect() may be called again to reconnect (same object, same I/O thread).
// Close() fails pending requests with NETWORK_EXCEPTION, runs every callback already queued,
// and joins the I/O thread; after Close() no callback runs on the I/O thread, and calls that
// would have one run it inline with NETWORK_EXCEPTION. REQUIRES: the destructor and Close()
// are not called from the I/O thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/message_codec.h"
#include "protocol/messages.h"

namespace brook::client {

struct ConnectionOptions {
  std::string address = "127.0.0.1:9292";            // host:port (protocol/host_port.h).
  std::string client_id = "brook-client";            // Sent in every request header.
  std::chrono::milliseconds connect_timeout{10000};  // Resolve + TCP connect + ApiVersions.
  uint32_t max_response_bytes = 256u << 20;  // A larger response frame breaks the connection.
};

// The options Producer, Consumer and Admin connect with: their address and client id, and a
// connect timeout of min(request_timeout, 10 s).
inline ConnectionOptions ClientConnectionOptions(std::string address, std::string client_id,
                                                 std::chrono::milliseconds request_timeout) {
  ConnectionOptions options;
  options.address = std::move(address);
  options.client_id = std::move(client_id);
  options.connect_timeout =
      std::min<std::chrono::milliseconds>(request_timeout, std::chrono::seconds(10));
  return options;
}

// A response whose header said NONE: the whole frame payload and the body inside it.
struct RawResponse {
  std::shared_ptr<const std::string> frame;
  std::string_view body;  // Points into *frame.
};

// A decoded response. The string_view fields of `message` point into *frame, which this
// object keeps alive; moving a Reply keeps them valid.
template <class M>
struct Reply {
  std::shared_ptr<const std::string> frame;
  M message;
};

using ResponseCallback = absl::AnyInvocable<void(absl::StatusOr<RawResponse>)>;
using WrittenCallback = absl::AnyInvocable<void(absl::Status)>;

class Connection {
 public:
  // Starts the I/O thread. Does not connect. The address is parsed by Connect().
  explicit Connection(ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects, then negotiates versions with ApiVersions. Returns OK at once when already
  // connected; concurrent calls are serialized (the second sees the first's connection).
  // Errors (each message names the address):
  //   INVALID_REQUEST     the address does not parse; or called on the I/O thread
  //   NETWORK_EXCEPTION   "cannot connect to A: connection refused — is `brook serve`
  //                       running?", "...: timed out after N ms ...", "...: unknown host 'h'",
  //                       or the connection was closed
  //   REQUEST_TIMED_OUT / the broker's error, for the ApiVersions request itself.
  absl::Status Connect();

  // True between a successful Connect() and a connection loss or Close().
  bool connected() const;
  const std::string& address() const;

  // Queues a request. `done` runs exactly once on the I/O thread: with the response, with
  // the broker's error from the response header, with REQUEST_TIMED_OUT after `timeout`, or
  // with NETWORK_EXCEPTION when not connected / the connection is lost or closed. Never runs
  // `done` inline (except after Close(), see Lifecycle).
  void Send(ApiKey api_key, int16_t version, std::string body, std::chrono::milliseconds timeout,
            ResponseCallback done);

  // Queues a request that gets no response (Produce with acks=0). `written` (may be empty)
  // runs on the I/O thread once the request is written to the socket (OK) or cannot be
  // (NETWORK_EXCEPTION).
  void SendOneWay(ApiKey api_key, int16_t version, std::string body, WrittenCallback written);

  // Runs `fn` on the I/O thread, after the callbacks already queued. After Close(), runs it
  // inline on the caller's thread.
  void Post(absl::AnyInvocable<void()> fn);

  // True when the caller is running on this connection's I/O thread.
  bool InIoThread() const;

  // The version to use for `key`: the highest both sides serve (negotiated by Connect(),
  // capped at `client_max`); `client_max` before the first Connect(); kNotServed when the
  // broker serves no version this client can use (calls of that API then fail with
  // UNSUPPORTED_VERSION; the other APIs work).
  static constexpr int16_t kNotServed = -2;
  int16_t VersionFor(ApiKey key, int16_t client_max) const;
  // The UNSUPPORTED_VERSION error of an API the broker does not serve.
  absl::Status NotServed(ApiKey key, int16_t client_max) const;

  // Fails pending requests with NETWORK_EXCEPTION, closes the socket, runs queued callbacks,
  // joins the I/O thread. Idempotent. REQUIRES: not called on the I/O thread.
  void Close();

  // ---- Typed helpers -----------------------------------------------------------------------

  // Encodes `request` at the negotiated version, sends it, and decodes the response.
  // `done` runs on the I/O thread with the outcomes of Send(), or INVALID_REQUEST when the
  // response body does not decode.
  template <class Req>
  void CallAsync(const Req& request, std::chrono::milliseconds timeout,
                 absl::AnyInvocable<void(absl::StatusOr<Reply<typename Req::Response>>)> done) {
    const int16_t version = VersionFor(Req::kApiKey, Req::kMaxVersion);
    if (version == kNotServed) {
      Post([done = std::move(done), status = NotServed(Req::kApiKey, Req::kMaxVersion)]() mutable {
        done(status);
      });
      return;
    }
    std::string body;
    EncodeMessage(request, version, &body);
    Send(
        Req::kApiKey, version, std::move(body), timeout,
        [version, done = std::move(done)](absl::StatusOr<RawResponse> raw) mutable {
          done(DecodeReply<typename Req::Response>(std::move(raw), version, ApiName(Req::kApiKey)));
        });
  }

  // The blocking form of CallAsync. Errors: those of CallAsync; INVALID_REQUEST when called
  // on the I/O thread (it would wait for itself).
  template <class Req>
  absl::StatusOr<Reply<typename Req::Response>> Call(const Req& request,
                                                     std::chrono::milliseconds timeout) {
    using Result = absl::StatusOr<Reply<typename Req::Response>>;
    if (InIoThread()) return BlockingCallOnIoThread(ApiName(Req::kApiKey));
    std::promise<Result> promise;
    std::future<Result> future = promise.get_future();
    CallAsync(request, timeout, [promise = std::move(promise)](Result result) mutable {
      promise.set_value(std::move(result));
    });
    return future.get();
  }

  // Decodes a raw response body as M. Errors: the raw error; INVALID_REQUEST when the body
  // does not decode (the message names the API).
  template <class M>
  static absl::StatusOr<Reply<M>> DecodeReply(absl::StatusOr<RawResponse> raw, int16_t version,
                                              std::string_view api_name) {
    if (!raw.ok()) return raw.status();
    absl::StatusOr<M> message = DecodeMessage<M>(raw->body, version);
    if (!message.ok()) {
      return MakeError(CodeOf(message.status()),
                       fmt::format("cannot decode the broker's {} response: {}", api_name,
                                   std::string_view(message.status().message().data(),
                                                    message.status().message().size())));
    }
    return Reply<M>{std::move(raw->frame), *std::move(message)};
  }

 private:
  class Impl;
  static absl::Status BlockingCallOnIoThread(std::string_view api_name);

  std::unique_ptr<Impl> impl_;
};

}  // namespace brook::client
