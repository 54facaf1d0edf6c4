#include "broker/connection.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "broker/log.h"
#include "protocol/frame.h"

namespace brook {
namespace asio = boost::asio;
namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 256 << 10;
constexpr size_t kMaxWriteGather = 64;

std::string PeerName(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, const ServerConfig& config,
                       std::shared_ptr<RequestHandler> handler,
                       std::function<void(Connection*)> on_closed)
    : socket_(std::move(socket)),
      config_(config),
      handler_(std::move(handler)),
      on_closed_(std::move(on_closed)),
      peer_(PeerName(socket_)),
      write_signal_(socket_.get_executor()),
      read_signal_(socket_.get_executor()),
      watchdog_timer_(socket_.get_executor()),
      last_activity_(Clock::now()) {}

void Connection::Start() {
  asio::co_spawn(socket_.get_executor(), ReadLoop(shared_from_this()), asio::detached);
  asio::co_spawn(socket_.get_executor(), WriteLoop(shared_from_this()), asio::detached);
  asio::co_spawn(socket_.get_executor(), Watchdog(shared_from_this()), asio::detached);
}

void Connection::Stop() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->StopReading(); });
}

void Connection::StopReading() {
  if (reading_stopped_) return;
  reading_stopped_ = true;
  read_cancel_.emit(asio::cancellation_type::terminal);
  read_signal_.cancel();
  CloseWhenDrained();
}

bool Connection::DispatchFrames() {
  size_t parsed = 0;
  while (in_flight_ < config_.max_in_flight_per_connection) {
    FrameResult frame =
        DecodeFrame(std::string_view(read_buffer_.data() + parsed, read_len_ - parsed),
                    config_.max_frame_bytes);
    if (frame.status == FrameStatus::kTooLarge) {
      Log(LogLevel::kWarn, "closing connection: frame too large", "peer", peer_, "bytes",
          frame.declared_size, "max_frame_bytes", config_.max_frame_bytes);
      return false;
    }
    if (frame.status == FrameStatus::kNeedMore) break;
    ++in_flight_;
    asio::co_spawn(socket_.get_executor(), HandleOne(shared_from_this(), std::string(frame.payload), next_sequence_++),
                   asio::detached);
    parsed += frame.consumed;
  }
  if (parsed > 0) {
    std::memmove(read_buffer_.data(), read_buffer_.data() + parsed, read_len_ - parsed);
    read_len_ -= parsed;
  }
  if (read_len_ == 0 && read_buffer_.size() > 2 * kReadChunk) {
    read_buffer_ = std::string(kReadChunk, '\0');
  }
  if (read_len_ == 0) {
    partial_frame_ = false;
  } else if (!partial_frame_ || parsed > 0) {
    partial_frame_ = true;
    partial_since_ = Clock::now();
  }
  return true;
}

asio::awaitable<void> Connection::ReadLoop(Self self) {
  while (!reading_stopped_) {
    if (!DispatchFrames()) {
      Close("frame too large");
      co_return;
    }
    if (in_flight_ >= config_.max_in_flight_per_connection) {
      read_signal_.expires_at(asio::steady_timer::time_point::max());
      co_await read_signal_.async_wait(kNoThrow);
      continue;
    }
    // Read at least the rest of a large frame in one go when its size is known.
    size_t want = kReadChunk;
    if (read_len_ >= kFrameLengthSize) {
      size_t frame =
          kFrameLengthSize + DecodeFrameLength(std::string_view(read_buffer_.data(), read_len_));
      if (frame > read_len_) want = std::max(want, frame - read_len_);
    }
    if (read_buffer_.size() < read_len_ + want) read_buffer_.resize(read_len_ + want);
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(read_buffer_.data() + read_len_, want),
        asio::bind_cancellation_slot(read_cancel_.slot(), kNoThrow));
    read_len_ += n;
    if (ec) break;
    last_activity_ = Clock::now();
  }
  reading_stopped_ = true;
  CloseWhenDrained();
}

asio::awaitable<void> Connection::HandleOne(Self self, std::string payload, uint64_t sequence) {
  RequestHandler::Outcome outcome;
  try {
    outcome = co_await handler_->Handle(std::move(payload), peer_);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "request handler failed", "peer", peer_, "error", e.what());
    outcome.close_connection = true;
  }
  Answer(sequence, std::move(outcome.response));
  read_signal_.cancel();
  if (outcome.close_connection) StopReading();
  CloseWhenDrained();
}

void Connection::Answer(uint64_t sequence, std::optional<std::string> response) {
  // An answer held back for an earlier request still counts as in flight, so the in-flight
  // limit also bounds the answers held.
  if (!config_.ordered_responses) {
    --in_flight_;
    if (response && !closed_) outbound_.push_back(std::move(*response));
  } else {
    early_answers_.emplace(sequence, std::move(response));
    for (auto next = early_answers_.begin();
         next != early_answers_.end() && next->first == next_to_answer_;
         next = early_answers_.erase(next), ++next_to_answer_) {
      --in_flight_;
      if (next->second && !closed_) outbound_.push_back(std::move(*next->second));
    }
  }
  if (!outbound_.empty()) write_signal_.cancel();
}

void Connection::CloseWhenDrained() {
  if (reading_stopped_ && in_flight_ == 0) write_signal_.cancel();
}

asio::awaitable<void> Connection::WriteLoop(Self self) {
  std::vector<std::string> batch;
  std::vector<asio::const_buffer> buffers;
  while (!closed_) {
    if (outbound_.empty()) {
      if (reading_stopped_ && in_flight_ == 0) break;
      write_signal_.expires_at(asio::steady_timer::time_point::max());
      co_await write_signal_.async_wait(kNoThrow);
      continue;
    }
    batch.clear();
    buffers.clear();
    while (!outbound_.empty() && batch.size() < kMaxWriteGather) {
      batch.push_back(std::move(outbound_.front()));
      outbound_.pop_front();
    }
    for (const std::string& frame : batch) buffers.push_back(asio::buffer(frame));
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kNoThrow);
    if (ec) {
      Close(ec.message());
      co_return;
    }
    last_activity_ = Clock::now();
  }
  Close("done");
}

asio::awaitable<void> Connection::Watchdog(Self self) {
  const auto tick = std::min<Clock::duration>(
      std::chrono::seconds(1), std::min(config_.frame_timeout, config_.idle_timeout) / 2);
  while (!closed_) {
    watchdog_timer_.expires_after(tick);
    co_await watchdog_timer_.async_wait(kNoThrow);
    if (closed_) break;
    const auto now = Clock::now();
    if (partial_frame_ && in_flight_ < config_.max_in_flight_per_connection &&
        now - partial_since_ > config_.frame_timeout) {
      Log(LogLevel::kWarn, "closing connection: frame not completed in time", "peer", peer_);
      Close("frame timeout");
    } else if (in_flight_ == 0 && outbound_.empty() &&
               now - last_activity_ > config_.idle_timeout) {
      Log(LogLevel::kInfo, "closing idle connection", "peer", peer_);
      Close("idle");
    }
  }
}

void Connection::Close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  reading_stopped_ = true;
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  read_cancel_.emit(asio::cancellation_type::terminal);
  write_signal_.cancel();
  read_signal_.cancel();
  watchdog_timer_.cancel();
  outbound_.clear();
  Log(LogLevel::kDebug, "connection closed", "peer", peer_, "reason", reason);
  if (on_closed_) std::exchange(on_closed_, nullptr)(this);
}

}  // namespace brook
