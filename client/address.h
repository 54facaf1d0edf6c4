// client/address.h: parsing the broker address a user writes ("host:port").
//
// Grammar:  address := host [":" port] | "[" ipv6 "]" [":" port]
//           port    := 1..65535 in decimal; when omitted, kDefaultBrokerPort (9292).
// `host` is a name or an IPv4 literal; an IPv6 literal must be bracketed.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook::client {

inline constexpr uint16_t kDefaultBrokerPort = 9292;

struct BrokerAddress {
  std::string host;  // Without brackets for IPv6 literals.
  uint16_t port = kDefaultBrokerPort;
};

// Parses `text`. Errors: INVALID_REQUEST with a message naming the address and the expected
// form, when the host is empty, the port is not a number in 1..65535, or brackets do not match.
absl::StatusOr<BrokerAddress> ParseBrokerAddress(std::string_view text);

}  // namespace brook::client
