// broker/http/health_routes.h: the health checks orchestrators probe.
//   GET /healthz  200 {"status":"ok"} while the process serves HTTP at all (liveness).
//   GET /readyz   200 {"status":"ready", ...} once the store is open and every listener
//                 accepts; 503 {"status":"not ready", "reasons":[...]} otherwise (stopping,
//                 storage refusing appends: a full disk).
// Thread-safety: the routes may run on any network thread; `readiness` must be thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace brook::http {

class HttpRouter;

// Why the broker cannot take traffic now; empty when it can.
using ReadinessProbe = std::function<std::vector<std::string>()>;

void AddHealthRoutes(HttpRouter& router, ReadinessProbe readiness);

}  // namespace brook::http
