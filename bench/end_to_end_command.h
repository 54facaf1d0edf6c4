// bench/end_to_end_command.h: `brook bench e2e`, the end-to-end latency workload against brook
// (an embedded broker, or --bootstrap): --runs runs of a fixed offered rate, reported as the
// median p50/p90/p99/p99.9/max (bench/end_to_end.h explains the measurement), and the
// command-line options it shares with `brook bench compare`. `--protocol kafka` runs it through
// librdkafka against the Kafka listener (bench/peers/kafka_driver.h).
#pragma once

#include <string>

#include "CLI/CLI.hpp"
#include "bench/end_to_end.h"
#include "bench/peers/kafka_driver.h"

namespace brook::bench {

// Adds --rate, --seconds, --warmup-seconds (named with `prefix`, e.g. "latency-") and
// --value-size when `with_value_size`.
void AddEndToEndOptions(CLI::App* cmd, EndToEndOptions& options, const std::string& prefix,
                        bool with_value_size);

// brook's settings in words, for reports.
std::string BrookEndToEndSettings(const EndToEndOptions& options);
// The Kafka clients' settings in words (settings.latency is set), for reports.
std::string KafkaEndToEndSettings(const KafkaSettings& settings);

// Adds `e2e` under `bench`; running it stores its exit code in *exit_code.
void AddEndToEndCommand(CLI::App& bench, int* exit_code);

}  // namespace brook::bench
