// examples/event-store/bank_account.cc: the bank account of the event-sourcing tutorials, on
// brook's event store from C++. Built and run with the test suite.
//
// The pattern:
//   * An Account (the aggregate) is a fold of its events: Opened, Deposited, Withdrawn, with
//     JSON data (parsed with simdjson, written with Boost.JSON, as brook itself does).
//   * A command (Open, Deposit, Withdraw) loads the account (the latest snapshot plus the
//     events after it, one LoadSnapshot call), decides on it (a withdrawal beyond the balance
//     is refused) and appends the decision expecting the exact revision it decided on. When
//     another writer appended first, the store refuses with WRONG_EXPECTED_VERSION (and the
//     actual revision), and the command runs again on the reloaded account.
//   * After every 5th event of an account, its writer saves a snapshot of the state.
//   * A projection of every balance is kept by a consumer group reading the store's topic,
//     where an event is an ordinary record (key: the stream id; headers es.type and
//     es.revision; value: the data), which brook::EventFromRecord reads back as an event.
//     Offsets are committed after applying, so a projector that
//     stops in between gets records again: the projection keeps each stream's last revision
//     applied and skips what it has seen.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/embedded_broker.h"
#include "client/consumer.h"
#include "client/event_store.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/expected_revision.h"

namespace {

constexpr int64_t kSnapshotEvery = 5;
constexpr int kMaxAttempts = 100;  // A command gives up after this many conflicts in a row.

// The integer `field` of the JSON object `json`. Errors: INVALID_ARGUMENT.
absl::StatusOr<int64_t> IntField(std::string_view json, const char* field) {
  simdjson::dom::parser parser;
  int64_t value = 0;
  if (parser.parse(json.data(), json.size())[field].get(value) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(fmt::format("no integer '{}' in {}", field, json));
  }
  return value;
}

brook::EventToAppend Event(std::string type, const boost::json::object& data) {
  return {.type = std::move(type), .data = boost::json::serialize(data)};
}

// ---- The aggregate ----

struct Account {
  std::string stream;                         // "account-<id>".
  int64_t revision = brook::kExpectNoStream;  // The last event folded in; -1: none yet.
  bool open = false;
  int64_t balance = 0;

  // Folds in one event (the caller sets `revision`). Errors: INVALID_ARGUMENT (no amount).
  absl::Status Apply(std::string_view type, std::string_view data) {
    if (type == "Opened") open = true;
    if (type != "Deposited" && type != "Withdrawn") return absl::OkStatus();
    absl::StatusOr<int64_t> amount = IntField(data, "amount");
    if (!amount.ok()) return amount.status();
    balance += type == "Deposited" ? *amount : -*amount;
    return absl::OkStatus();
  }
};

// The account as of its last event: the latest snapshot and the events after it. A stream
// that does not exist is an account not opened yet. Errors: LoadSnapshot's; INVALID_ARGUMENT.
absl::StatusOr<Account> LoadAccount(brook::EventStore& store, const std::string& stream) {
  Account account{.stream = stream};
  absl::StatusOr<brook::StreamSnapshot> loaded = store.LoadSnapshot(stream);
  if (brook::CodeOf(loaded.status()) == brook::ErrorCode::kStreamNotFound) return account;
  if (!loaded.ok()) return loaded.status();
  if (loaded->revision.has_value()) {  // Snapshots start at the 5th event: the account is open.
    absl::StatusOr<int64_t> balance = IntField(loaded->data, "balance");
    if (!balance.ok()) return balance.status();
    account = {.stream = stream, .revision = *loaded->revision, .open = true, .balance = *balance};
  }
  for (const brook::StoredEvent& event : loaded->events.events) {
    if (absl::Status s = account.Apply(event.type, event.data); !s.ok()) return s;
    account.revision = event.revision;
  }
  return account;
}

// ---- Commands: each decides, on the account's state, which event it means ----

struct Open {
  std::string owner;
};
struct Deposit {
  int64_t amount;
};
struct Withdraw {
  int64_t amount;
};
using Command = std::variant<Open, Deposit, Withdraw>;

// Errors (each command's): FAILED_PRECONDITION when the account refuses it.
absl::StatusOr<brook::EventToAppend> Decide(const Account& account, const Open& open) {
  if (account.open) return absl::FailedPreconditionError(account.stream + " is open already");
  return Event("Opened", {{"owner", open.owner}});
}
absl::StatusOr<brook::EventToAppend> Decide(const Account& account, const Deposit& deposit) {
  if (!account.open) return absl::FailedPreconditionError(account.stream + " is not open");
  return Event("Deposited", {{"amount", deposit.amount}});
}
absl::StatusOr<brook::EventToAppend> Decide(const Account& account, const Withdraw& withdraw) {
  if (!account.open) return absl::FailedPreconditionError(account.stream + " is not open");
  if (withdraw.amount > account.balance) {
    return absl::FailedPreconditionError(
        fmt::format("insufficient funds: {} < {}", account.balance, withdraw.amount));
  }
  return Event("Withdrawn", {{"amount", withdraw.amount}});
}

// Runs commands: load, decide, append at the revision decided on; after a conflict, all of it
// again on the reloaded account. Each teller is used from one thread.
class Teller {
 public:
  explicit Teller(brook::EventStore& store) : store_(store) {}

