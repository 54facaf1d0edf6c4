#include "broker/server.h"

#include "broker/connection.h"
#include "broker/io_pool.h"
#include "broker/log.h"
#include "broker/tcp_acceptor.h"

namespace brook {
namespace asio = boost::asio;
using asio::ip::tcp;

Server::Server(IoPool& pool, ServerConfig config, std::shared_ptr<RequestHandler> handler,
               MemoryBudget& memory)
    : pool_(pool), config_(std::move(config)), memory_(memory), handler_(std::move(handler)) {}

Server::~Server() = default;

absl::Status Server::Start() {
  acceptor_ = std::make_shared<TcpAcceptor>(pool_, [this](tcp::socket socket, int thread) {
    Accepted(std::make_shared<Connection>(std::move(socket), config_, memory_, handler_,
                                          [this](Connection* closed) { Closed(closed); }),
             thread);
  });
  if (absl::Status s = acceptor_->Listen(config_.host, config_.port); !s.ok()) return s;
  port_ = acceptor_->port();
  acceptor_->Start();
  return absl::OkStatus();
}

void Server::Accepted(std::shared_ptr<Connection> connection, int thread) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || connections_.size() >= static_cast<size_t>(config_.max_connections)) {
      if (!stopping_) {
        Log(LogLevel::kWarn, "refusing connection: too many connections", "max_connections",
            config_.max_connections);
      }
      pool_.Release(thread);
      connection->Stop();
      return;
    }
    connections_.emplace(connection.get(), Placed{connection, thread});
  }
  connection->Start();
}

void Server::Closed(Connection* connection) {
  absl::MutexLock lock(&mu_);
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;  // Refused at accept.
  pool_.Release(it->second.thread);
  connections_.erase(it);
}

void Server::StopAccepting() {
  if (acceptor_) acceptor_->Close();
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  for (auto& [ptr, placed] : connections_) {
    if (auto connection = placed.connection.lock()) connection->Stop();
  }
}

void Server::Drain(std::chrono::milliseconds timeout) {
  absl::MutexLock lock(&mu_);
  auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return connections_.empty(); };
  if (!mu_.AwaitWithTimeout(absl::Condition(&drained), absl::Milliseconds(timeout.count()))) {
    Log(LogLevel::kWarn, "shutdown timeout: closing connections with requests in flight",
        "connections", connections_.size());
  }
}

size_t Server::connection_count() const {
  absl::MutexLock lock(&mu_);
  return connections_.size();
}

}  // namespace brook
