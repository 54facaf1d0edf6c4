#include "client/connection.h"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "protocol/absl_compat.h"
#include "tests/client/fake_broker.h"

namespace brook::client {
namespace {

using std::chrono::milliseconds;
using testing::FakeBroker;

// Collects the requests a FakeBroker receives so a test can answer them when it chooses.
struct Inbox {
  struct Item {
    std::shared_ptr<FakeBroker::Session> session;
    RequestHeader header;
    std::string body;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Item> items;

  FakeBroker::Handler Handler() {
    return [this](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& h,
                  std::string_view body) {
      std::lock_guard<std::mutex> lock(mu);
      items.push_back({session, h, std::string(body)});
      cv.notify_all();
    };
  }
  // Waits until `n` requests have arrived and returns them.
  std::vector<Item> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return items.size() >= n; }));
    return items;
  }
};

ConnectionOptions OptionsFor(const std::string& address) {
  ConnectionOptions options;
  options.address = address;
  options.client_id = "connection-test";
  options.connect_timeout = milliseconds(2000);
  return options;
}

MetadataRequest MetadataFor(std::string topic) {
  MetadataRequest request;
  request.topics = std::vector<std::string>{std::move(topic)};
  return request;
}

// A Metadata response naming one topic, so each answer is recognizable.
MetadataResponse TopicNamed(std::string name) {
  MetadataResponse response;
  response.topics.push_back({ErrorCode::kNone, std::move(name), {}, {}});
  return response;
}

TEST_CASE("connect to a closed port fails with the exact refusal message") {
  const uint16_t port = testing::UnusedPort();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  Connection connection(OptionsFor(address));
  absl::Status status = connection.Connect();
  CHECK(CodeOf(status) == ErrorCode::kNetworkException);
  CHECK(MessageOf(status) ==
        "cannot connect to " + address + ": connection refused — is `brook serve` running?");
  CHECK_FALSE(connection.connected());
}

TEST_CASE("a malformed address fails with INVALID_REQUEST naming it") {
  Connection connection(OptionsFor("127.0.0.1:notaport"));
  absl::Status status = connection.Connect();
  CHECK(CodeOf(status) == ErrorCode::kInvalidRequest);
  CHECK(MessageOf(status).find("invalid address '127.0.0.1:notaport'") == 0);
}

TEST_CASE("connect negotiates versions; an API the broker does not serve fails when called") {
  SUBCASE("all APIs at v0") {
    FakeBroker broker([](auto&&...) {});
    Connection connection(OptionsFor(broker.address()));
    REQUIRE(connection.Connect().ok());
    CHECK(connection.connected());
    CHECK(connection.VersionFor(ApiKey::kProduce, 0) == 0);
  }
  SUBCASE("Metadata missing") {
    ApiVersionsResponse versions = FakeBroker::AllApisV0();
    std::erase_if(versions.api_keys, [](const auto& r) {
      return r.api_key == static_cast<int16_t>(ApiKey::kMetadata);
    });
    FakeBroker broker([](auto&&...) {}, versions);
    Connection connection(OptionsFor(broker.address()));
    REQUIRE(connection.Connect().ok());
    CHECK(connection.VersionFor(ApiKey::kMetadata, 0) == Connection::kNotServed);
    auto reply = connection.Call(MetadataRequest{}, std::chrono::seconds(5));
    CHECK(CodeOf(reply.status()) == ErrorCode::kUnsupportedVersion);
    CHECK(MessageOf(reply.status()).find("does not serve Metadata") != std::string_view::npos);
    CHECK(connection.connected());
  }
  SUBCASE("only newer versions served") {
    ApiVersionsResponse versions = FakeBroker::AllApisV0();
    for (auto& r : versions.api_keys) {
      if (r.api_key == static_cast<int16_t>(ApiKey::kFetch)) r.min_version = r.max_version = 3;
    }
    FakeBroker broker([](auto&&...) {}, versions);
    Connection connection(OptionsFor(broker.address()));
    REQUIRE(connection.Connect().ok());
    CHECK(connection.VersionFor(ApiKey::kFetch, FetchRequest::kMaxVersion) ==
          Connection::kNotServed);
  }
}

