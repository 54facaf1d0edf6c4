#include "broker/http/http_server.h"

#include <exception>
#include <string>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
// Boost.URL's implementation, compiled once here (Debian ships no libboost_url binary).
#include <boost/url/src.hpp>

#include "broker/http/http_json.h"
#include "broker/http/http_router.h"
#include "broker/http/request_guard.h"
#include "broker/io_pool.h"
#include "broker/log.h"
#include "broker/memory_budget.h"
#include "broker/tcp_acceptor.h"

namespace brook::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr uint32_t kHeaderLimit = 16 << 10;

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

// The answer to a request that could not be read, or none when the connection just ends
// (closed by the client, timed out).
std::optional<HttpResponse> ReadErrorAnswer(const beast::error_code& ec, uint64_t body_limit) {
  if (ec == bhttp::error::header_limit) {
    return ErrorResponse(431, "HEADERS_TOO_LARGE",
                         "the request's header block is over 16 KiB");
  }
  if (ec == bhttp::error::body_limit) {
    return ErrorResponse(413, "PAYLOAD_TOO_LARGE",
                         "the request's body is over " + std::to_string(body_limit) + " bytes");
  }
  const bool connection_ended = ec == bhttp::error::end_of_stream ||
                                ec == bhttp::error::partial_message ||
                                ec == bhttp::error::short_read;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      !connection_ended) {
    return ErrorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + ec.message());
  }
  return std::nullopt;
}

// The request as route handlers see it. Errors: the 400 answer for a target that is not a
// path with an optional query.
std::variant<HttpRequest, HttpResponse> ToRequest(BeastRequest&& beast_request, std::string peer) {
  const auto target = boost::urls::parse_origin_form(beast_request.target());
  if (!target) {
    return ErrorResponse(400, "BAD_REQUEST",
                         "the request target is not a path: " + target.error().message());
  }
  HttpRequest request;
  request.method = std::string(beast_request.method_string());
  request.path = target->path();
  for (const auto& segment : target->segments()) request.segments.push_back(segment);
  if (!request.segments.empty() && request.segments.back().empty()) {
    request.segments.pop_back();  // "/topics/" is "/topics".
  }
  for (const auto& param : target->params()) {
    request.query.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  request.content_type = std::string(beast_request[bhttp::field::content_type]);
  request.peer = std::move(peer);
  request.host = std::string(beast_request[bhttp::field::host]);
  if (beast_request.find(bhttp::field::origin) != beast_request.end()) {
    request.origin = std::string(beast_request[bhttp::field::origin]);
  }
  request.body = std::move(beast_request.body());
  return request;
}

BeastResponse ToBeast(HttpResponse&& answer, unsigned version, bool keep_alive, bool head) {
  BeastResponse response{static_cast<bhttp::status>(answer.status), version};
  response.set(bhttp::field::server, "brook");
  response.set(bhttp::field::content_type, answer.content_type);
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  response.keep_alive(keep_alive);
  const size_t length = answer.body.size();
  if (!head) response.body() = std::move(answer.body);
  response.content_length(length);
  return response;
}

}  // namespace

