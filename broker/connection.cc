#include "broker/connection.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <utility>
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
constexpr size_t kReadChunk = 64 << 10;  // Bounds what an uncharged connection buffers.
constexpr size_t kMaxWriteGather = 64;

std::string PeerName(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, const ServerConfig& config,
                       MemoryBudget& memory, std::shared_ptr<RequestHandler> handler,
                       std::function<void(Connection*)> on_closed)
    : socket_(std::move(socket)),
      config_(config),
      memory_(memory),
      handler_(std::move(handler)),
      on_closed_(std::move(on_closed)),
      peer_(PeerName(socket_)),
      write_signal_(socket_.get_executor()),
      read_signal_(socket_.get_executor()),
      watchdog_timer_(socket_.get_executor()),
      last_activity_(Clock::now()) {}

// What is still charged: answers held back for an earlier request that never came, and a
// head frame charged ahead.
Connection::~Connection() {
  if (charged_ > 0) memory_.Release(charged_);
}

void Connection::Charge(int64_t bytes) {
  memory_.Charge(bytes);
  charged_ += bytes;
}

void Connection::Release(int64_t bytes) {
  charged_ -= bytes;
  memory_.Release(bytes);
}

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
    // The head frame may have been charged ahead (ChargeHeadFrame); any other is charged now.
    int64_t charged = std::exchange(head_frame_charge_, 0);
    if (charged == 0) {
      charged = static_cast<int64_t>(frame.payload.size());
      Charge(charged);
    }
    asio::co_spawn(socket_.get_executor(),
                   HandleOne(shared_from_this(), std::string(frame.payload), next_sequence_++,
                             charged),
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
    if (!co_await ChargeHeadFrame()) break;
    // Read small chunks (a frame too large to read without the budget waits in the socket);
    // the rest of a large frame in one go once the budget took it.
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

asio::awaitable<bool> Connection::ChargeHeadFrame() {
  if (head_frame_charge_ > 0 || read_len_ < kFrameLengthSize) co_return !reading_stopped_;
  const auto size = static_cast<int64_t>(
      DecodeFrameLength(std::string_view(read_buffer_.data(), read_len_)));
  if (size <= memory_.free_frame_bytes()) co_return !reading_stopped_;
  for (;;) {
    if (reading_stopped_) co_return false;
    if (memory_.TryCharge(size)) break;
    // Wake when memory is released; charge again after registering, so a release in between
    // is not missed.
    memory_.OnRelease([weak = weak_from_this(), executor = socket_.get_executor()] {
      asio::post(executor, [weak] {
        if (auto self = weak.lock()) self->read_signal_.cancel();
      });
    });
    if (memory_.TryCharge(size)) break;
    waiting_for_memory_ = true;
    read_signal_.expires_at(asio::steady_timer::time_point::max());
    co_await read_signal_.async_wait(kNoThrow);
    waiting_for_memory_ = false;
  }
  charged_ += size;
  head_frame_charge_ = size;
  partial_since_ = Clock::now();  // The frame's time to complete starts now.
  co_return true;
}

asio::awaitable<void> Connection::HandleOne(Self self, std::string payload, uint64_t sequence,
                                            int64_t charged) {
  RequestHandler::Outcome outcome;
  try {
    outcome = co_await handler_->Handle(std::move(payload), peer_);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "request handler failed", "peer", peer_, "error", e.what());
    outcome.close_connection = true;
  }
  Release(charged);
  Answer(sequence, std::move(outcome.response));
  read_signal_.cancel();
  if (outcome.close_connection) StopReading();
  CloseWhenDrained();
}

void Connection::Answer(uint64_t sequence, std::optional<std::string> response) {
  // An answer held back for an earlier request still counts as in flight, so the in-flight
  // limit also bounds the answers held. Answers are charged until written.
  if (response) Charge(static_cast<int64_t>(response->size()));
  if (!config_.ordered_responses) {
    --in_flight_;
    Queue(std::move(response));
  } else {
    early_answers_.emplace(sequence, std::move(response));
    for (auto next = early_answers_.begin();
         next != early_answers_.end() && next->first == next_to_answer_;
         next = early_answers_.erase(next), ++next_to_answer_) {
      --in_flight_;
      Queue(std::move(next->second));
    }
  }
  if (!outbound_.empty()) write_signal_.cancel();
}

void Connection::Queue(std::optional<std::string> response) {
  if (!response) return;
  if (closed_) {
    Release(static_cast<int64_t>(response->size()));
    return;
  }
  outbound_bytes_ += static_cast<int64_t>(response->size());
  outbound_.push_back(std::move(*response));
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
    int64_t batch_bytes = 0;
    for (const std::string& frame : batch) {
      buffers.push_back(asio::buffer(frame));
      batch_bytes += static_cast<int64_t>(frame.size());
    }
    outbound_bytes_ -= batch_bytes;
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kNoThrow);
    Release(batch_bytes);
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
    if (partial_frame_ && !waiting_for_memory_ &&
        in_flight_ < config_.max_in_flight_per_connection &&
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
  Release(std::exchange(outbound_bytes_, 0));
  Log(LogLevel::kDebug, "connection closed", "peer", peer_, "reason", reason);
  if (on_closed_) std::exchange(on_closed_, nullptr)(this);
}

}  // namespace brook
