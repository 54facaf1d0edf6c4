#include "broker/http/health_routes.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "broker/http/http_json.h"
#include "broker/http/http_router.h"

namespace brook::http {

void AddHealthRoutes(HttpRouter& router, ReadinessProbe readiness) {
  router.AddSync("GET", "/healthz", [](HttpRequest&) {
    boost::json::object body;
    body["status"] = "ok";
    return JsonResponse(200, body);
  });
  router.AddSync("GET", "/readyz", [readiness = std::move(readiness)](HttpRequest&) {
    const std::vector<std::string> reasons = readiness();
    boost::json::object body;
    body["status"] = reasons.empty() ? "ready" : "not ready";
    boost::json::array listed;
    for (const std::string& reason : reasons) listed.emplace_back(reason);
    body["reasons"] = std::move(listed);
    return JsonResponse(reasons.empty() ? 200 : 503, body);
  });
}

}  // namespace brook::http
