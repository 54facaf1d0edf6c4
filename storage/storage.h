// storage/: brook's durable, partitioned, append-only log on RocksDB.
//
// Contract: knows RocksDB and protocol/'s record batches; never sockets, the broker or the
// client. Every fallible call returns absl::Status / StatusOr carrying a wire ErrorCode
// (protocol/error_codes.h), so the broker answers with the exact code. RocksDB headers stay
// inside storage's .cc files; the public headers forward-declare what they need.
//
//   log_store.h      LogStore: open a data dir, topics, append, read, offsets, group fsync,
//                    config changes, retention, compaction
//   partition_log.h  one partition's log: offset assignment, reads by offset and time,
//                    segments, retention
//   segment.h        segments (the unit of retention) and the retention rules
//   log_compactor.h  log compaction of one partition
//   batch_rewrite.h  rewriting a batch that keeps only some records
//   offset_store.h   committed offsets of consumer groups
//   topic_config.h   per-topic settings, defaults and validation
//   topic_record.h   the persisted topic description
//   keys.h           the frozen RocksDB key layout (docs/storage.md)
//   wal_syncer.h     group commit of WAL fsyncs for acks=all
#pragma once

#include "storage/log_store.h"
#include "storage/partition_log.h"
#include "storage/topic_config.h"
