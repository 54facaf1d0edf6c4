// tests/client/fake_broker.h: a tiny in-process broker for the client's unit tests.
//
// Listens on 127.0.0.1 (an ephemeral port), answers ApiVersions by itself (every API at v0,
// or the ranges a test gives), and hands every other request to the test's handler, which
// may answer at once, later, out of order, with an error header, or drop the connection.
// It knows no topics: a test scripts exactly the responses it needs.
//
// Threads: one accept thread, and one reading thread per connection; the handler runs on the
// connection's reading thread. Session methods are thread-safe, so a test may keep a session
// and answer from another thread. Destruction shuts every socket and joins every thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/frame.h"
#include "protocol/message_codec.h"
#include "protocol/messages.h"

namespace brook::testing {

class FakeBroker {
 public:
  class Session {
   public:
    explicit Session(int fd) : fd_(fd) {}
    // Sends a response with error NONE and `body`.
    void Respond(int32_t correlation_id, std::string_view body);
    template <class M>
    void RespondWith(int32_t correlation_id, const M& message) {
      std::string body;
      EncodeMessage(message, 0, &body);
      Respond(correlation_id, body);
    }
    // Sends a response whose header carries `code` and `message` (no body).
    void RespondError(int32_t correlation_id, ErrorCode code, std::string_view message);
    // Drops the connection (the client sees it closed).
    void Close();

   private:
    friend class FakeBroker;
    void Write(const std::string& frame);
    int fd_;
    std::mutex write_mu_;
    std::atomic<bool> closed_{false};
  };

  // Called for every request except ApiVersions, on the connection's thread.
  using Handler = std::function<void(const std::shared_ptr<Session>& session,
                                     const RequestHeader& header, std::string_view body)>;

  explicit FakeBroker(Handler handler, std::optional<ApiVersionsResponse> versions = std::nullopt);
  ~FakeBroker();
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  uint16_t port() const { return port_; }
  int connections_accepted() const { return accepted_.load(); }
  // While set, ApiVersions requests get no answer (a broker that hangs in the handshake).
  void IgnoreApiVersions(bool ignore) { ignore_api_versions_ = ignore; }
  // Every API of AllRequests at version 0.
  static ApiVersionsResponse AllApisV0();

 private:
  void AcceptLoop();
  void Serve(std::shared_ptr<Session> session);

  Handler handler_;
  ApiVersionsResponse versions_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ignore_api_versions_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::vector<std::thread> threads_;
};

// A port on 127.0.0.1 where nothing listens (bound once, then released).
uint16_t UnusedPort();

}  // namespace brook::testing
