// broker/http/console_routes.h: the web console (http://127.0.0.1:9293/): its page and
// assets, built into the binary (broker/http/console/, embedded at build time; nothing is
// fetched from the network), and the one route it needs beyond the JSON API:
//
//   GET /                    the console's page (a single-page app over /api/v1)
//   GET /console/{asset}     its script and style sheet
//   GET /api/v1/overview     {"version","uptime_ms","listeners":{"native","kafka","http"},
//                             "data_dir","disk_bytes","topics","partitions","records",
//                             "log_end_total","groups","committed_total"}
//
// `records` counts what the logs hold now; log_end_total (every partition's log end offset,
// summed) and committed_total (every group's committed offsets, summed) only grow with
// produce and consume, so their rates are what the console charts.
// Thread-safety: as the handlers; `listeners` is called on network threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace brook {
struct BrokerContext;
}

namespace brook::http {

class HttpRouter;

struct ConsoleInfo {
  std::string version;
  int64_t started_ms = 0;  // Steady clock, ms.
  std::string data_dir;    // Empty in memory.
  // The listeners' addresses ("" when off), read once the broker is started.
  std::function<std::string()> native, kafka, http;
};

void AddConsoleRoutes(HttpRouter& router, BrokerContext& ctx, ConsoleInfo info);

}  // namespace brook::http
