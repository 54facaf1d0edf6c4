// bench/compare_report.h: the result of `brook bench compare` and how it is shown: a table of
// median throughputs per row (brook's own client, brook's Kafka listener through librdkafka, and
// the peers), a table of ratios (Kafka listener / brook's client, and each of the two / each
// peer), the servers' CPU time per record, the settings and runs behind each figure, and what
// each system guarantees about an acknowledged record at those settings; or the same as JSON
// for machines.
#pragma once

#include <string>
#include <vector>

#include "bench/end_to_end_report.h"
#include "bench/report.h"

namespace brook::bench {

// brook's own client is the system "brook"; this is the same broker through its Kafka listener.
inline constexpr const char* kKafkaListener = "brook (Kafka listener, librdkafka)";
// The peers, in the order of the table's columns.
inline constexpr const char* kComparePeers[] = {"Redis Streams", "NATS JetStream"};

// One system in one row. report.target is the system's name ("brook", kKafkaListener or a
// kComparePeers name).
struct CompareCell {
  WorkloadReport report;
  std::string settings;  // How it ran, in words (acks, fsync policy, connections, batching).
};

// One workload measured on brook and on the peers that have an equivalent setting.
struct CompareRow {
  std::string workload;  // "produce", "produce-fsync", "consume", "group-consume".
  std::string title;     // For the table, e.g. "produce, acks=1".
  std::vector<CompareCell> cells;  // cells[0] is brook; then the others that ran.
  std::string missing;             // Why a system has no cell, if one has none.
};

// What an acknowledged record survives, per system and setting (one line each).
struct DurabilityNote {
  std::string system;  // "brook acks=1", "Redis appendfsync everysec", ...
  std::string text;
};

struct CompareReport {
  std::string target;  // brook's: "child process" or its bootstrap address.
  WorkloadOptions options;
  int runs = 0;
  std::vector<CompareRow> rows;
  EndToEndOptions latency_options;
  std::vector<EndToEndReport> latency;  // brook first; empty when e2e was not run.
  std::vector<DurabilityNote> durability;
};

std::string FormatTable(const CompareReport& report);
std::string FormatJson(const CompareReport& report);

}  // namespace brook::bench