TEST_CASE("a broker that never answers the handshake fails Connect after connect_timeout") {
  FakeBroker broker([](auto&&...) {});
  broker.IgnoreApiVersions(true);
  ConnectionOptions options = OptionsFor(broker.address());
  options.connect_timeout = milliseconds(200);
  Connection connection(options);
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = connection.Connect();
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(190));
  CHECK(CodeOf(status) == ErrorCode::kNetworkException);
  CHECK(MessageOf(status).find("cannot connect to " + broker.address() +
                               ": the ApiVersions handshake failed") == 0);
  CHECK_FALSE(connection.connected());
  broker.IgnoreApiVersions(false);
  CHECK(connection.Connect().ok());  // The same Connection connects once the broker answers.
}

TEST_CASE("pipelined requests answered out of order reach their own callbacks") {
  Inbox inbox;
  FakeBroker broker(inbox.Handler());
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());

  constexpr int kRequests = 3;
  std::vector<std::future<absl::StatusOr<Reply<MetadataResponse>>>> results;
  for (int i = 0; i < kRequests; ++i) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<Reply<MetadataResponse>>>>();
    results.push_back(promise->get_future());
    connection.CallAsync(
        MetadataFor("t" + std::to_string(i)), milliseconds(5000),
        [promise](absl::StatusOr<Reply<MetadataResponse>> r) { promise->set_value(std::move(r)); });
  }
  // All three are on the wire before any answer: pipelined, in send order.
  std::vector<Inbox::Item> items = inbox.WaitFor(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    auto request = DecodeMessage<MetadataRequest>(items[i].body, 0);
    REQUIRE(request.ok());
    CHECK((*request->topics)[0] == "t" + std::to_string(i));
    CHECK(items[i].header.client_id == "connection-test");
  }
  for (int i = kRequests - 1; i >= 0; --i) {
    items[i].session->RespondWith(items[i].header.correlation_id,
                                  TopicNamed("answer-" + std::to_string(i)));
  }
  for (int i = 0; i < kRequests; ++i) {
    auto reply = results[i].get();
    REQUIRE(reply.ok());
    CHECK(reply->message.topics[0].name == "answer-" + std::to_string(i));
  }
}

TEST_CASE("a request larger than the socket takes at once arrives whole, before the next one") {
  // Send writes on the calling thread while the connection is idle; what the socket does not
  // take goes to the I/O thread, and requests sent meanwhile queue behind it.
  Inbox inbox;
  FakeBroker broker(inbox.Handler());
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());
  std::string big(16 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  std::vector<std::future<absl::StatusOr<RawResponse>>> results;
  for (const std::string& body : {big, std::string("small"), std::string("last")}) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<RawResponse>>>();
    results.push_back(promise->get_future());
    connection.Send(ApiKey::kMetadata, 0, body, milliseconds(30000),
                    [promise](absl::StatusOr<RawResponse> r) { promise->set_value(std::move(r)); });
  }
  std::vector<Inbox::Item> items = inbox.WaitFor(3);
  REQUIRE(items.size() == 3);
  CHECK(items[0].body == big);
  CHECK(items[1].body == "small");
  CHECK(items[2].body == "last");
  for (Inbox::Item& item : items) item.session->Respond(item.header.correlation_id, "");
  for (auto& result : results) CHECK(result.get().ok());
}

TEST_CASE("an error in the response header becomes the call's status") {
  FakeBroker broker([](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& h,
                       std::string_view) {
    session->RespondError(h.correlation_id, ErrorCode::kTopicAlreadyExists,
                          "topic 'x' already exists");
  });
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());
  auto reply = connection.Call(MetadataFor("x"), milliseconds(5000));
  CHECK(CodeOf(reply.status()) == ErrorCode::kTopicAlreadyExists);
  CHECK(MessageOf(reply.status()) == "topic 'x' already exists");
}