class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer& server, int thread)
      : stream_(std::move(socket)), server_(server), thread_(thread) {
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  void Start() { asio::co_spawn(stream_.get_executor(), Run(shared_from_this()), asio::detached); }

  // Closes the connection now if it waits for a request, else once its answer is written.
  void Stop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (!self->answering_) self->stream_.close();
    });
  }

  void Close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->stream_.close(); });
  }

 private:
  static asio::awaitable<void> Run(std::shared_ptr<Session> self) {
    while (!self->stopping_ && co_await self->ServeOne()) {
    }
    beast::error_code ignored;
    self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    self->stream_.close();
    self->server_.Closed(self.get(), self->thread_);
  }

  // Reads and answers one request; false when the connection should close.
  asio::awaitable<bool> ServeOne() {
    const HttpListenerConfig& config = server_.config_;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(config.max_body_bytes);
    stream_.expires_after(config.idle_timeout);
    auto [header_ec, header_bytes] =
        co_await bhttp::async_read_header(stream_, buffer_, parser, kNoThrow);
    if (header_ec) co_return co_await AnswerReadError(header_ec, 11);
    answering_ = true;
    const BeastRequest& header = parser.get();
    const unsigned version = header.version();
    // What the body will hold: its declared length, or the limit for a chunked body.
    const int64_t body_charge = static_cast<int64_t>(
        parser.content_length().value_or(parser.chunked() ? config.max_body_bytes : 0));
    if (body_charge > 0 && !server_.memory_.TryCharge(body_charge)) {
      HttpResponse busy = ErrorResponse(503, "RESOURCE_LIMIT",
                                        "the broker's in-flight memory budget is spent; retry");
      busy.headers.emplace_back("Retry-After", "1");
      co_await Write(std::move(busy), version, false, false);
      co_return false;
    }
    const Charged charged{server_.memory_, body_charge};
    if (header[bhttp::field::expect] == "100-continue") {
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, version};
      auto [ec, n] = co_await bhttp::async_write(stream_, proceed, kNoThrow);
      if (ec) co_return false;
    }
    stream_.expires_after(config.request_timeout);
    auto [body_ec, body_bytes] = co_await bhttp::async_read(stream_, buffer_, parser, kNoThrow);
    if (body_ec) co_return co_await AnswerReadError(body_ec, version);
    BeastRequest beast_request = parser.release();
    const bool keep_alive = beast_request.keep_alive();
    const bool head = beast_request.method() == bhttp::verb::head;
    std::variant<HttpRequest, HttpResponse> request = ToRequest(std::move(beast_request), peer_);
    if (HttpResponse* bad = std::get_if<HttpResponse>(&request)) {
      co_await Write(std::move(*bad), version, false, head);
      co_return false;
    }
    if (std::optional<HttpResponse> refused =
            RefuseCrossSite(std::get<HttpRequest>(request), server_.config_)) {
      co_await Write(std::move(*refused), version, false, head);
      co_return false;
    }
    stream_.expires_never();  // A handler may wait (a long poll).
    HttpResponse answer = co_await Handle(std::get<HttpRequest>(request));
    const bool again = keep_alive && !stopping_;
    const bool written = co_await Write(std::move(answer), version, again, head);
    answering_ = false;
    co_return written && again;
  }

  asio::awaitable<HttpResponse> Handle(HttpRequest& request) {
    try {
      co_return co_await server_.router_.Dispatch(request);
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "HTTP handler failed", "path", request.path, "error", e.what());
      co_return ErrorResponse(500, "UNKNOWN_SERVER_ERROR", e.what());
    }
  }

  // Answers a request that could not be read, when it deserves an answer; always false (the
  // connection closes).
  asio::awaitable<bool> AnswerReadError(const beast::error_code& ec, unsigned version) {
    if (std::optional<HttpResponse> answer = ReadErrorAnswer(ec, server_.config_.max_body_bytes)) {
      co_await Write(std::move(*answer), version, false, false);
    }
    co_return false;
  }

  // Writes `answer`, charged to the memory budget while it is queued. False on a write error.
  asio::awaitable<bool> Write(HttpResponse answer, unsigned version, bool keep_alive, bool head) {
    BeastResponse response = ToBeast(std::move(answer), version, keep_alive, head);
    Charged charged{server_.memory_, static_cast<int64_t>(response.body().size())};
    server_.memory_.Charge(charged.bytes);
    stream_.expires_after(server_.config_.request_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream_, response, kNoThrow);
    co_return !ec;
  }

  // Returns its bytes to the budget when it goes out of scope.
  struct Charged {
    MemoryBudget& memory;
    int64_t bytes;
    ~Charged() {
      if (bytes > 0) memory.Release(bytes);
    }
  };

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  HttpServer& server_;
  const int thread_;
  std::string peer_;
  // Only touched on the connection's thread.
  bool answering_ = false;
  bool stopping_ = false;
};

HttpServer::HttpServer(IoPool& pool, HttpListenerConfig config, const HttpRouter& router,
                       MemoryBudget& memory)
    : pool_(pool), config_(std::move(config)), router_(router), memory_(memory) {}

HttpServer::~HttpServer() = default;

absl::Status HttpServer::Start() {
  acceptor_ = std::make_shared<TcpAcceptor>(pool_, [this](tcp::socket socket, int thread) {
    Accepted(std::make_shared<Session>(std::move(socket), *this, thread), thread);
  });
  if (absl::Status s = acceptor_->Listen(config_.host, config_.port); !s.ok()) return s;
  port_ = acceptor_->port();
  acceptor_->Start();
  return absl::OkStatus();
}

void HttpServer::Accepted(std::shared_ptr<Session> session, int thread) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || sessions_.size() >= static_cast<size_t>(config_.max_connections)) {
      if (!stopping_) {
        Log(LogLevel::kWarn, "refusing HTTP connection: too many connections", "max_connections",
            config_.max_connections);
      }
      pool_.Release(thread);
      session->Close();
      return;
    }
    sessions_.emplace(session.get(), session);
  }
  session->Start();
}

void HttpServer::Closed(Session* session, int thread) {
  absl::MutexLock lock(&mu_);
  if (sessions_.erase(session) > 0) pool_.Release(thread);
}

void HttpServer::StopAccepting() {
  if (acceptor_) acceptor_->Close();
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  for (auto& [ptr, weak] : sessions_) {
    if (auto session = weak.lock()) session->Stop();
  }
}

void HttpServer::Drain(std::chrono::milliseconds timeout) {
  absl::MutexLock lock(&mu_);
  auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return sessions_.empty(); };
  if (mu_.AwaitWithTimeout(absl::Condition(&drained), absl::Milliseconds(timeout.count()))) {
    return;
  }
  Log(LogLevel::kWarn, "shutdown timeout: closing HTTP connections still answering",
      "connections", sessions_.size());
  for (auto& [ptr, weak] : sessions_) {
    if (auto session = weak.lock()) session->Close();
  }
}

}  // namespace brook::http
