// examples/event-store/order_saga.cc: an order saga across three services on brook's event
// store, choreographed by their events. Built and run with the test suite.
//
//   service    writes         events
//   orders     order-<id>     OrderPlaced; OrderConfirmed or OrderCancelled (paid or not)
//   inventory  stock-<sku>    StockReserved (an order placed), StockReleased (one cancelled)
//   payment    payment-<id>   PaymentSucceeded, or PaymentFailed over the limit
//
// A paid order: OrderPlaced -> StockReserved -> PaymentSucceeded -> OrderConfirmed. A payment
// that fails is compensated: PaymentFailed -> OrderCancelled -> StockReleased. Every event's
// data is the order it is about, so no service reads another's streams.
//
// How a service follows the others: a named subscription to $all, filtered by the one
// category it reacts to (inventory: order, payment: stock, orders: payment). The broker does
// the filtering, $all gives one order across every stream (a reaction never arrives before its
// cause), and the checkpoint lives on the broker. A consumer group on the store topic would work
// too (bank_account.cc), but every service would then get every event and filter it itself.
//
// How a reaction is appended: expecting the revision of the state it decided on; when another
// writer got there first (two copies of a service), it decides again on the new state.
//
// Why a repeat does no harm: a service commits its checkpoint after handling a batch, so after
// a crash (here: a checkpoint set back) it handles events again. A reaction's event id is
// derived from its trigger's id, so the repeat appends an id the stream has already, and the
// store answers `duplicate` and appends nothing: the event id is the idempotency key, kept by
// the store.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/uuid/name_generator_sha1.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/embedded_broker.h"
#include "client/event_store.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/expected_revision.h"

namespace {

constexpr int64_t kPaymentLimit = 100;
constexpr int kMaxAttempts = 100;  // A reaction gives up after this many conflicts in a row.

// ---- Events: every one carries its order as JSON ----

struct Order {
  std::string id;
  std::string sku;
  int64_t quantity = 0;
  int64_t amount = 0;
};

brook::EventToAppend OrderEvent(std::string type, const Order& order) {
  return {.type = std::move(type),
          .data = boost::json::serialize(boost::json::object{{"order", order.id},
                                                             {"sku", order.sku},
                                                             {"quantity", order.quantity},
                                                             {"amount", order.amount}})};
}

// The order an event is about. Errors: INVALID_ARGUMENT.
absl::StatusOr<Order> OrderIn(const brook::StoredEvent& event) {
  simdjson::dom::parser parser;
  simdjson::dom::element data;
  std::string_view id, sku;
  Order order;
  if (parser.parse(event.data).get(data) || data["order"].get(id) || data["sku"].get(sku) ||
      data["quantity"].get(order.quantity) || data["amount"].get(order.amount)) {
    return absl::InvalidArgumentError(
        fmt::format("{} carries no order: {}", event.type, event.data));
  }
  order.id = id;
  order.sku = sku;
  return order;
}

std::string OrderStream(const std::string& id) { return "order-" + id; }
std::string StockStream(const std::string& sku) { return "stock-" + sku; }
std::string PaymentStream(const std::string& id) { return "payment-" + id; }

// ---- What the services know of their own streams: a fold of the stream's events ----

struct OrderState {
  int64_t revision = brook::kExpectNoStream;
  std::string status;  // "placed", "confirmed", "cancelled".

  absl::Status Apply(const brook::StoredEvent& event) {
    if (event.type == "OrderPlaced") status = "placed";
    if (event.type == "OrderConfirmed") status = "confirmed";
    if (event.type == "OrderCancelled") status = "cancelled";
    return absl::OkStatus();
  }
};

struct StockState {
  int64_t revision = brook::kExpectNoStream;
  int64_t available = 0;

