// brook's protocol over HTTP/JSON and the record routes, against an embedded broker, checked
// with brook's own client on the other side: one broker, the same topics, records and groups.
#include <string>

#include <doctest/doctest.h>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "simdjson.h"
#include "tests/support/http_client.h"

namespace brook {
namespace {

using testing::HttpCall;
using testing::HttpReply;

struct Fixture {
  EmbeddedBroker broker{EmbeddedBrokerOptions{.in_memory = true}};
  simdjson::dom::parser parser;

  HttpReply Post(const std::string& target, const std::string& body) {
    return HttpCall(broker.http_address(), "POST", target, body);
  }
  HttpReply Get(const std::string& target) { return HttpCall(broker.http_address(), "GET", target); }
  simdjson::dom::element Json(const HttpReply& reply) {
    simdjson::dom::element element;
    REQUIRE(parser.parse(reply.body).get(element) == simdjson::SUCCESS);
    return element;
  }
  std::string ErrorOf(const HttpReply& reply) { return std::string(std::string_view(Json(reply)["error"])); }
};

TEST_CASE_FIXTURE(Fixture, "a topic created over HTTP is brook's topic; its metadata reads back") {
  HttpReply created = Post("/api/v1/CreateTopics",
                           R"({"topics":[{"name":"orders","num_partitions":3,
                               "configs":[{"name":"retention.ms","value":"3600000"}]}]})");
  REQUIRE(created.status == 200);
  CHECK(std::string_view(Json(created)["topics"].at(0)["error_code"]) == "NONE");
  auto admin = Admin::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(admin.ok());
  auto topics = (*admin)->ListTopics();
  REQUIRE(topics.ok());
  REQUIRE(topics->size() == 1);
  CHECK(topics->at(0) == "orders");

  HttpReply metadata = Post("/api/v1/Metadata", R"({"topics":["orders"]})");
  REQUIRE(metadata.status == 200);
  simdjson::dom::element topic = Json(metadata)["topics"].at(0);
  CHECK(simdjson::dom::array(topic["partitions"]).size() == 3);

  HttpReply again = Post("/api/v1/CreateTopics", R"({"topics":[{"name":"orders"}]})");
  CHECK(std::string_view(Json(again)["topics"].at(0)["error_code"]) == "TOPIC_ALREADY_EXISTS");
}

TEST_CASE_FIXTURE(Fixture, "bad JSON requests are refused with the field named; nothing changes") {
  HttpReply typo = Post("/api/v1/CreateTopics", R"({"topics":[{"name":"t","partitions":3}]})");
  CHECK(typo.status == 400);
  CHECK(ErrorOf(typo) == "INVALID_REQUEST");
  CHECK(typo.body.find(R"(topics[0]: unknown field \"partitions\")") != std::string::npos);
  HttpReply range = Post("/api/v1/CreateTopics",
                         R"({"topics":[{"name":"t","num_partitions":99999999999}]})");
  CHECK(range.status == 400);
  CHECK(range.body.find("topics[0].num_partitions: expected an integer") != std::string::npos);
  CHECK(Post("/api/v1/CreateTopics", R"({"topics":"t"})").status == 400);
  CHECK(Post("/api/v1/CreateTopics", "{not json").status == 400);
  HttpReply unknown = Post("/api/v1/JoinGroup", "{}");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("GET /api/v1 lists them") != std::string::npos);
  // Nothing was created.
  CHECK(simdjson::dom::array(Json(Post("/api/v1/Metadata", "{}"))["topics"]).size() == 0);
}

TEST_CASE_FIXTURE(Fixture, "records produced over HTTP are read by brook's consumer, and back") {
  REQUIRE(Post("/api/v1/CreateTopics", R"({"topics":[{"name":"t","num_partitions":2}]})").status ==
          200);
  HttpReply produced = Post("/api/v1/topics/t/records",
                            R"({"key":"alice","value":"{\"amount\":5}","headers":{"src":"http"},
                                "partition":1})");
  REQUIRE(produced.status == 201);
  CHECK(int64_t(Json(produced)["offset"]) == 0);

  auto producer = Producer::Create({.bootstrap = broker.bootstrap(), .acks = -1});
  REQUIRE(producer.ok());
  const std::string binary("\xff\x00\x01", 3);
  REQUIRE((*producer)->Send({.topic = "t", .partition = 1, .key = "bob", .value = binary}).get().ok());

  HttpReply browsed = Get("/api/v1/topics/t/records?partition=1&offset=0");
  REQUIRE(browsed.status == 200);
  simdjson::dom::element body = Json(browsed);
  CHECK(int64_t(body["log_end"]) == 2);
  simdjson::dom::array records = body["records"];
  REQUIRE(records.size() == 2);
  CHECK(std::string_view(records.at(0)["key"]) == "alice");
  CHECK(std::string_view(records.at(0)["value"]) == R"({"amount":5})");
  CHECK(std::string_view(records.at(0)["headers"].at(0)["value"]) == "http");
  CHECK(std::string_view(records.at(1)["value"]["base64"]) == "/wAB");
  CHECK(int64_t(body["next_offset"]) == 2);

  HttpReply last = Get("/api/v1/topics/t/records?partition=1&from=end&limit=1");
  CHECK(int64_t(Json(last)["records"].at(0)["offset"]) == 1);

  auto consumer = Consumer::Create(
      {.bootstrap = broker.bootstrap(), .auto_offset_reset = OffsetReset::kEarliest});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Assign({{"t", PartitionId(1)}}).ok());
  auto polled = (*consumer)->Poll(std::chrono::seconds(5));
  REQUIRE(polled.ok());
  REQUIRE_FALSE(polled->empty());
  CHECK(polled->begin()->key == "alice");
}

TEST_CASE_FIXTURE(Fixture, "record routes refuse bad parameters and unknown topics clearly") {
  CHECK(Get("/api/v1/topics/none/records").status == 404);
  CHECK(Post("/api/v1/topics/none/records", R"({"value":"x"})").status == 404);
  REQUIRE(Post("/api/v1/CreateTopics", R"({"topics":[{"name":"t"}]})").status == 200);
  CHECK(ErrorOf(Get("/api/v1/topics/t/records?offset=7")) == "OFFSET_OUT_OF_RANGE");
  CHECK(Get("/api/v1/topics/t/records?limit=0").status == 400);
  CHECK(Get("/api/v1/topics/t/records?offset=abc").status == 400);
  CHECK(Get("/api/v1/topics/t/records?offset=0&from=end").status == 400);
  CHECK(Post("/api/v1/topics/t/records", R"({"value":5})").status == 400);
  CHECK(Post("/api/v1/topics/t/records", R"({"valeu":"x"})").status == 400);
  CHECK(Post("/api/v1/topics/t/records", R"({"partition":9,"value":"x"})").status == 404);
  CHECK(int64_t(Json(Get("/api/v1/topics/t/records"))["log_end"]) == 0);  // Nothing written.
}

}  // namespace
}  // namespace brook
