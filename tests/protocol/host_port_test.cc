#include "protocol/host_port.h"

#include <doctest/doctest.h>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

TEST_CASE("broker addresses: host:port, bracketed IPv6 and a missing port") {
  auto a = ParseHostPort("127.0.0.1:9292", kBrokerAddress);
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 9292);

  auto b = ParseHostPort("localhost", kBrokerAddress);
  REQUIRE(b.ok());
  CHECK(b->host == "localhost");
  CHECK(b->port == kDefaultBrokerPort);

  auto c = ParseHostPort("[::1]:19092", kBrokerAddress);
  REQUIRE(c.ok());
  CHECK(c->host == "::1");
  CHECK(c->port == 19092);

  auto d = ParseHostPort("[::1]", kBrokerAddress);
  REQUIRE(d.ok());
  CHECK(d->port == kDefaultBrokerPort);
}

TEST_CASE("listen addresses: the port is required and may be 0") {
  auto any = ParseHostPort("0.0.0.0:0", kListenAddress);
  REQUIRE(any.ok());
  CHECK(any->host == "0.0.0.0");
  CHECK(any->port == 0);
  auto v6 = ParseHostPort("[::]:9092", kListenAddress);
  REQUIRE(v6.ok());
  CHECK(v6->host == "::");
  CHECK_FALSE(ParseHostPort("localhost", kListenAddress).ok());
  CHECK_FALSE(ParseHostPort("localhost:0", kBrokerAddress).ok());
}

TEST_CASE("bad addresses fail with INVALID_REQUEST naming the input") {
  for (const char* bad : {"", ":9292", "host:", "host:0", "host:65536", "host:12ab", "::1:9292",
                          "[::1", "[::1]x", "[]:9292", "a b:1", "[::1]:"}) {
    CAPTURE(bad);
    auto parsed = ParseHostPort(bad, kBrokerAddress);
    REQUIRE_FALSE(parsed.ok());
    CHECK(CodeOf(parsed.status()) == ErrorCode::kInvalidRequest);
    CHECK(MessageOf(parsed.status()).find(std::string("invalid address '") + bad + "'") == 0);
  }
}

}  // namespace
}  // namespace brook
