// The event store over HTTP/JSON (POST /api/v1/Event*), as a script in any language uses it:
// expected revisions, idempotent retries, reads of a stream and of $all, a long poll that a
// concurrent append wakes, snapshots; checked against brook's own EventStore client.
#include <future>
#include <string>

#include <doctest/doctest.h>

#include "broker/embedded_broker.h"
#include "simdjson.h"
#include "tests/support/http_client.h"

namespace brook {
namespace {

using testing::HttpCall;
using testing::HttpReply;

struct Fixture {
  EmbeddedBroker broker{EmbeddedBrokerOptions{.in_memory = true}};
  simdjson::dom::parser parser;

  simdjson::dom::element Call(const std::string& api, const std::string& body) {
    HttpReply reply = HttpCall(broker.http_address(), "POST", "/api/v1/" + api, body);
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    simdjson::dom::element element;
    REQUIRE(parser.parse(reply.body).get(element) == simdjson::SUCCESS);
    return element;
  }
};

constexpr const char* kOpen = R"({"stream":"account-1","expected_revision":-1,"events":[
  {"id":"6f1c2a52-3b7e-4c38-9d7e-0a1b2c3d4e5f","type":"Opened","content_type":"application/json",
   "data":"{\"owner\":\"ann\"}"}]})";

TEST_CASE_FIXTURE(Fixture, "append with an expected revision; a conflict carries the actual one") {
  simdjson::dom::element opened = Call("EventAppend", kOpen);
  CHECK(std::string_view(opened["error_code"]) == "NONE");
  CHECK(int64_t(opened["first_revision"]) == 0);
  // The same events again: the first append's answer, nothing appended.
  simdjson::dom::element retried = Call("EventAppend", kOpen);
  CHECK(bool(retried["duplicate"]));
  CHECK(int64_t(retried["first_revision"]) == 0);
  // A writer that believes the stream is new loses, and learns where it is.
  simdjson::dom::element conflict = Call("EventAppend", R"({"stream":"account-1",
      "expected_revision":-1,"events":[{"type":"Opened","data":"{}"}]})");
  CHECK(std::string_view(conflict["error_code"]) == "WRONG_EXPECTED_VERSION");
  CHECK(int64_t(conflict["actual_revision"]) == 0);
  simdjson::dom::element deposited = Call("EventAppend", R"({"stream":"account-1",
      "expected_revision":0,"events":[{"type":"Deposited","data":"{\"amount\":5}"}]})");
  CHECK(int64_t(deposited["first_revision"]) == 1);

  simdjson::dom::element read = Call("EventRead", R"({"stream":"account-1"})");
  simdjson::dom::array events = read["events"];
  REQUIRE(events.size() == 2);
  CHECK(std::string_view(events.at(0)["type"]) == "Opened");
  CHECK(std::string_view(events.at(0)["id"]) == "6f1c2a52-3b7e-4c38-9d7e-0a1b2c3d4e5f");
  CHECK(std::string_view(events.at(1)["data"]) == R"({"amount":5})");
  CHECK(int64_t(read["head"]) == 1);
}

TEST_CASE_FIXTURE(Fixture, "a long-polling read of $all is answered by the next append") {
  Call("EventAppend", kOpen);
  std::future<std::string> waiting = std::async(std::launch::async, [&] {
    return HttpCall(broker.http_address(), "POST", "/api/v1/EventRead",
                    R"({"stream":"$all","from":1,"max_wait_ms":20000})")
        .body;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Call("EventAppend", R"({"stream":"account-2","events":[{"type":"Opened","data":"{}"}]})");
  const std::string body = waiting.get();
  simdjson::dom::element read;
  REQUIRE(parser.parse(body).get(read) == simdjson::SUCCESS);
  simdjson::dom::array events = read["events"];
  REQUIRE(events.size() == 1);
  CHECK(std::string_view(events.at(0)["stream"]) == "account-2");
  CHECK(int64_t(events.at(0)["position"]) == 1);
}

TEST_CASE_FIXTURE(Fixture, "a snapshot and the events after it come back in one call") {
  Call("EventAppend", kOpen);
  Call("EventSnapshotSave", R"({"stream":"account-1","revision":0,"data":"{\"balance\":0}"})");
  Call("EventAppend", R"({"stream":"account-1","expected_revision":0,
      "events":[{"type":"Deposited","data":"{\"amount\":7}"}]})");
  simdjson::dom::element loaded = Call("EventSnapshotLoad", R"({"stream":"account-1"})");
  CHECK(bool(loaded["found"]));
  CHECK(std::string_view(loaded["data"]) == R"({"balance":0})");
  simdjson::dom::array after = loaded["events"];
  REQUIRE(after.size() == 1);
  CHECK(int64_t(after.at(0)["revision"]) == 1);
}

TEST_CASE_FIXTURE(Fixture, "bad event requests are refused and write nothing") {
  HttpReply typo = HttpCall(broker.http_address(), "POST", "/api/v1/EventAppend",
                            R"({"stream":"a","expected_revison":0,"events":[]})");
  CHECK(typo.status == 400);
  CHECK(typo.body.find(R"(unknown field \"expected_revison\")") != std::string::npos);
  simdjson::dom::element bad_id = Call("EventAppend", R"({"stream":"a","events":[
      {"id":"not-a-uuid","type":"T","data":"{}"}]})");
  CHECK(std::string_view(bad_id["error_code"]) == "INVALID_REQUEST");
  HttpReply missing = HttpCall(broker.http_address(), "POST", "/api/v1/EventRead",
                               R"({"stream":"a"})");
  CHECK(missing.status == 404);
}

}  // namespace
}  // namespace brook
