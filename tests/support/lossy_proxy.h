// tests/support/lossy_proxy.h: a TCP proxy in front of a broker that loses answers on cue.
//
// LossyProxy listens on a free loopback port and forwards every connection's frames to the
// broker and back unchanged. After LoseProduceAnswers(n), the next n answers to Produce
// requests are lost: the broker did the request (it appended), but instead of forwarding its
// answer the proxy closes the connection, as a network failure right after the append would.
// The client sees the connection drop with the request outstanding.
//
// Threads: one accept thread, and two per connection (one per direction). Destruction closes
// every socket and joins every thread. All methods are thread-safe.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/frame.h"
#include "protocol/messages.h"

namespace brook::testing {

class LossyProxy {
 public:
  // Forwards to the broker at "127.0.0.1:<broker_port>".
  explicit LossyProxy(uint16_t broker_port) : broker_port_(broker_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = Loopback(0);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~LossyProxy() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    accept_thread_.join();
    ::close(listen_fd_);
    std::vector<std::shared_ptr<Link>> links;
    {
      std::lock_guard<std::mutex> lock(mu_);
      links = links_;
    }
    for (const auto& link : links) link->Cut();
    for (const auto& link : links) {
      link->up.join();
      link->down.join();
      ::close(link->client_fd);
      ::close(link->broker_fd);
    }
  }

  LossyProxy(const LossyProxy&) = delete;
  LossyProxy& operator=(const LossyProxy&) = delete;

  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }

  // The next `n` answers to Produce requests are lost (the connection closes instead).
  void LoseProduceAnswers(int n) { to_lose_ = n; }
  // How many answers were lost so far.
  int answers_lost() const { return lost_.load(); }

 private:
  // One proxied connection.
  struct Link {
    int client_fd = -1;
    int broker_fd = -1;
    std::mutex mu;
    std::set<int32_t> produces;  // Correlation ids of the Produce requests forwarded.
    std::thread up;              // Client to broker.
    std::thread down;            // Broker to client.
    void Cut() {
      ::shutdown(client_fd, SHUT_RDWR);
      ::shutdown(broker_fd, SHUT_RDWR);
    }
  };

  static sockaddr_in Loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  static bool ReadExactly(int fd, char* out, size_t n) {
    while (n > 0) {
      const ssize_t got = ::recv(fd, out, n, 0);
      if (got <= 0) return false;
      out += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }

  static bool WriteAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one whole frame (length prefix included) into *frame.
  static bool ReadFrame(int fd, std::string* frame) {
    frame->resize(kFrameLengthSize);
    if (!ReadExactly(fd, frame->data(), kFrameLengthSize)) return false;
    const uint32_t size = DecodeFrameLength(*frame);
    frame->resize(kFrameLengthSize + size);
    return ReadExactly(fd, frame->data() + kFrameLengthSize, size);
  }

  void AcceptLoop() {
    for (;;) {
      const int client_fd = ::accept(listen_fd_, nullptr, nullptr);
      if (client_fd < 0) {
        if (errno == EINTR) continue;
        return;
      }
      const int broker_fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr = Loopback(broker_port_);
      if (::connect(broker_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(broker_fd);
        ::close(client_fd);
        continue;
      }
      int one = 1;
      ::setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      ::setsockopt(broker_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto link = std::make_shared<Link>();
      link->client_fd = client_fd;
      link->broker_fd = broker_fd;
      link->up = std::thread([this, link] { Up(*link); });
      link->down = std::thread([this, link] { Down(*link); });
      std::lock_guard<std::mutex> lock(mu_);
      links_.push_back(std::move(link));
    }
  }

  // Client to broker: notes which requests are Produce requests, then forwards them.
  void Up(Link& link) {
    std::string frame;
    while (ReadFrame(link.client_fd, &frame)) {
      std::string_view body;
      absl::StatusOr<RequestHeader> header =
          ParseRequestHeader(std::string_view(frame).substr(kFrameLengthSize), &body);
      if (header.ok() && header->api_key == static_cast<int16_t>(ApiKey::kProduce)) {
        std::lock_guard<std::mutex> lock(link.mu);
        link.produces.insert(header->correlation_id);
      }
      if (!WriteAll(link.broker_fd, frame)) break;
    }
    link.Cut();
  }

  // Broker to client: forwards answers, except one to lose, which cuts the link instead.
  void Down(Link& link) {
    std::string frame;
    while (ReadFrame(link.broker_fd, &frame)) {
      std::string_view body;
      absl::StatusOr<ResponseHeader> header =
          ParseResponseHeader(std::string_view(frame).substr(kFrameLengthSize), &body);
      bool produce = false;
      if (header.ok()) {
        std::lock_guard<std::mutex> lock(link.mu);
        produce = link.produces.erase(header->correlation_id) > 0;
      }
      int left = to_lose_.load();
      while (produce && left > 0 && !to_lose_.compare_exchange_weak(left, left - 1)) {
      }
      if (produce && left > 0) {
        ++lost_;
        break;
      }
      if (!WriteAll(link.client_fd, frame)) break;
    }
    link.Cut();
  }

  const uint16_t broker_port_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> to_lose_{0};
  std::atomic<int> lost_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Link>> links_;
};

}  // namespace brook::testing
