#include "broker/server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/connection.h"
#include "broker/io_pool.h"
#include "broker/log.h"

namespace brook {
namespace asio = boost::asio;
using asio::ip::tcp;

// The listening socket and its accept loop; shared with the loop's coroutine.
class Server::Acceptor : public std::enable_shared_from_this<Server::Acceptor> {
 public:
  Acceptor(IoPool& pool, Server* server)
      : pool_(pool), io_(pool.Main()), acceptor_(io_), server_(server) {}

  absl::Status Listen(const std::string& host, uint16_t port) {
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return absl::UnavailableError(
          fmt::format("cannot listen on {}:{}: cannot resolve host ({})", host, port,
                      ec ? ec.message() : "no address"));
    }
    tcp::endpoint endpoint = results.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          fmt::format("cannot listen on {}:{}: {}", host, port, ec.message()));
    }
    return absl::OkStatus();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Start() { asio::co_spawn(io_, Loop(shared_from_this()), asio::detached); }

  void Close() {
    asio::post(io_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  static asio::awaitable<void> Loop(std::shared_ptr<Acceptor> self) {
    constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
    asio::steady_timer backoff(self->io_);
    while (self->acceptor_.is_open()) {
      const int thread = self->pool_.Place();
      auto [ec, socket] =
          co_await self->acceptor_.async_accept(self->pool_.Context(thread), kNoThrow);
      if (ec) self->pool_.Release(thread);
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) break;
      if (ec) {
        // Out of file descriptors and the like: log, back off, keep serving.
        Log(LogLevel::kWarn, "accept failed", "error", ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(kNoThrow);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto connection = std::make_shared<Connection>(
          std::move(socket), self->server_->config_, self->server_->memory_,
          self->server_->handler_,
          [server = self->server_](Connection* closed) { server->Closed(closed); });
      self->server_->Accepted(std::move(connection), thread);
    }
  }

  IoPool& pool_;
  asio::io_context& io_;
  tcp::acceptor acceptor_;
  Server* server_;
};

Server::Server(IoPool& pool, ServerConfig config, std::shared_ptr<RequestHandler> handler,
               MemoryBudget& memory)
    : pool_(pool), config_(std::move(config)), memory_(memory), handler_(std::move(handler)) {}

Server::~Server() = default;

absl::Status Server::Start() {
  acceptor_ = std::make_shared<Acceptor>(pool_, this);
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
