// broker/tcp_acceptor.h: a listening socket and its accept loop, shared by the framed
// listeners (server.h) and the HTTP listener (http/http_server.h). Internal to broker/: it
// includes Asio, so only those two .cc files include it.
//
// Each accepted socket is placed on the IoPool thread serving the fewest connections
// (IoPool::Place) and handed to `on_accept` with that thread's index, on the pool's main
// thread; the receiver calls IoPool::Release(thread) when that connection ends. Accept errors
// such as running out of file descriptors are logged and retried after 100 ms.
// Thread-safety: Listen and Start once, then Close from any thread. Lifecycle: shared with its
// loop's coroutine, which ends once Close has run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "absl/status/status.h"

namespace brook {

class IoPool;

class TcpAcceptor : public std::enable_shared_from_this<TcpAcceptor> {
 public:
  using OnAccept = std::function<void(boost::asio::ip::tcp::socket socket, int thread)>;

  TcpAcceptor(IoPool& pool, OnAccept on_accept);

  // Binds and listens. Errors: Unavailable with the address and the OS reason (e.g.
  // "cannot listen on 127.0.0.1:9292: Address already in use").
  absl::Status Listen(const std::string& host, uint16_t port);
  uint16_t port() const;  // REQUIRES: Listen succeeded.
  void Start();
  void Close();

 private:
  static boost::asio::awaitable<void> Loop(std::shared_ptr<TcpAcceptor> self);

  IoPool& pool_;
  boost::asio::ip::tcp::acceptor acceptor_;
  OnAccept on_accept_;
};

}  // namespace brook
