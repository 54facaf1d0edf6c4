// tests/support/embedded_fixture.h: a real broker in the test's process with an Admin and a
// Producer connected to it, the base of client-level test fixtures.
//
//   struct Fixture : testing::EmbeddedFixture {
//     Fixture() : EmbeddedFixture(options, {.acks = -1}) {}
//   };
#pragma once

#include <memory>

#include <doctest/doctest.h>

#include "broker/embedded_broker.h"
#include "client/admin.h"
#include "client/producer.h"

namespace brook::testing {

struct EmbeddedFixture {
  EmbeddedBroker broker;
  std::unique_ptr<Admin> admin;
  std::unique_ptr<Producer> producer;

  // `producer_options.bootstrap` is replaced by the broker's address.
  explicit EmbeddedFixture(EmbeddedBrokerOptions broker_options = {},
                           ProducerOptions producer_options = {})
      : broker(std::move(broker_options)) {
    auto a = Admin::Create({.bootstrap = broker.bootstrap()});
    REQUIRE(a.ok());
    admin = *std::move(a);
    producer_options.bootstrap = broker.bootstrap();
    auto p = Producer::Create(std::move(producer_options));
    REQUIRE(p.ok());
    producer = *std::move(p);
  }
};

}  // namespace brook::testing