  // Errors: INVALID_ARGUMENT (an event without a quantity).
  absl::Status Apply(const brook::StoredEvent& event) {
    simdjson::dom::parser parser;
    int64_t quantity = 0;
    if (parser.parse(event.data)["quantity"].get(quantity) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(fmt::format("{} has no quantity", event.type));
    }
    available += event.type == "StockReserved" ? -quantity : quantity;  // Added, Released: +.
    return absl::OkStatus();
  }
};

// A stream's state; a stream without events has State{}. Errors: ReadStream's; Apply's.
template <class State>
absl::StatusOr<State> Load(brook::EventStore& store, const std::string& stream) {
  State state;
  absl::StatusOr<brook::EventPage> page = store.ReadStream(stream);
  if (brook::CodeOf(page.status()) == brook::ErrorCode::kStreamNotFound) return state;
  if (!page.ok()) return page.status();
  for (const brook::StoredEvent& event : page->events) {
    if (absl::Status s = state.Apply(event); !s.ok()) return s;
    state.revision = event.revision;
  }
  return state;
}

// ---- The services' decisions ----

// What a service appends in answer to an event.
struct Reaction {
  std::string stream;
  int64_t expected_revision;  // The revision of the state the decision was made on.
  brook::EventToAppend event;
};
// A service's decision on one event of its category; nullopt: not its business.
using Decide = absl::StatusOr<std::optional<Reaction>> (*)(brook::EventStore& store,
                                                           const brook::StoredEvent& trigger);

// The orders service's command: a new order, the first event of its stream.
absl::Status PlaceOrder(brook::EventStore& store, const Order& order) {
  auto placed = store.Append(OrderStream(order.id), brook::kExpectNoStream,
                             {OrderEvent("OrderPlaced", order)});
  return placed.status();
}

// The inventory's command: a new product in stock, the first event of its stream.
absl::Status AddStock(brook::EventStore& store, const std::string& sku, int64_t quantity) {
  auto added = store.Append(
      StockStream(sku), brook::kExpectNoStream,
      {{.type = "StockAdded",
        .data = boost::json::serialize(boost::json::object{{"quantity", quantity}})}});
  return added.status();
}

absl::StatusOr<std::optional<Reaction>> DecideAsInventory(brook::EventStore& store,
                                                          const brook::StoredEvent& trigger) {
  const bool placed = trigger.type == "OrderPlaced";
  if (!placed && trigger.type != "OrderCancelled") return std::nullopt;
  absl::StatusOr<Order> order = OrderIn(trigger);
  if (!order.ok()) return order.status();
  absl::StatusOr<StockState> stock = Load<StockState>(store, StockStream(order->sku));
  if (!stock.ok()) return stock.status();
  return Reaction{StockStream(order->sku), stock->revision,
                  OrderEvent(placed ? "StockReserved" : "StockReleased", *order)};
}

absl::StatusOr<std::optional<Reaction>> DecideAsPayment(brook::EventStore&,
                                                        const brook::StoredEvent& trigger) {
  if (trigger.type != "StockReserved") return std::nullopt;
  absl::StatusOr<Order> order = OrderIn(trigger);
  if (!order.ok()) return order.status();
  const bool paid = order->amount <= kPaymentLimit;
  return Reaction{PaymentStream(order->id), brook::kExpectNoStream,
                  OrderEvent(paid ? "PaymentSucceeded" : "PaymentFailed", *order)};
}

absl::StatusOr<std::optional<Reaction>> DecideAsOrders(brook::EventStore& store,
                                                       const brook::StoredEvent& trigger) {
  const bool paid = trigger.type == "PaymentSucceeded";
  if (!paid && trigger.type != "PaymentFailed") return std::nullopt;
  absl::StatusOr<Order> order = OrderIn(trigger);
  if (!order.ok()) return order.status();
  absl::StatusOr<OrderState> state = Load<OrderState>(store, OrderStream(order->id));
  if (!state.ok()) return state.status();
  return Reaction{OrderStream(order->id), state->revision,
                  OrderEvent(paid ? "OrderConfirmed" : "OrderCancelled", *order)};
}

struct ServiceSpec {
  const char* name;      // Also its subscription's name (its checkpoint).
  const char* category;  // What it reacts to.
  Decide decide;
};
constexpr ServiceSpec kServices[] = {{"inventory", "order", DecideAsInventory},
                                     {"payment", "stock", DecideAsPayment},
                                     {"orders", "payment", DecideAsOrders}};

// The id of `service`'s reaction to `trigger`: a name-based UUID (version 5) of the trigger's
// id, the same every time the trigger is handled.
std::string ReactionId(std::string_view service, const brook::StoredEvent& trigger) {
  const boost::uuids::name_generator_sha1 generate(boost::uuids::ns::url());
  return boost::uuids::to_string(
      generate(fmt::format("brook:example:order-saga/{}/{}", service, trigger.id)));
}

// ---- A service at run time ----

// A thread following its category of $all through a named subscription: it decides on each
// event, appends the reaction, and commits its checkpoint after each batch. Stopped (within a
// subscription's max_wait) when destroyed.
class Service {
 public:
  // Connects and starts at the subscription's checkpoint (the first event when it has none).
  // Errors: the store's.
  static absl::StatusOr<std::unique_ptr<Service>> Start(const std::string& bootstrap,
                                                        const ServiceSpec& spec) {
    absl::StatusOr<std::unique_ptr<brook::EventStore>> store =
        brook::EventStore::Create({.bootstrap = bootstrap, .client_id = spec.name});
    if (!store.ok()) return store.status();
    absl::StatusOr<std::unique_ptr<brook::Subscription>> subscription =
        (*store)->Subscribe({.filter = brook::EventFilter::kCategory,
                             .filter_value = spec.category,
                             .name = spec.name,
                             .max_wait = std::chrono::milliseconds(100)});
    if (!subscription.ok()) return subscription.status();
    std::unique_ptr<Service> service(
        new Service(spec, *std::move(store), *std::move(subscription)));
    service->thread_ = std::jthread([s = service.get()](std::stop_token stop) { s->Run(stop); });
    return service;
  }

