// tests/kafka/rdkafka_support.h: small RAII helpers over librdkafka's C API for the tests.
#pragma once

#include <doctest/doctest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace brook::testing {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using RdKafka = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

// A client of `type` with `settings` (bootstrap.servers and the rest). Throws on a bad setting.
inline RdKafka MakeClient(rd_kafka_type_t type, const std::map<std::string, std::string>& settings,
                          void (*delivered)(rd_kafka_t*, const rd_kafka_message_t*, void*) =
                              nullptr) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof error) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(key + ": " + error);
    }
  }
  if (delivered != nullptr) rd_kafka_conf_set_dr_msg_cb(conf, delivered);
  rd_kafka_t* rk = rd_kafka_new(type, conf, error, sizeof error);
  if (rk == nullptr) throw std::runtime_error(error);
  return RdKafka(rk);
}

struct ConsumedRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
};

// Polls `consumer` until `count` records arrived or `timeout` passed; errors other than
// partition EOF are returned as records with offset -1 and the error text as value.
inline std::vector<ConsumedRecord> PollRecords(rd_kafka_t* consumer, size_t count,
                                               std::chrono::milliseconds timeout) {
  std::vector<ConsumedRecord> records;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      rd_kafka_message_destroy(m);
      continue;
    }
    ConsumedRecord r;
    r.partition = m->partition;
    if (m->err) {
      r.offset = -1;
      r.value = rd_kafka_message_errstr(m);
    } else {
      r.offset = m->offset;
      if (m->key) r.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) r.value.assign(static_cast<const char*>(m->payload), m->len);
    }
    records.push_back(std::move(r));
    rd_kafka_message_destroy(m);
  }
  return records;
}

// Runs an admin call and waits for its result event (nullptr after `timeout`). The caller
// destroys the event.
template <class Call>
rd_kafka_event_t* AdminCall(rd_kafka_t* admin, Call call, std::chrono::milliseconds timeout =
                                                              std::chrono::seconds(20)) {
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin);
  call(queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()));
  rd_kafka_queue_destroy(queue);
  return event;
}

// Creates `topic` with `admin` (CreateTopics); returns the per-topic error code.
inline rd_kafka_resp_err_t CreateTopic(rd_kafka_t* admin, const std::string& topic,
                                       int partitions,
                                       const std::map<std::string, std::string>& configs = {}) {
  char error[256];
  rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, error, sizeof error);
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(t, k.c_str(), v.c_str());
  rd_kafka_event_t* event = AdminCall(
      admin, [&](rd_kafka_queue_t* q) { rd_kafka_CreateTopics(admin, &t, 1, nullptr, q); });
  rd_kafka_NewTopic_destroy(t);
  REQUIRE(event != nullptr);
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
  REQUIRE(n == 1);
  rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
  rd_kafka_event_destroy(event);
  return err;
}

}  // namespace brook::testing