  // Returns the account after the command. Errors: FAILED_PRECONDITION (refused); ABORTED
  // (kMaxAttempts conflicts in a row); the store's.
  absl::StatusOr<Account> Execute(const std::string& stream, const Command& command) {
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      absl::StatusOr<Account> account = LoadAccount(store_, stream);
      if (!account.ok()) return account.status();
      absl::StatusOr<brook::EventToAppend> event =
          std::visit([&](const auto& c) { return Decide(*account, c); }, command);
      if (!event.ok()) return event.status();
      absl::StatusOr<brook::AppendResult> appended =
          store_.Append(stream, account->revision, {*event});
      if (brook::ActualRevisionOf(appended.status()).has_value()) {
        ++conflicts_;  // Another writer was first: decide again on what it wrote.
        continue;
      }
      if (!appended.ok()) return appended.status();
      if (absl::Status s = account->Apply(event->type, event->data); !s.ok()) return s;
      account->revision = appended->last_revision;
      if (absl::Status s = SaveSnapshotIfDue(*account); !s.ok()) return s;
      return account;
    }
    return absl::AbortedError(fmt::format("{}: {} conflicts in a row", stream, kMaxAttempts));
  }

  int conflicts() const { return conflicts_; }

 private:
  absl::Status SaveSnapshotIfDue(const Account& account) {
    if ((account.revision + 1) % kSnapshotEvery != 0) return absl::OkStatus();
    return store_.SaveSnapshot(
        account.stream, account.revision,
        boost::json::serialize(boost::json::object{{"balance", account.balance}}));
  }

  brook::EventStore& store_;
  int conflicts_ = 0;
};

// ---- The projection, fed by a consumer group ----

// Every account's balance, folded from the store topic's records as the aggregate folds its
// stream. The group delivers at least once; skipping what is at or below a stream's last
// revision applied makes each event count once.
class BalanceProjection {
 public:
  // Folds in one record. Errors: INVALID_ARGUMENT (not an event; data without an amount).
  absl::Status Apply(const brook::ConsumerRecord& record) {
    const std::optional<brook::StoredEvent> event = brook::EventFromRecord(record);
    if (!event) return absl::InvalidArgumentError("a record of the store topic that is not an event");
    Account& account =
        accounts_.try_emplace(event->stream, Account{.stream = event->stream}).first->second;
    if (event->revision <= account.revision) {
      ++skipped_;
      return absl::OkStatus();
    }
    if (absl::Status s = account.Apply(event->type, event->data); !s.ok()) return s;
    account.revision = event->revision;
    return absl::OkStatus();
  }

  // Whether every aggregate is here at its revision, with its balance.
  bool AgreesWith(const std::vector<Account>& aggregates) const {
    for (const Account& aggregate : aggregates) {
      auto it = accounts_.find(aggregate.stream);
      if (it == accounts_.end() || it->second.revision != aggregate.revision ||
          it->second.balance != aggregate.balance) {
        return false;
      }
    }
    return true;
  }

  int skipped() const { return skipped_; }  // Records seen before: not applied again.

 private:
  std::map<std::string, Account> accounts_;
  int skipped_ = 0;
};

// A new member of the consumer group "balances", subscribed to the default store's topic.
absl::StatusOr<std::unique_ptr<brook::Consumer>> JoinProjectors(const std::string& bootstrap) {
  absl::StatusOr<std::unique_ptr<brook::Consumer>> consumer =
      brook::Consumer::Create({.bootstrap = bootstrap,
                               .auto_offset_reset = brook::OffsetReset::kEarliest,
                               .group_id = "balances",
                               .enable_auto_commit = false});
  if (!consumer.ok()) return consumer.status();
  const std::string topic(brook::kDefaultEventStore);  // "events".
  if (absl::Status s = (*consumer)->Subscribe({topic}); !s.ok()) return s;
  return consumer;
}

