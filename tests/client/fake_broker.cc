#include "tests/client/fake_broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <tuple>

#include "protocol/wire.h"

namespace brook::testing {
namespace {

bool ReadExactly(int fd, char* out, size_t n) {
  while (n > 0) {
    ssize_t got = ::recv(fd, out, n, 0);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      return false;
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

int Listen(uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    throw std::runtime_error("bind/listen failed");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

uint16_t UnusedPort() {
  uint16_t port = 0;
  int fd = Listen(&port);
  ::close(fd);
  return port;
}

ApiVersionsResponse FakeBroker::AllApisV0() {
  ApiVersionsResponse response;
  std::apply(
      [&](const auto&... requests) {
        (response.api_keys.push_back(
             {static_cast<int16_t>(std::decay_t<decltype(requests)>::kApiKey), 0, 0}),
         ...);
      },
      AllRequests{});
  response.broker_version = "fake";
  return response;
}

void FakeBroker::Session::Write(const std::string& frame) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (closed_) return;
  const char* p = frame.data();
  size_t n = frame.size();
  while (n > 0) {
    ssize_t put = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (put <= 0) {
      if (put < 0 && errno == EINTR) continue;
      return;
    }
    p += put;
    n -= static_cast<size_t>(put);
  }
}

void FakeBroker::Session::Respond(int32_t correlation_id, std::string_view body) {
  std::string frame;
  BeginResponseFrame(ResponseHeader{correlation_id, ErrorCode::kNone, std::nullopt}, &frame);
  frame.append(body);
  FinishFrame(&frame);
  Write(frame);
}

void FakeBroker::Session::RespondError(int32_t correlation_id, ErrorCode code,
                                       std::string_view message) {
  std::string frame;
  BeginResponseFrame(ResponseHeader{correlation_id, code, std::string(message)}, &frame);
  FinishFrame(&frame);
  Write(frame);
}

void FakeBroker::Session::Close() {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (closed_.exchange(true)) return;
  ::shutdown(fd_, SHUT_RDWR);
}

FakeBroker::FakeBroker(Handler handler, std::optional<ApiVersionsResponse> versions)
    : handler_(std::move(handler)), versions_(versions ? *versions : AllApisV0()) {
  listen_fd_ = Listen(&port_);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

FakeBroker::~FakeBroker() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  accept_thread_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& session : sessions_) session->Close();
    threads = std::move(threads_);
  }
  for (auto& t : threads) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& session : sessions_) ::close(session->fd_);
}

void FakeBroker::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++accepted_;
    auto session = std::make_shared<Session>(fd);
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      session->Close();
      ::close(fd);
      return;
    }
    sessions_.push_back(session);
    threads_.emplace_back([this, session] { Serve(session); });
  }
}

void FakeBroker::Serve(std::shared_ptr<Session> session) {
  std::string payload;
  for (;;) {
    char prefix[4];
    if (!ReadExactly(session->fd_, prefix, sizeof prefix)) break;
    const uint32_t size = DecodeFrameLength(std::string_view(prefix, sizeof prefix));
    payload.resize(size);
    if (!ReadExactly(session->fd_, payload.data(), size)) break;
    std::string_view body;
    absl::StatusOr<RequestHeader> header = ParseRequestHeader(payload, &body);
    if (!header.ok()) break;
    if (header->api_key == static_cast<int16_t>(ApiKey::kApiVersions)) {
      if (!ignore_api_versions_) session->RespondWith(header->correlation_id, versions_);
      continue;
    }
    handler_(session, *header, body);
  }
  session->Close();
}

}  // namespace brook::testing
