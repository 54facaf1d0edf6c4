#include "protocol/host_port.h"

#include <charconv>

#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook {
namespace {

absl::Status BadAddress(std::string_view text, std::string_view why) {
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("invalid address '{}': {}; expected host:port, e.g. "
                               "127.0.0.1:9292 or [::1]:9292",
                               text, why));
}

}  // namespace

absl::StatusOr<HostPort> ParseHostPort(std::string_view text, const HostPortRules& rules) {
  std::string_view host;
  std::optional<std::string_view> port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return BadAddress(text, "'[' without ']'");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return BadAddress(text, "unexpected text after ']'");
      port = rest.substr(1);
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      return BadAddress(text, "IPv6 literals must be written in brackets, e.g. [::1]:9292");
    }
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  if (host.empty()) return BadAddress(text, "empty host");
  if (host.find_first_of(" \t/") != std::string_view::npos) {
    return BadAddress(text, "the host contains a space or '/'");
  }
  HostPort address{std::string(host), rules.default_port.value_or(0)};
  if (!port) {
    if (!rules.default_port) return BadAddress(text, "no port");
    return address;
  }
  const unsigned lowest = rules.allow_port_zero ? 0 : 1;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
  if (port->empty() || ec != std::errc() || end != port->data() + port->size() ||
      value < lowest || value > 65535) {
    return BadAddress(text, fmt::format("port '{}' is not a number in {}..65535", *port, lowest));
  }
  address.port = static_cast<uint16_t>(value);
  return address;
}

}  // namespace brook
