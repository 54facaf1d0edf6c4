// bench/events/events_command.h: `brook bench events`, brook's event store beside the
// PostgreSQL design the usual event-sourcing tutorials use (bench/events/event_target.h),
// each server in its own process on loopback, at matching durability:
//   - "fsync": brook with acks=all (answered once fsynced) vs PostgreSQL synchronous_commit=on;
//   - "no fsync": brook with acks=1 (in the WAL: survives a crash of the broker, not of the
//     machine) vs synchronous_commit=off (may lose the last commits even on a crash of
//     PostgreSQL's processes, up to 3 x wal_writer_delay).
// For each, alternating the two systems in every run (--runs, medians reported):
//   1. single-event appends, --clients clients (one connection each, one append in flight),
//      each to its own --streams-per-client streams in turn with the exact expected revision;
//   2. the same with --in-flight appends in flight per client (brook: on its connection;
//      PostgreSQL: a connection each);
//   3. the same as 1 with --batch events per append;
// then, once the machine is idle: reads of a --read-events event stream written in appends
// of 100, and of one written one event at a time among other streams' appends (p50/p99
// latency), and --runs catch-up reads of every event in the global order ($all; PostgreSQL:
// by position), in pages of 5,000 (the median reported).
// `brook bench events-floors` (floors_command.h) measures what the machine allows these.
// Finally, unless --streams is 0, brook alone: one event to each of --streams new streams,
// with the broker's resident memory before and after.
#pragma once

#include "CLI/CLI.hpp"

namespace brook::bench {

// Adds `events` under `bench`; running it stores its exit code in *exit_code.
void AddEventsBenchCommand(CLI::App& bench, int* exit_code);

}  // namespace brook::bench
