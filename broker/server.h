// broker/server.h: a generic TCP server: acceptor, connections, limits, two-phase shutdown.
//
// It knows frames and connections, never topics: a protocol plugs in through one
// RequestHandler (request_handler.h). brook's protocol is one such handler; a Kafka-compatible
// listener would be another Server with another handler.
//
// Operation: Start() binds and accepts on the pool's main thread; each connection is placed
// on one of the pool's threads (io_pool.h) and stays there. Connections beyond
// max_connections are closed at accept.
// Shutdown, phase 1: StopAccepting() closes the acceptor and makes every connection stop
// reading; phase 2: Drain() waits until each connection has answered its in-flight requests
// and written the answers (then it closes), or until the deadline, when it closes the rest.
// Concurrency: all methods are thread-safe. Lifecycle: the pool must outlive the Server and
// keep running until Drain() returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "broker/broker_config.h"
#include "broker/request_handler.h"

namespace brook {

class Connection;
class IoPool;
class MemoryBudget;
class TcpAcceptor;

class Server {
 public:
  // `memory` is charged by every connection (memory_budget.h); it outlives the Server.
  Server(IoPool& pool, ServerConfig config, std::shared_ptr<RequestHandler> handler,
         MemoryBudget& memory);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Errors: Unavailable with the address and the OS reason (e.g.
  // "cannot listen on 127.0.0.1:9292: Address already in use").
  absl::Status Start();
  // The bound port (useful when configured with port 0). REQUIRES: Start() succeeded.
  uint16_t port() const { return port_; }

  void StopAccepting();
  // Blocks until every connection is closed or `timeout` passes; then closes the rest.
  // REQUIRES: not called on one of the pool's threads.
  void Drain(std::chrono::milliseconds timeout);

  size_t connection_count() const;

 private:
  struct Placed {
    std::weak_ptr<Connection> connection;
    int thread;  // Its IoPool thread.
  };

  void Accepted(std::shared_ptr<Connection> connection, int thread);
  void Closed(Connection* connection);

  IoPool& pool_;
  const ServerConfig config_;
  MemoryBudget& memory_;
  std::shared_ptr<RequestHandler> handler_;
  std::shared_ptr<TcpAcceptor> acceptor_;
  uint16_t port_ = 0;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<Connection*, Placed> connections_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace brook
