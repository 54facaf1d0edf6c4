// broker/http/http_server.h: the HTTP/1.1 listener (Boost.Beast) that serves the routes of an
// HttpRouter: health checks, metrics, the web console and its JSON API (docs/http-api.md).
//
// Each connection lives on one IoPool thread, reads one request at a time (keep-alive and
// HEAD supported) and answers it. Limits, each answered with a status and a JSON error before
// the connection closes: a header block over 16 KiB (431), a malformed request (400), a body
// over max_body_bytes (413), no memory left in the broker's budget for the body (503 with
// Retry-After; bodies and answers are charged to the MemoryBudget like the other listeners'
// frames). A request must arrive whole within request_timeout, and a connection idle for
// idle_timeout is closed, so slow or silent clients cost a socket and nothing else.
// Connections beyond max_connections are closed at accept.
// Shutdown as the framed Server: StopAccepting() closes the acceptor and every connection
// that is not answering a request; Drain() waits for the others to answer, up to a deadline.
// Thread-safety: all methods are thread-safe. Lifecycle: the pool and the router outlive the
// server, and the pool runs until Drain() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "broker/broker_config.h"

namespace brook {
class IoPool;
class MemoryBudget;
class TcpAcceptor;
}  // namespace brook

namespace brook::http {

class HttpRouter;

class HttpServer {
 public:
  HttpServer(IoPool& pool, HttpListenerConfig config, const HttpRouter& router,
             MemoryBudget& memory);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Errors: Unavailable naming the address and the OS reason.
  absl::Status Start();
  uint16_t port() const { return port_; }  // REQUIRES: Start() succeeded.

  void StopAccepting();
  // Blocks until every connection is closed or `timeout` passes; then closes the rest.
  // REQUIRES: not called on one of the pool's threads.
  void Drain(std::chrono::milliseconds timeout);

 private:
  class Session;

  void Accepted(std::shared_ptr<Session> session, int thread);
  void Closed(Session* session, int thread);

  IoPool& pool_;
  const HttpListenerConfig config_;
  const HttpRouter& router_;
  MemoryBudget& memory_;
  std::shared_ptr<TcpAcceptor> acceptor_;
  uint16_t port_ = 0;

  absl::Mutex mu_;
  absl::flat_hash_map<Session*, std::weak_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace brook::http