enum class Commits { kAfterEachPoll, kNever /* as if it crashed before committing */ };

// Polls records into `projection` until `done()`. Errors: the consumer's; the projection's;
// DEADLINE_EXCEEDED after 10 s.
absl::Status ProjectUntil(brook::Consumer& consumer, BalanceProjection& projection,
                          const std::function<bool()>& done, Commits commits) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return absl::DeadlineExceededError("the projection did not get there");
    }
    absl::StatusOr<brook::ConsumerRecords> records = consumer.Poll(std::chrono::milliseconds(100));
    if (!records.ok()) return records.status();
    for (const brook::ConsumerRecord& record : *records) {
      if (absl::Status s = projection.Apply(record); !s.ok()) return s;
    }
    if (commits == Commits::kAfterEachPoll) {
      if (absl::Status s = consumer.Commit(); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

// ---- Test helpers ----

std::unique_ptr<brook::EventStore> Connect(const brook::EmbeddedBroker& broker) {
  absl::StatusOr<std::unique_ptr<brook::EventStore>> store =
      brook::EventStore::Create({.bootstrap = broker.bootstrap()});
  REQUIRE(store.ok());
  return *std::move(store);
}

std::vector<Account> LoadAccounts(brook::EventStore& store,
                                  const std::vector<std::string>& streams) {
  std::vector<Account> accounts;
  for (const std::string& stream : streams) {
    absl::StatusOr<Account> account = LoadAccount(store, stream);
    REQUIRE(account.ok());
    accounts.push_back(*std::move(account));
  }
  return accounts;
}

// A teller making `count` deposits of `amount`. Returns how many conflicts it retried.
absl::StatusOr<int> DepositMany(brook::EventStore& store, const std::string& stream, int count,
                                int64_t amount) {
  Teller teller(store);
  for (int i = 0; i < count; ++i) {
    if (absl::Status s = teller.Execute(stream, Deposit{amount}).status(); !s.ok()) return s;
  }
  return teller.conflicts();
}

TEST_CASE("bank account: commands decide on the account's state; an overdraft is refused") {
  brook::EmbeddedBroker broker({.in_memory = true});
  auto store = Connect(broker);
  Teller teller(*store);

  REQUIRE(teller.Execute("account-1", Open{"ann"}).ok());
  REQUIRE(teller.Execute("account-1", Deposit{100}).ok());
  absl::StatusOr<Account> account = teller.Execute("account-1", Withdraw{30});
  REQUIRE(account.ok());
  CHECK(account->balance == 70);

  CHECK(teller.Execute("account-1", Withdraw{71}).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(teller.Execute("account-2", Deposit{5}).status().code() ==
        absl::StatusCode::kFailedPrecondition);  // Never opened.
  account = LoadAccount(*store, "account-1");
  REQUIRE(account.ok());
  CHECK(account->balance == 70);
  CHECK(account->revision == 2);  // The refusals appended nothing.
}

TEST_CASE("bank account: two tellers race; the loser is refused, reloads and retries") {
  brook::EmbeddedBroker broker({.in_memory = true});
  auto ann = Connect(broker);  // Two tellers, two connections.
  auto bob = Connect(broker);
  REQUIRE(Teller(*ann).Execute("account-1", Open{"ann"}).ok());

  // Step by step: both decide on revision 0; ann appends first; bob's append is refused with
  // the revision the stream is at now.
  absl::StatusOr<Account> seen_by_ann = LoadAccount(*ann, "account-1");
  absl::StatusOr<Account> seen_by_bob = LoadAccount(*bob, "account-1");
  REQUIRE(seen_by_ann.ok());
  REQUIRE(seen_by_bob.ok());
  absl::StatusOr<brook::EventToAppend> by_ann = Decide(*seen_by_ann, Deposit{10});
  absl::StatusOr<brook::EventToAppend> by_bob = Decide(*seen_by_bob, Deposit{20});
  REQUIRE(ann->Append("account-1", seen_by_ann->revision, {*by_ann}).ok());
  absl::StatusOr<brook::AppendResult> refused =
      bob->Append("account-1", seen_by_bob->revision, {*by_bob});
  CHECK(brook::ActualRevisionOf(refused.status()) == 1);

  // The same race over and over, in two threads: every conflict is retried on the reloaded
  // account (Teller::Execute), and every deposit lands once.
  constexpr int kDeposits = 20;
  auto ann_deposits = std::async(std::launch::async,
                                 [&] { return DepositMany(*ann, "account-1", kDeposits, 1); });
  auto bob_deposits = std::async(std::launch::async,
                                 [&] { return DepositMany(*bob, "account-1", kDeposits, 100); });
  absl::StatusOr<int> ann_conflicts = ann_deposits.get();
  absl::StatusOr<int> bob_conflicts = bob_deposits.get();
  REQUIRE(ann_conflicts.ok());
  REQUIRE(bob_conflicts.ok());
  absl::StatusOr<Account> account = LoadAccount(*ann, "account-1");
  REQUIRE(account.ok());
  CHECK(account->balance == 10 + kDeposits * 1 + kDeposits * 100);
  CHECK(account->revision == 1 + 2 * kDeposits);  // Contiguous: nothing lost, nothing twice.
  MESSAGE("conflicts retried: ", *ann_conflicts + *bob_conflicts);
}

TEST_CASE("bank account: a snapshot every 5 events; loading reads it and the events after it") {
  brook::EmbeddedBroker broker({.in_memory = true});
  auto store = Connect(broker);
  Teller teller(*store);
  REQUIRE(teller.Execute("account-1", Open{"ann"}).ok());
  for (int64_t amount = 1; amount <= 11; ++amount) {
    REQUIRE(teller.Execute("account-1", Deposit{amount}).ok());
  }

  // 12 events, revisions 0-11: snapshots after the 5th (revision 4) and the 10th (revision 9).
  absl::StatusOr<brook::StreamSnapshot> loaded = store->LoadSnapshot("account-1");
  REQUIRE(loaded.ok());
  CHECK(loaded->revision == 9);
  CHECK(loaded->data == R"({"balance":45})");  // 1 + 2 + ... + 9.
  CHECK(loaded->events.events.size() == 2);    // Revisions 10 and 11, folded on top.
  absl::StatusOr<Account> account = LoadAccount(*store, "account-1");
  REQUIRE(account.ok());
  CHECK(account->balance == 66);
  CHECK(account->revision == 11);
}

TEST_CASE("bank account: a consumer group projects the balances and, restarted from its "
          "committed offsets, applies no event twice") {
  brook::EmbeddedBroker broker({.in_memory = true});
  auto store = Connect(broker);
  Teller teller(*store);
  REQUIRE(teller.Execute("account-1", Open{"ann"}).ok());
  REQUIRE(teller.Execute("account-2", Open{"bob"}).ok());
  REQUIRE(teller.Execute("account-1", Deposit{100}).ok());
  REQUIRE(teller.Execute("account-2", Deposit{40}).ok());
  REQUIRE(teller.Execute("account-1", Withdraw{30}).ok());
  const std::vector<std::string> streams = {"account-1", "account-2"};
  std::vector<Account> aggregates = LoadAccounts(*store, streams);
  BalanceProjection projection;
  const auto agrees = [&] { return projection.AgreesWith(aggregates); };
  {
    auto projector = JoinProjectors(broker.bootstrap());
    REQUIRE(projector.ok());
    REQUIRE(ProjectUntil(**projector, projection, agrees, Commits::kAfterEachPoll).ok());

    // Three more events: the projector applies them, then stops before committing (a crash).
    REQUIRE(teller.Execute("account-1", Deposit{5}).ok());
    REQUIRE(teller.Execute("account-1", Deposit{5}).ok());
    REQUIRE(teller.Execute("account-2", Withdraw{20}).ok());
    aggregates = LoadAccounts(*store, streams);
    REQUIRE(ProjectUntil(**projector, projection, agrees, Commits::kNever).ok());
  }

  // A new member resumes from the group's committed offsets: it gets those three records
  // again, and skips them.
  auto projector = JoinProjectors(broker.bootstrap());
  REQUIRE(projector.ok());
  const auto got_them_again = [&] { return projection.skipped() == 3; };
  REQUIRE(ProjectUntil(**projector, projection, got_them_again, Commits::kAfterEachPoll).ok());
  CHECK(projection.AgreesWith(aggregates));
  REQUIRE(teller.Execute("account-2", Deposit{1}).ok());
  aggregates = LoadAccounts(*store, streams);
  REQUIRE(ProjectUntil(**projector, projection, agrees, Commits::kAfterEachPoll).ok());
  CHECK(aggregates[0].balance == 80);
  CHECK(aggregates[1].balance == 21);
  CHECK(projection.skipped() == 3);
}

}  // namespace
