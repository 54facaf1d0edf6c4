// broker/handlers/wait_durable.h: how an acks=all handler waits for the fsync of what it
// appended (LogStore::SyncWal, group commit) without blocking its io thread. Internal to
// broker/: it includes Asio.
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>

#include "absl/status/status.h"
#include "storage/log_store.h"

namespace brook {

// Waits until every append so far is fsynced, or `timeout`. Returns the sync's status, or
// REQUEST_TIMED_OUT (the records may still become durable).
boost::asio::awaitable<absl::Status> WaitDurable(storage::LogStore& store,
                                                 std::chrono::milliseconds timeout);

}  // namespace brook
