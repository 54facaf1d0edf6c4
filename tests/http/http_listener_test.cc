// The HTTP listener as clients meet it: health checks, routing errors, keep-alive, and bad or
// slow clients that get a clear answer (or a closed socket) without disturbing anyone else.
#include <chrono>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "broker/embedded_broker.h"
#include "simdjson.h"
#include "tests/support/http_client.h"

namespace brook {
namespace {

using testing::HttpCall;
using testing::HttpRaw;
using testing::HttpReply;

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The "error" field of a JSON error answer.
std::string ErrorCodeOf(const HttpReply& reply) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(reply.body);
  return std::string(std::string_view(doc["error"]));
}

EmbeddedBrokerOptions WithHttp(void (*adjust)(HttpListenerConfig&)) {
  EmbeddedBrokerOptions options{.in_memory = true};
  adjust(options.config.http);
  return options;
}

TEST_CASE("healthz and readyz answer JSON; unknown paths 404, wrong methods 405") {
  EmbeddedBroker broker({.in_memory = true});
  REQUIRE_FALSE(broker.http_address().empty());
  HttpReply health = HttpCall(broker.http_address(), "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(health.Header("Content-Type") == "application/json");
  CHECK(health.body == R"({"status":"ok"})");
  HttpReply ready = HttpCall(broker.http_address(), "GET", "/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.body == R"({"status":"ready","reasons":[]})");

  HttpReply missing = HttpCall(broker.http_address(), "GET", "/no/such/path?x=1");
  CHECK(missing.status == 404);
  CHECK(ErrorCodeOf(missing) == "NOT_FOUND");
  CHECK(Contains(missing.body, "/no/such/path"));
  HttpReply wrong = HttpCall(broker.http_address(), "DELETE", "/healthz");
  CHECK(wrong.status == 405);
  CHECK(wrong.Header("Allow") == "GET");
  CHECK(ErrorCodeOf(wrong) == "METHOD_NOT_ALLOWED");

  HttpReply head = HttpCall(broker.http_address(), "HEAD", "/healthz");
  CHECK(head.status == 200);
  CHECK(head.Header("Content-Length") == "15");
  CHECK(head.body.empty());
  CHECK(HttpCall(broker.http_address(), "GET", "/healthz/").status == 200);
}

TEST_CASE("readyz answers 503 with the reason while the disk refuses appends") {
  EmbeddedBrokerOptions options;  // On disk: the guard measures the data dir's file system.
  options.config.store.min_free_bytes = uint64_t{1} << 60;  // More than any disk has free.
  EmbeddedBroker broker(std::move(options));
  HttpReply ready = HttpCall(broker.http_address(), "GET", "/readyz");
  CHECK(ready.status == 503);
  CHECK(Contains(ready.body, R"("status":"not ready")"));
  CHECK(Contains(ready.body, "free"));
  CHECK(HttpCall(broker.http_address(), "GET", "/healthz").status == 200);  // Still alive.
}

TEST_CASE("GET /metrics serves the Prometheus text format") {
  EmbeddedBroker broker({.in_memory = true});
  HttpReply metrics = HttpCall(broker.http_address(), "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.Header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(Contains(metrics.body, "# TYPE brook_"));
}

TEST_CASE("one connection serves several requests (keep-alive)") {
  EmbeddedBroker broker({.in_memory = true});
  boost::asio::io_context io;
  auto socket = testing::ConnectHttp(io, broker.http_address());
  boost::beast::flat_buffer buffer;
  const std::string two = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(two));
  CHECK(testing::ReadHttpReply(socket, buffer).body == R"({"status":"ok"})");
  CHECK(testing::ReadHttpReply(socket, buffer).status == 200);
}

TEST_CASE("bad requests get a clear status and the broker keeps serving") {
  EmbeddedBroker broker(WithHttp([](HttpListenerConfig& http) { http.max_body_bytes = 4096; }));
  const std::string address = broker.http_address();

  SUBCASE("a malformed request line") {
    const std::string answer = HttpRaw(address, "GARBAGE\r\n\r\n");
    CHECK(Contains(answer, "HTTP/1.1 400 Bad Request"));
    CHECK(Contains(answer, "BAD_REQUEST"));
  }
  SUBCASE("a target that is not a path") {
    const std::string answer = HttpRaw(address, "GET http://elsewhere/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(Contains(answer, "HTTP/1.1 400 Bad Request"));
    CHECK(Contains(answer, "not a path"));
  }
  SUBCASE("a header block over 16 KiB") {
    const std::string answer = HttpRaw(
        address, "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
    CHECK(Contains(answer, "HTTP/1.1 431"));
    CHECK(Contains(answer, "HEADERS_TOO_LARGE"));
  }
  SUBCASE("a body over max_body_bytes, declared or chunked") {
    HttpReply declared = HttpCall(address, "POST", "/healthz", std::string(5000, 'x'));
    CHECK(declared.status == 413);
    CHECK(ErrorCodeOf(declared) == "PAYLOAD_TOO_LARGE");
    const std::string chunk(3000, 'y');
    const std::string chunked = HttpRaw(
        address, "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nbb8\r\n" +
                     chunk + "\r\nbb8\r\n" + chunk + "\r\n0\r\n\r\n");
    CHECK(Contains(chunked, "HTTP/1.1 413"));
  }
  CHECK(HttpCall(address, "GET", "/healthz").status == 200);
}

TEST_CASE("slow and silent clients are closed after the idle timeout; others are served") {
  EmbeddedBroker broker(WithHttp([](HttpListenerConfig& http) {
    http.idle_timeout = std::chrono::milliseconds(300);
  }));
  boost::asio::io_context io;
  auto slow = testing::ConnectHttp(io, broker.http_address());
  boost::asio::write(slow, boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHo")));
  CHECK(HttpCall(broker.http_address(), "GET", "/healthz").status == 200);
  // The half-sent request never completes: the broker closes the connection.
  std::string received;
  boost::system::error_code ec;
  boost::asio::read(slow, boost::asio::dynamic_buffer(received), ec);
  CHECK(ec == boost::asio::error::eof);
  CHECK(received.empty());
}

TEST_CASE("connections beyond max_connections are closed at accept") {
  EmbeddedBroker broker(WithHttp([](HttpListenerConfig& http) { http.max_connections = 2; }));
  boost::asio::io_context io;
  auto first = testing::ConnectHttp(io, broker.http_address());
  auto second = testing::ConnectHttp(io, broker.http_address());
  // Both are served (and so counted) before the third arrives.
  for (auto* socket : {&first, &second}) {
    boost::beast::flat_buffer buffer;
    boost::asio::write(*socket, boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")));
    CHECK(testing::ReadHttpReply(*socket, buffer).status == 200);
  }
  const std::string refused = HttpRaw(broker.http_address(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  CHECK(refused.empty());
  first.close();
  // Once one closes, a new connection is served again.
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    served = Contains(HttpRaw(broker.http_address(),
                              "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
                      "200 OK");
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(served);
}

TEST_CASE("pages on other sites cannot drive the broker: Origin and Host are checked") {
  EmbeddedBroker broker(WithHttp([](HttpListenerConfig& http) {
    http.allowed_hosts = {"brook.internal"};
  }));
  const std::string address = broker.http_address();
  auto get = [&](const std::string& headers) {
    return HttpRaw(address, "GET /healthz HTTP/1.1\r\n" + headers + "Connection: close\r\n\r\n");
  };
  // A cross-site request (a browser on another page sends its Origin).
  const std::string cross = HttpRaw(
      address, "POST /api/v1/DeleteTopics HTTP/1.1\r\nHost: " + address +
                   "\r\nOrigin: http://evil.example\r\nContent-Type: text/plain\r\n"
                   "Content-Length: 20\r\n\r\n{\"topics\":[\"orders\"]}");
  CHECK(Contains(cross, "HTTP/1.1 403 Forbidden"));
  CHECK(Contains(cross, "cross-origin request from http://evil.example refused"));
  CHECK(Contains(get("Host: " + address + "\r\nOrigin: http://" + address + "\r\n"), "200 OK"));
  // DNS rebinding: a name that is not this broker's.
  const std::string rebound = get("Host: evil.example:80\r\n");
  CHECK(Contains(rebound, "HTTP/1.1 403 Forbidden"));
  CHECK(Contains(rebound, "--http-allowed-host"));
  CHECK(Contains(get("Host: localhost:1\r\n"), "200 OK"));
  CHECK(Contains(get("Host: [::1]:1\r\n"), "200 OK"));
  CHECK(Contains(get("Host: brook.internal\r\n"), "200 OK"));
}

TEST_CASE("the HTTP listener can be turned off") {
  EmbeddedBroker broker(WithHttp([](HttpListenerConfig& http) { http.enabled = false; }));
  CHECK(broker.http_address().empty());
}

}  // namespace
}  // namespace brook
