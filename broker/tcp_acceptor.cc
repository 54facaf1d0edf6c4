#include "broker/tcp_acceptor.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "broker/io_pool.h"
#include "broker/log.h"
#include "fmt/format.h"

namespace brook {
namespace asio = boost::asio;
using asio::ip::tcp;

TcpAcceptor::TcpAcceptor(IoPool& pool, OnAccept on_accept)
    : pool_(pool), acceptor_(pool.Main()), on_accept_(std::move(on_accept)) {}

absl::Status TcpAcceptor::Listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  tcp::resolver resolver(pool_.Main());
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return absl::UnavailableError(fmt::format("cannot listen on {}:{}: cannot resolve host ({})",
                                              host, port, ec ? ec.message() : "no address"));
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

uint16_t TcpAcceptor::port() const { return acceptor_.local_endpoint().port(); }

void TcpAcceptor::Start() { asio::co_spawn(pool_.Main(), Loop(shared_from_this()), asio::detached); }

void TcpAcceptor::Close() {
  asio::post(pool_.Main(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

asio::awaitable<void> TcpAcceptor::Loop(std::shared_ptr<TcpAcceptor> self) {
  constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
  asio::steady_timer backoff(self->pool_.Main());
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
    self->on_accept_(std::move(socket), thread);
  }
}

}  // namespace brook
