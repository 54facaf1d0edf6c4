// client/admin_impl.h: Admin's internals, shared by admin.cc (topics, broker) and
// admin_groups.cc (consumer groups). Not a public header.
//
// Admin::Impl owns the Admin's one Connection; Call() may be used from any thread,
// concurrently (the Connection is thread-safe).
#pragma once

#include <utility>

#include "client/admin.h"
#include "client/connection.h"

namespace brook {

class Admin::Impl {
 public:
  explicit Impl(AdminOptions options)
      : options_(std::move(options)),
        connection_(
            client::ClientConnectionOptions(options_.bootstrap, options_.client_id,
                                            options_.request_timeout)) {}

  absl::Status Connect() { return connection_.Connect(); }
  void Close() { connection_.Close(); }

  // Sends `request` (reconnecting first if the connection dropped) and waits for the answer.
  template <class Req>
  absl::StatusOr<client::Reply<typename Req::Response>> Call(const Req& request) {
    return Call(request, options_.request_timeout);
  }
  // The same with its own timeout, for requests that take long (CompactTopic).
  template <class Req>
  absl::StatusOr<client::Reply<typename Req::Response>> Call(const Req& request,
                                                             std::chrono::milliseconds timeout) {
    absl::Status status = connection_.Connect();
    if (!status.ok()) return status;
    return connection_.Call(request, timeout);
  }

  const AdminOptions& options() const { return options_; }

 private:
  const AdminOptions options_;
  client::Connection connection_;
};

}  // namespace brook
