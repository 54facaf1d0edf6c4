// tests/support/http_client.h: a blocking HTTP/1.1 client for tests of brook's HTTP listener
// (Boost.Beast, one request per call on its own connection, or raw bytes for malformed input).
//
//   HttpReply r = HttpCall(broker.http_address(), "GET", "/healthz");
//   CHECK(r.status == 200);
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace brook::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return {};
  }
};

// Connects to "127.0.0.1:PORT".
inline boost::asio::ip::tcp::socket ConnectHttp(boost::asio::io_context& io,
                                                const std::string& address) {
  const size_t colon = address.rfind(':');
  boost::asio::ip::tcp::resolver resolver(io);
  boost::asio::ip::tcp::socket socket(io);
  boost::asio::connect(socket,
                       resolver.resolve(address.substr(0, colon), address.substr(colon + 1)));
  return socket;
}

// Reads one response from `socket`. Throws on a connection error.
inline HttpReply ReadHttpReply(boost::asio::ip::tcp::socket& socket,
                               boost::beast::flat_buffer& buffer, bool head = false) {
  namespace http = boost::beast::http;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 30);
  parser.skip(head);
  http::read(socket, buffer, parser);
  HttpReply reply;
  reply.status = static_cast<int>(parser.get().result_int());
  reply.body = parser.get().body();
  for (const auto& field : parser.get()) {
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return reply;
}

// Sends one request on a fresh connection and reads the answer.
inline HttpReply HttpCall(const std::string& address, const std::string& method,
                          const std::string& target, std::string body = {},
                          std::string content_type = "application/json") {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket = ConnectHttp(io, address);
  http::request<http::string_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, address);
  if (!body.empty()) request.set(http::field::content_type, content_type);
  request.body() = std::move(body);
  request.prepare_payload();
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  return ReadHttpReply(socket, buffer, method == "HEAD");
}

// Writes `bytes` as they are on a fresh connection and returns all the bytes the server sends
// until it closes the connection.
inline std::string HttpRaw(const std::string& address, std::string_view bytes) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket = ConnectHttp(io, address);
  boost::asio::write(socket, boost::asio::buffer(bytes.data(), bytes.size()));
  std::string received;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(received), ec);
  return received;
}

}  // namespace brook::testing