TEST_CASE("a malformed response body is INVALID_REQUEST naming the API") {
  FakeBroker broker([](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& h,
                       std::string_view) { session->Respond(h.correlation_id, "\x01"); });
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());
  auto reply = connection.Call(MetadataFor("x"), milliseconds(5000));
  CHECK(CodeOf(reply.status()) == ErrorCode::kInvalidRequest);
  CHECK(MessageOf(reply.status()).find("Metadata response") != std::string_view::npos);
}

TEST_CASE("a request without an answer times out and the connection stays usable") {
  Inbox inbox;
  FakeBroker broker(inbox.Handler());
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());

  const auto start = std::chrono::steady_clock::now();
  auto reply = connection.Call(MetadataFor("slow"), milliseconds(150));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(CodeOf(reply.status()) == ErrorCode::kRequestTimedOut);
  CHECK(MessageOf(reply.status()).find("Metadata request to") == 0);
  CHECK(elapsed >= milliseconds(150));
  CHECK(elapsed < milliseconds(3000));

  // The late answer is dropped; the next request gets its own answer.
  std::vector<Inbox::Item> first = inbox.WaitFor(1);
  first[0].session->RespondWith(first[0].header.correlation_id, TopicNamed("late"));
  auto promise = std::make_shared<std::promise<absl::StatusOr<Reply<MetadataResponse>>>>();
  auto future = promise->get_future();
  connection.CallAsync(MetadataFor("next"), milliseconds(5000),
                       [promise](auto r) { promise->set_value(std::move(r)); });
  std::vector<Inbox::Item> both = inbox.WaitFor(2);
  both[1].session->RespondWith(both[1].header.correlation_id, TopicNamed("on-time"));
  auto second = future.get();
  REQUIRE(second.ok());
  CHECK(second->message.topics[0].name == "on-time");
  CHECK(connection.connected());
}

TEST_CASE("a dropped connection fails every pending request, and Connect reconnects") {
  Inbox inbox;
  FakeBroker broker(inbox.Handler());
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());

  std::vector<std::future<absl::StatusOr<Reply<MetadataResponse>>>> results;
  for (int i = 0; i < 4; ++i) {
    auto promise = std::make_shared<std::promise<absl::StatusOr<Reply<MetadataResponse>>>>();
    results.push_back(promise->get_future());
    connection.CallAsync(MetadataFor("t"), milliseconds(10000),
                         [promise](auto r) { promise->set_value(std::move(r)); });
  }
  inbox.WaitFor(4)[0].session->Close();
  for (auto& result : results) {
    auto reply = result.get();
    CHECK(CodeOf(reply.status()) == ErrorCode::kNetworkException);
    CHECK(MessageOf(reply.status()).find("connection to " + broker.address() + " lost") == 0);
  }
  CHECK_FALSE(connection.connected());

  // Not connected: a request fails at once with NETWORK_EXCEPTION.
  CHECK(CodeOf(connection.Call(MetadataFor("t"), milliseconds(5000)).status()) ==
        ErrorCode::kNetworkException);

  REQUIRE(connection.Connect().ok());
  CHECK(broker.connections_accepted() == 2);
  auto promise = std::make_shared<std::promise<absl::StatusOr<Reply<MetadataResponse>>>>();
  auto future = promise->get_future();
  connection.CallAsync(MetadataFor("again"), milliseconds(5000),
                       [promise](auto r) { promise->set_value(std::move(r)); });
  Inbox::Item item = inbox.WaitFor(5)[4];
  item.session->RespondWith(item.header.correlation_id, TopicNamed("again"));
  CHECK(future.get().ok());
}

TEST_CASE("a response larger than the read buffer arrives whole") {
  const std::string big(3 << 20, 'x');
  FakeBroker broker([&](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& h,
                        std::string_view) {
    MetadataResponse response;
    response.topics.push_back({ErrorCode::kNone, "big", {}, {ConfigEntry{"k", "v"}}});
    // A second, small response right behind the big one exercises the buffer switch.
    std::string body;
    EncodeMessage(response, 0, &body);
    FetchResponse fetch;
    fetch.topics.push_back({"big", {{0, ErrorCode::kNone, 1, 0, big}}});
    session->RespondWith(h.correlation_id, fetch);
  });
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());
  for (int i = 0; i < 3; ++i) {
    FetchRequest request;
    auto reply = connection.Call(request, milliseconds(10000));
    REQUIRE(reply.ok());
    CHECK(reply->message.topics[0].partitions[0].records == big);
  }
}

