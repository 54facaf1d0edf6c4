// storage/rocksdb_logger.h: RocksDB's diagnostics go to the store's log sink instead of a LOG
// file in the data dir (internal to storage/, .cc files only).
//
// Writing RocksDB's LOG file on a full disk fails, and Debian's RocksDB (built with assertions)
// then aborts on the next log line; routing diagnostics away from the data disk removes that
// failure mode, and puts RocksDB's warnings in the broker's own structured log.
// Only warnings and errors are forwarded. Thread-safe if the sink is.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <functional>
#include <string_view>

#include "rocksdb/env.h"
#include "storage/log_store.h"

namespace brook::storage {

class ForwardingLogger : public rocksdb::Logger {
 public:
  explicit ForwardingLogger(StoreLogSink sink)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), sink_(std::move(sink)) {}

  using rocksdb::Logger::Logv;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < rocksdb::InfoLogLevel::WARN_LEVEL || !sink_) return;
    char buffer[1024];
    const int n = std::vsnprintf(buffer, sizeof(buffer), format, ap);
    if (n < 0) return;
    std::string_view message(buffer, std::min<size_t>(static_cast<size_t>(n), sizeof(buffer) - 1));
    while (!message.empty() && message.back() == '\n') message.remove_suffix(1);
    sink_(level >= rocksdb::InfoLogLevel::ERROR_LEVEL, message);
  }
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }

 private:
  StoreLogSink sink_;
};

}  // namespace brook::storage
