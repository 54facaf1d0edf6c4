// broker/http/request_guard.h: what keeps a web page in the user's browser from driving the
// broker: the console's API can delete topics, and a page on another site must not be able
// to, nor read records through DNS rebinding.
//
//   - Origin: a request that carries one (browsers send it with every cross-site request but
//     top-level GETs) is served only when it names this very host and port (403 otherwise).
//   - Host: unless the listener is on a wildcard address (0.0.0.0, ::), the Host header must
//     name an IP address, localhost, the listen host, this machine's hostname or one of
//     `allowed_hosts` (403 otherwise): a DNS name an attacker points at 127.0.0.1 is refused.
// Scripts (curl, any HTTP library) send no Origin and an address as Host: they pass.
// Thread-safety: plain functions.
#pragma once

#include <optional>

#include "broker/broker_config.h"
#include "broker/http/http_message.h"

namespace brook::http {

// The refusal of `request`, or nullopt when it may be served.
std::optional<HttpResponse> RefuseCrossSite(const HttpRequest& request,
                                            const HttpListenerConfig& config);

}  // namespace brook::http
