#include "broker/http/broker_routes.h"

#include "broker/http/api_routes.h"
#include "broker/http/http_router.h"
#include "broker/http/record_routes.h"

namespace brook::http {

void AddBrokerRoutes(HttpRouter& router, BrokerContext& ctx, BrokerRouteSources sources) {
  AddHealthRoutes(router, std::move(sources.readiness));
  router.AddSync("GET", "/metrics", [text = std::move(sources.metrics_text)](HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = text();
    return response;
  });
  AddApiRoutes(router, ctx);
  AddRecordRoutes(router, ctx);
  AddConsoleRoutes(router, ctx, std::move(sources.console));
}

}  // namespace brook::http
