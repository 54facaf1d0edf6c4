#include "client/address.h"

#include <doctest/doctest.h>

#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"

namespace brook::client {
namespace {

TEST_CASE("host:port, bracketed IPv6 and a missing port parse") {
  auto a = ParseBrokerAddress("127.0.0.1:9292");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 9292);

  auto b = ParseBrokerAddress("localhost");
  REQUIRE(b.ok());
  CHECK(b->host == "localhost");
  CHECK(b->port == kDefaultBrokerPort);

  auto c = ParseBrokerAddress("[::1]:19092");
  REQUIRE(c.ok());
  CHECK(c->host == "::1");
  CHECK(c->port == 19092);

  auto d = ParseBrokerAddress("[::1]");
  REQUIRE(d.ok());
  CHECK(d->port == kDefaultBrokerPort);
}

TEST_CASE("bad addresses fail with INVALID_REQUEST naming the input") {
  for (const char* bad : {"", ":9292", "host:", "host:0", "host:65536", "host:12ab", "::1:9292",
                          "[::1", "[::1]x", "[]:9292", "a b:1"}) {
    CAPTURE(bad);
    auto parsed = ParseBrokerAddress(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(CodeOf(parsed.status()) == ErrorCode::kInvalidRequest);
    CHECK(MessageOf(parsed.status()).find(std::string("invalid broker address '") + bad + "'") ==
          0);
  }
}

}  // namespace
}  // namespace brook::client
