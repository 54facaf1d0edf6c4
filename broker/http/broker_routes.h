// broker/http/broker_routes.h: every route the broker's HTTP listener serves, in one call:
// the health checks (health_routes.h), GET /metrics, brook's protocol as JSON (api_routes.h),
// records (record_routes.h) and the web console (console_routes.h). docs/http-api.md lists
// them.
// Thread-safety: as the routes; the functions in `sources` are called on network threads.
#pragma once

#include <functional>
#include <string>

#include "broker/http/console_routes.h"
#include "broker/http/health_routes.h"

namespace brook {
struct BrokerContext;
}

namespace brook::http {

class HttpRouter;

struct BrokerRouteSources {
  ReadinessProbe readiness;
  std::function<std::string()> metrics_text;  // The Prometheus exposition text.
  ConsoleInfo console;
};

void AddBrokerRoutes(HttpRouter& router, BrokerContext& ctx, BrokerRouteSources sources);

}  // namespace brook::http
