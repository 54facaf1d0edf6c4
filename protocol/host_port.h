// protocol/host_port.h: the one grammar of the "host:port" addresses brook reads: the broker a
// client connects to (--bootstrap), and the addresses a broker listens on and advertises
// (--listen, --kafka-listen, --kafka-advertised-address, their environment variables).
//
//   address := host [":" port] | "[" ipv6 "]" [":" port]
//   port    := 0..65535 in decimal
// `host` is a name or an IPv4 literal, without spaces or '/'; an IPv6 literal must be
// bracketed. The port may be omitted only where the rules give a default, and be 0 only where
// they allow it (a listener: the kernel picks a free port).
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace brook {

inline constexpr uint16_t kDefaultBrokerPort = 9292;

struct HostPort {
  std::string host;  // Without brackets for IPv6 literals.
  uint16_t port = 0;
};

struct HostPortRules {
  std::optional<uint16_t> default_port;  // Set: the port may be omitted.
  bool allow_port_zero = false;          // A listen address: 0 picks a free port.
};

// The broker address a client connects to: the port defaults to 9292 and is never 0.
inline constexpr HostPortRules kBrokerAddress{kDefaultBrokerPort, false};
// An address to listen on: the port is required, 0 picks one.
inline constexpr HostPortRules kListenAddress{std::nullopt, true};

// Parses `text`. Errors: INVALID_REQUEST naming the address, what is wrong and the expected
// form (empty host, a missing or bad port, unmatched brackets, an unbracketed IPv6 literal).
absl::StatusOr<HostPort> ParseHostPort(std::string_view text, const HostPortRules& rules);

}  // namespace brook