  // Waits until every event before `position` in $all is handled. Errors: the first error the
  // service stopped at; DEADLINE_EXCEEDED after 10 s.
  absl::Status WaitUntilPast(int64_t position) {
    std::unique_lock lock(mutex_);
    if (!progressed_.wait_for(lock, std::chrono::seconds(10),
                              [&] { return handled_before_ >= position || !status_.ok(); })) {
      return absl::DeadlineExceededError(fmt::format("{} is not past {}", spec_.name, position));
    }
    return status_;
  }

  int appended() const {  // Reactions appended.
    std::lock_guard lock(mutex_);
    return appended_;
  }
  int duplicates() const {  // Reactions the store had already: events handled again.
    std::lock_guard lock(mutex_);
    return duplicates_;
  }

 private:
  Service(const ServiceSpec& spec, std::unique_ptr<brook::EventStore> store,
          std::unique_ptr<brook::Subscription> subscription)
      : spec_(spec), store_(std::move(store)), subscription_(std::move(subscription)) {}

  void Run(std::stop_token stop) {
    absl::Status status;
    while (status.ok() && !stop.stop_requested()) status = HandleNextBatch();
    std::lock_guard lock(mutex_);
    status_ = status;
    progressed_.notify_all();
  }

  absl::Status HandleNextBatch() {
    absl::StatusOr<std::vector<brook::StoredEvent>> batch = subscription_->Next();
    if (!batch.ok()) return batch.status();
    for (const brook::StoredEvent& trigger : *batch) {
      if (absl::Status s = React(trigger); !s.ok()) return s;
    }
    // After handling: a crash before this line means this batch comes again.
    if (absl::Status s = subscription_->Commit(); !s.ok()) return s;
    std::lock_guard lock(mutex_);
    handled_before_ = subscription_->position();
    progressed_.notify_all();
    return absl::OkStatus();
  }

  // Decides on `trigger` and appends the reaction under the id derived from the trigger's.
  // Errors: the decision's; ABORTED (kMaxAttempts conflicts in a row); the store's.
  absl::Status React(const brook::StoredEvent& trigger) {
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      absl::StatusOr<std::optional<Reaction>> reaction = spec_.decide(*store_, trigger);
      if (!reaction.ok()) return reaction.status();
      if (!reaction->has_value()) return absl::OkStatus();
      Reaction& decided = **reaction;
      decided.event.id = ReactionId(spec_.name, trigger);
      absl::StatusOr<brook::AppendResult> appended =
          store_->Append(decided.stream, decided.expected_revision, {decided.event});
      if (brook::ActualRevisionOf(appended.status()).has_value()) continue;  // Decide again.
      if (!appended.ok()) return appended.status();
      std::lock_guard lock(mutex_);
      ++(appended->duplicate ? duplicates_ : appended_);
      return absl::OkStatus();
    }
    return absl::AbortedError(fmt::format("{}: {} conflicts in a row", spec_.name, kMaxAttempts));
  }

  const ServiceSpec& spec_;
  std::unique_ptr<brook::EventStore> store_;
  std::unique_ptr<brook::Subscription> subscription_;  // Borrows *store_.
  mutable std::mutex mutex_;
  std::condition_variable progressed_;
  int64_t handled_before_ = 0;  // The subscription's committed position.
  absl::Status status_;
  int appended_ = 0;
  int duplicates_ = 0;
  std::jthread thread_;  // Last: stopped and joined before the members it uses go.
};

using Services = std::vector<std::unique_ptr<Service>>;

// The position after the last event of $all. Errors: ReadAll's.
absl::StatusOr<int64_t> EndOfAll(brook::EventStore& store) {
  absl::StatusOr<brook::EventPage> page = store.ReadAll(0, 1);
  if (!page.ok()) return page.status();
  return page->head + 1;
}

