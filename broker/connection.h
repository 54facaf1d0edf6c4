// broker/connection.h: one client connection of the generic server (internal to broker/).
//
// Operation: three coroutines on the connection's thread (io_pool.h): a reader that splits
// the byte stream into frames and starts one handler coroutine per frame (at most
// max_in_flight_per_connection at a time: past that it stops reading, which pushes back on
// the client through TCP), a writer that sends queued response frames (gathering several per
// write), and a watchdog that closes the connection when a started frame stalls past
// frame_timeout or the connection idles past idle_timeout.
// Memory: the connection charges the broker's MemoryBudget (memory_budget.h) for each
// request's payload until its handler returns and each answer until it is written; before
// buffering a frame larger than the budget's free_frame_bytes it waits until the budget has
// room for it (not reading meanwhile, and not counted against frame_timeout).
// Concurrency: all state is touched only on that thread; Stop() may be called from any thread.
// Lifecycle: kept alive by its coroutines (shared_from_this). Stop() stops reading; the
// connection closes once every in-flight request has answered and the answers are written.
// `on_closed` runs once, on that thread, when the socket closes.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "broker/broker_config.h"
#include "broker/memory_budget.h"
#include "broker/request_handler.h"

namespace brook {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // REQUIRES: `socket` belongs to a one-thread io_context; `config` outlives the connection.
  Connection(boost::asio::ip::tcp::socket socket, const ServerConfig& config,
             MemoryBudget& memory, std::shared_ptr<RequestHandler> handler,
             std::function<void(Connection*)> on_closed);
  ~Connection();

  void Start();
  void Stop();

 private:
  using Clock = std::chrono::steady_clock;

  // Each coroutine takes `self` as a parameter so its frame owns the connection from the
  // moment it is created (co_spawn starts the body later, when `this` may be gone otherwise).
  using Self = std::shared_ptr<Connection>;
  boost::asio::awaitable<void> ReadLoop(Self self);
  boost::asio::awaitable<void> WriteLoop(Self self);
  boost::asio::awaitable<void> Watchdog(Self self);
  boost::asio::awaitable<void> HandleOne(Self self, std::string payload, uint64_t sequence,
                                         int64_t charged);
  // Waits until the budget takes the large frame at the head of the buffer, if there is one
  // not yet charged; returns false when reading stopped meanwhile.
  boost::asio::awaitable<bool> ChargeHeadFrame();
  void Charge(int64_t bytes);
  void Release(int64_t bytes);
  // Hands an answer to the writer (or drops it when the connection is closed).
  void Queue(std::optional<std::string> response);
  // Queues a finished request's answer for the writer (in arrival order when
  // config_.ordered_responses: answers that overtook an earlier request wait for it).
  void Answer(uint64_t sequence, std::optional<std::string> response);
  // Dispatches every complete frame buffered; returns false if the connection must close.
  bool DispatchFrames();
  void StopReading();
  void CloseWhenDrained();
  void Close(std::string_view reason);

  boost::asio::ip::tcp::socket socket_;
  const ServerConfig& config_;
  MemoryBudget& memory_;
  std::shared_ptr<RequestHandler> handler_;
  std::function<void(Connection*)> on_closed_;
  std::string peer_;

  boost::asio::steady_timer write_signal_;
  boost::asio::steady_timer read_signal_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::cancellation_signal read_cancel_;

  // read_buffer_[0, read_len_) holds bytes received and not yet dispatched; the rest is room
  // for the next read. It is resized only to grow (a resize zero-fills), and shrunk back when
  // a large frame has gone.
  std::string read_buffer_;
  size_t read_len_ = 0;
  std::deque<std::string> outbound_;
  int64_t outbound_bytes_ = 0;   // Of outbound_.
  int64_t charged_ = 0;          // Held from memory_ by this connection, in all.
  int64_t head_frame_charge_ = 0;  // Charged ahead for the large frame being buffered.
  bool waiting_for_memory_ = false;
  uint64_t next_sequence_ = 0;       // Given to the next frame dispatched.
  uint64_t next_to_answer_ = 0;      // ordered_responses: the oldest unanswered request.
  std::map<uint64_t, std::optional<std::string>> early_answers_;  // ordered_responses only.
  int in_flight_ = 0;
  bool reading_stopped_ = false;
  bool closed_ = false;
  Clock::time_point last_activity_;
  Clock::time_point partial_since_;
  bool partial_frame_ = false;
};

}  // namespace brook
