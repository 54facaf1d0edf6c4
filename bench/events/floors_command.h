// bench/events/floors_command.h: `brook bench events-floors`, what this machine allows the
// appends `brook bench events` measures, whatever the server does:
//   - round trips: --clients client threads on loopback TCP, each with --in-flight requests
//     of 160 bytes in flight (1, then the given number), against a server of two epoll
//     threads that answers each with 60 bytes at once and does nothing else: the ceiling of
//     any request/response server here, brook's or PostgreSQL's;
//   - storage: one thread writes to brook's LogStore (RocksDB with brook's options) what an
//     event-store append of 1 and of --batch events writes, with the append's id lookup
//     before: its record batch (EncodeAppendBatch) and, in the same write, an id entry per
//     event, its revision run, its global entry and its stream's state; then the same keys
//     for --batch events straight to RocksDB (brook's options, one record batch encoded
//     once). No network, client, expected-revision check or group commit: events/s and CPU
//     per event (the process's, RocksDB's flushes and compactions included).
// Medians of --runs runs of --seconds each.
#pragma once

#include "CLI/CLI.hpp"

namespace brook::bench {

// Adds `events-floors` under `bench`; running it stores its exit code in *exit_code.
void AddEventFloorsCommand(CLI::App& bench, int* exit_code);

}  // namespace brook::bench
