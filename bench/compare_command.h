// bench/compare_command.h: `brook bench compare`, brook side by side with Redis Streams and
// NATS JetStream in one run.
//
// It starts `brook serve` (this binary, as a child process; or uses --bootstrap, with
// --kafka-bootstrap and --broker-pid), redis-server twice (appendfsync everysec, and appendfsync
// always) and nats-server with JetStream, all on loopback with their data in temp dirs, then runs
// six workloads on every system that has an equivalent setting, --runs times each (runs
// interleaved across systems), and reports the medians, the ratios and each server's CPU time
// per record (compare_report.h). brook runs twice: through its own client, and through its Kafka
// listener with librdkafka (peers/kafka_driver.h):
//   produce        brook acks=1, 1 producer (both listeners) | Redis everysec | NATS JetStream
//   produce-fsync  brook acks=all, 16 producers (both) | Redis appendfsync always, 16
//                  connections (nats-server 2.9 cannot fsync per write, so NATS has no cell)
//   consume        one brook consumer | a librdkafka reader | XREAD | a JetStream pull consumer
//   mixed          produce and consume at once: brook acks=1 (both) | Redis everysec | NATS
//   group-consume  3 members: a brook group | a Kafka group through librdkafka | a Redis
//                  consumer group | 3 pull subscribers on one durable JetStream consumer
//   e2e            end-to-end latency at --latency-rate (bench/end_to_end.h): brook acks=1
//                  (both) | Redis everysec | NATS JetStream
// --only picks some of them.
// The peer servers must be installed (Debian: redis-server, nats-server); a missing one fails
// the command at once with the apt-get line that installs it. The command sets SIGPIPE to
// ignored for the process (hiredis writes with write(2); a closed connection must be an error).
#pragma once

#include "CLI/CLI.hpp"

namespace brook::bench {

// Adds `compare` under `bench`; running it stores its exit code in *exit_code.
void AddCompareCommand(CLI::App& bench, int* exit_code);

}  // namespace brook::bench