TEST_CASE("a response frame over max_response_bytes breaks the connection") {
  FakeBroker broker(
      [](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& h,
         std::string_view) { session->Respond(h.correlation_id, std::string(4096, 'x')); });
  ConnectionOptions options = OptionsFor(broker.address());
  options.max_response_bytes = 1024;
  Connection connection(options);
  REQUIRE(connection.Connect().ok());
  auto reply = connection.Call(MetadataFor("x"), milliseconds(5000));
  CHECK(CodeOf(reply.status()) == ErrorCode::kNetworkException);
  CHECK(MessageOf(reply.status()).find("exceeds the limit") != std::string_view::npos);
}

TEST_CASE("one-way requests report when written and get no response") {
  Inbox inbox;
  FakeBroker broker(inbox.Handler());
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());
  std::promise<absl::Status> written;
  auto future = written.get_future();
  ProduceRequest request;
  request.acks = kAcksNone;
  std::string body;
  EncodeMessage(request, 0, &body);
  connection.SendOneWay(ApiKey::kProduce, 0, body,
                        [&written](absl::Status s) { written.set_value(std::move(s)); });
  CHECK(future.get().ok());
  Inbox::Item item = inbox.WaitFor(1)[0];
  CHECK(item.header.api_key == static_cast<int16_t>(ApiKey::kProduce));
  CHECK(item.body == body);
}

TEST_CASE("Close fails pending requests, and later calls fail inline") {
  Inbox inbox;
  FakeBroker broker(inbox.Handler());
  auto connection = std::make_unique<Connection>(OptionsFor(broker.address()));
  REQUIRE(connection->Connect().ok());
  std::promise<absl::Status> pending;
  auto future = pending.get_future();
  connection->CallAsync(MetadataFor("t"), milliseconds(10000),
                        [&pending](auto r) { pending.set_value(r.status()); });
  inbox.WaitFor(1);
  connection->Close();
  CHECK(future.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
  CHECK(CodeOf(future.get()) == ErrorCode::kNetworkException);

  bool ran_inline = false;
  connection->Send(ApiKey::kMetadata, 0, "", milliseconds(100), [&](absl::StatusOr<RawResponse> r) {
    ran_inline = true;
    CHECK(CodeOf(r.status()) == ErrorCode::kNetworkException);
  });
  CHECK(ran_inline);
  CHECK(CodeOf(connection->Connect()) == ErrorCode::kNetworkException);
  connection.reset();
}

TEST_CASE("a blocking call from the I/O thread is refused instead of deadlocking") {
  FakeBroker broker(
      [](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& h,
         std::string_view) { session->RespondWith(h.correlation_id, TopicNamed("x")); });
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());
  std::promise<absl::Status> inner;
  auto future = inner.get_future();
  connection.Post([&] {
    CHECK(connection.InIoThread());
    inner.set_value(connection.Call(MetadataFor("x"), milliseconds(100)).status());
  });
  absl::Status status = future.get();
  CHECK(CodeOf(status) == ErrorCode::kInvalidRequest);
  CHECK_FALSE(connection.InIoThread());
}

TEST_CASE("many concurrent callers share one connection") {
  FakeBroker broker([](const std::shared_ptr<FakeBroker::Session>& session, const RequestHeader& h,
                       std::string_view body) {
    auto request = DecodeMessage<MetadataRequest>(body, 0);
    session->RespondWith(h.correlation_id, TopicNamed((*request->topics)[0]));
  });
  Connection connection(OptionsFor(broker.address()));
  REQUIRE(connection.Connect().ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::string name = fmt::format("t{}-{}", t, i);
        auto reply = connection.Call(MetadataFor(name), milliseconds(10000));
        if (reply.ok() && reply->message.topics[0].name == name) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 800);
}

}  // namespace
}  // namespace brook::client
