// bench/metrics_command.h: `brook bench metrics`, what the broker's metrics cost.
//
// On an embedded broker filled with --topics x --partitions partitions (--records in each) and
// --groups groups, each with a commit halfway into every partition of one topic (so every
// group partition has lag, and its lag in seconds reads a record), it measures:
//  1. rendering: BrokerMetrics::Render (what GET /metrics answers), --scrapes times: median,
//     p99 and max milliseconds, and the text's size and series count;
//  2. the cost of being scraped: produce throughput (RunProduce, --records-per-run records)
//     alone and while a thread renders the metrics every --scrape-interval-ms, the two
//     alternated --runs times in one process; the medians and their difference.
#pragma once

#include "CLI/CLI.hpp"

namespace brook::bench {

// Adds `metrics` under `bench`; running it stores its exit code in *exit_code.
void AddMetricsBenchCommand(CLI::App& bench, int* exit_code);

}  // namespace brook::bench
