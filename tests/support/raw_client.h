// tests/support/raw_client.h: a blocking TCP client that speaks raw bytes and frames, for
// protocol-level tests (malformed input, pipelining) that must not go through client/.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/frame.h"
#include "protocol/message_codec.h"
#include "protocol/messages.h"

namespace brook::testing {

class RawClient {
 public:
  // Connects to "127.0.0.1:PORT"; ok() tells whether it worked.
  explicit RawClient(const std::string& bootstrap) {
    const uint16_t port = static_cast<uint16_t>(std::stoi(bootstrap.substr(bootstrap.rfind(':') + 1)));
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool ok() const { return fd_ >= 0; }

  bool SendBytes(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Sends what the socket takes now of `bytes`, without waiting for the rest.
  void SendBytesNonBlocking(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Encodes and sends a request frame.
  template <class Request>
  bool Send(const Request& request, int32_t correlation_id, int16_t version = 0) {
    std::string frame;
    BeginRequestFrame(RequestHeader{static_cast<int16_t>(Request::kApiKey), version,
                                    correlation_id, std::string("raw-test")},
                      &frame);
    EncodeMessage(request, version, &frame);
    FinishFrame(&frame);
    return SendBytes(frame);
  }

  // Reads one response frame payload; nullopt on close or after `timeout_ms`.
  std::optional<std::string> ReadFrame(int timeout_ms = 5000) {
    std::string length;
    if (!ReadExactly(4, &length, timeout_ms)) return std::nullopt;
    std::string payload;
    if (!ReadExactly(DecodeFrameLength(length), &payload, timeout_ms)) return std::nullopt;
    return payload;
  }

  // True when the broker closed the connection within `timeout_ms`.
  bool WaitClosed(int timeout_ms = 5000) {
    std::string ignored;
    while (ReadExactly(1, &ignored, timeout_ms)) ignored.clear();
    return closed_;
  }

 private:
  bool ReadExactly(size_t n, std::string* out, int timeout_ms) {
    out->resize(n);
    size_t got = 0;
    while (got < n) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) return false;
      ssize_t r = ::recv(fd_, out->data() + got, n - got, 0);
      if (r <= 0) {
        closed_ = true;
        return false;
      }
      got += static_cast<size_t>(r);
    }
    return true;
  }

  int fd_ = -1;
  bool closed_ = false;
};

// The correlation id of a response payload (its first field), whatever the message.
inline int32_t CorrelationIdOf(const std::string& payload) {
  std::string_view body;
  auto header = ParseResponseHeader(payload, &body);
  return header.ok() ? header->correlation_id : -1;
}

// Creates a topic over `client`; true when the broker answered NONE for it.
inline bool CreateTopic(RawClient& client, const std::string& name, int32_t partitions) {
  CreateTopicsRequest create;
  create.topics.push_back({name, partitions, {}});
  if (!client.Send(create, 0)) return false;
  std::optional<std::string> payload = client.ReadFrame();
  if (!payload) return false;
  std::string_view body;
  auto header = ParseResponseHeader(*payload, &body);
  if (!header.ok() || header->error_code != ErrorCode::kNone) return false;
  auto response = DecodeMessage<CreateTopicsResponse>(body, 0);
  return response.ok() && response->topics.size() == 1 &&
         response->topics[0].error_code == ErrorCode::kNone;
}

// A decoded response that owns its payload: `second`'s string_views point into it.
template <class Response>
struct Reply {
  std::shared_ptr<const std::string> payload;
  ResponseHeader first;
  Response second;
};

// Splits a response payload into its header and decodes the body as `Response` at `version`.
template <class Response>
std::optional<Reply<Response>> DecodeReply(std::string payload, int16_t version = 0) {
  auto owned = std::make_shared<const std::string>(std::move(payload));
  std::string_view body;
  auto header = ParseResponseHeader(*owned, &body);
  if (!header.ok()) return std::nullopt;
  if (header->error_code != ErrorCode::kNone) return Reply<Response>{owned, *header, Response{}};
  auto response = DecodeMessage<Response>(body, version);
  if (!response.ok()) return std::nullopt;
  return Reply<Response>{owned, *header, *std::move(response)};
}

// Sends `request` at `version` and reads its reply (whatever its error code); nullopt when the
// broker does not answer within `timeout_ms` (it died, say) or the reply does not decode.
template <class Request>
std::optional<Reply<typename Request::Response>> TryRoundtrip(RawClient& client,
                                                               const Request& request,
                                                               int32_t correlation_id,
                                                               int timeout_ms = 5000,
                                                               int16_t version = 0) {
  if (!client.Send(request, correlation_id, version)) return std::nullopt;
  std::optional<std::string> payload = client.ReadFrame(timeout_ms);
  if (!payload) return std::nullopt;
  return DecodeReply<typename Request::Response>(*std::move(payload), version);
}

}  // namespace brook::testing