// Waits until the saga is at rest: every service has handled every event and none of them
// appended anything meanwhile. Errors: EndOfAll's; WaitUntilPast's.
absl::Status WaitUntilSettled(brook::EventStore& store, const Services& services) {
  for (int64_t settled = -1;;) {
    absl::StatusOr<int64_t> end = EndOfAll(store);
    if (!end.ok()) return end.status();
    if (*end == settled) return absl::OkStatus();
    for (const auto& service : services) {
      if (absl::Status s = service->WaitUntilPast(*end); !s.ok()) return s;
    }
    settled = *end;
  }
}

// ---- The tests ----

std::unique_ptr<brook::EventStore> Connect(const brook::EmbeddedBroker& broker) {
  absl::StatusOr<std::unique_ptr<brook::EventStore>> store =
      brook::EventStore::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(store.ok());
  return *std::move(store);
}

Services StartServices(const brook::EmbeddedBroker& broker) {
  Services services;
  for (const ServiceSpec& spec : kServices) {
    absl::StatusOr<std::unique_ptr<Service>> service = Service::Start(broker.bootstrap(), spec);
    REQUIRE(service.ok());
    services.push_back(*std::move(service));
  }
  return services;
}

// 10 widgets in stock, the services running, and two orders placed: 30 (paid) and 500 (over
// the limit). Returns once the saga is at rest.
Services RunTwoOrders(const brook::EmbeddedBroker& broker, brook::EventStore& store) {
  REQUIRE(AddStock(store, "widget", 10).ok());
  Services services = StartServices(broker);
  REQUIRE(PlaceOrder(store, {.id = "1", .sku = "widget", .quantity = 2, .amount = 30}).ok());
  REQUIRE(PlaceOrder(store, {.id = "2", .sku = "widget", .quantity = 3, .amount = 500}).ok());
  REQUIRE(WaitUntilSettled(store, services).ok());
  return services;
}

template <class State>
State MustLoad(brook::EventStore& store, const std::string& stream) {
  absl::StatusOr<State> state = Load<State>(store, stream);
  REQUIRE(state.ok());
  return *std::move(state);
}

std::vector<std::string> TypesIn(brook::EventStore& store, const std::string& stream) {
  absl::StatusOr<brook::EventPage> page = store.ReadStream(stream);
  REQUIRE(page.ok());
  std::vector<std::string> types;
  for (const brook::StoredEvent& event : page->events) types.push_back(event.type);
  return types;
}

using Types = std::vector<std::string>;

TEST_CASE("order saga: a paid order is confirmed; a payment over the limit is compensated") {
  brook::EmbeddedBroker broker({.in_memory = true});
  auto store = Connect(broker);
  Services services = RunTwoOrders(broker, *store);

  CHECK(MustLoad<OrderState>(*store, "order-1").status == "confirmed");
  CHECK(MustLoad<OrderState>(*store, "order-2").status == "cancelled");
  CHECK(MustLoad<StockState>(*store, "stock-widget").available == 8);  // 10 - 2; 3 came back.
  // Each event once, in the saga's order.
  CHECK(TypesIn(*store, "order-1") == Types{"OrderPlaced", "OrderConfirmed"});
  CHECK(TypesIn(*store, "payment-1") == Types{"PaymentSucceeded"});
  CHECK(TypesIn(*store, "order-2") == Types{"OrderPlaced", "OrderCancelled"});
  CHECK(TypesIn(*store, "payment-2") == Types{"PaymentFailed"});
  CHECK(TypesIn(*store, "stock-widget") ==
        Types{"StockAdded", "StockReserved", "StockReserved", "StockReleased"});
  CHECK(EndOfAll(*store).value_or(-1) == 10);
}

TEST_CASE("order saga: events handled again append nothing; their reactions are duplicates") {
  brook::EmbeddedBroker broker({.in_memory = true});
  auto store = Connect(broker);
  Services services = RunTwoOrders(broker, *store);
  const std::vector<int> appended = {services[0]->appended(), services[1]->appended(),
                                     services[2]->appended()};
  CHECK(appended == std::vector<int>{3, 2, 2});  // Inventory: reserve, reserve, release.

  // Redelivery: the services stop, their checkpoints go back to the start of $all, and they
  // start again, handling every event a second time.
  services.clear();
  for (const ServiceSpec& spec : kServices) {
    REQUIRE(store->Checkpoint(spec.name, 0).ok());
  }
  services = StartServices(broker);
  REQUIRE(WaitUntilSettled(*store, services).ok());

  for (size_t i = 0; i < services.size(); ++i) {
    CHECK(services[i]->appended() == 0);
    CHECK(services[i]->duplicates() == appended[i]);
  }
  CHECK(EndOfAll(*store).value_or(-1) == 10);  // Nothing new in the store.
  CHECK(MustLoad<StockState>(*store, "stock-widget").available == 8);
}

}  // namespace
