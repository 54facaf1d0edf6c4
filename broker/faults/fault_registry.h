// broker/faults/fault_registry.h: the broker-wide set of armed fault rules (protocol/faults.h),
// which both protocols' handlers consult for every request they decode.
//
//   FaultRegistry faults(catalog);               // the APIs each listener serves
//   absl::StatusOr<int32_t> id = faults.Add({.api = "Produce", .listener = FaultListener::kKafka,
//                                            .error_code = 6, .count = 3});
//   if (faults.armed()) hit = faults.Match(FaultListener::kKafka, /*key=*/0, names);
//
// Matching: a rule matches a request when its listener is kAny or the request's, its API is
// the request's (or it names none: any API except brook's test-control APIs, keys 1004 and
// up), and its topic and group, when set, are among those the request names. Rules are tried
// in id order; each matching rule that is not spent counts the request (`matched`), and the
// first that fires acts: later rules do not see the request. A rule with share p fires on the
// n-th request it matches when ceil(n*p/100) > ceil((n-1)*p/100): on the first, then on
// exactly p of every 100 consecutive matches, evenly spaced (30%: the 1st, 4th, 7th, 11th...).
// Each firing takes one from `remaining`; a spent rule (remaining 0) stays listed, inert, until
// cleared. The fault APIs themselves (FaultAdd, FaultList, FaultClear) cannot be named, so a
// test can always clear.
//
// Thread-safety: every method may be called from any thread. armed() is one atomic load, so a
// broker with no rule pays nothing more per request.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "protocol/faults.h"

namespace brook::faults {

// One API a listener serves, as rules name it.
struct ServedApi {
  FaultListener listener;  // kBrook or kKafka.
  int16_t key;
  std::string_view name;   // Must outlive the registry (the API tables' static names).
  bool error_answer;       // The listener can answer it with any error code.
};

// The topics and groups a request names (views into the decoded request).
struct RequestNames {
  std::vector<std::string_view> topics;
  std::vector<std::string_view> groups;
};

// What a firing rule asks of the handler.
struct FaultHit {
  int32_t rule_id = 0;
  FaultAction action = FaultAction::kError;
  int16_t error_code = 0;
  int32_t delay_ms = 0;
};

class FaultRegistry {
 public:
  explicit FaultRegistry(std::vector<ServedApi> catalog);

  // Arms a rule; returns its id (1, 2, ... never reused while the broker runs).
  // Errors: INVALID_REQUEST, saying what is wrong: an API neither listener serves (or not the
  // one named), a fault API, an error rule without an API or code or on an API whose Kafka
  // answer cannot carry a code, a listener or action out of range, a delay not in
  // [1, 600000] ms, a count that is neither >= 1 nor kFaultUnlimited, a share not in
  // [1, 100], an empty topic or group.
  absl::StatusOr<int32_t> Add(FaultRule rule);
  // Every rule in id order, spent ones included.
  std::vector<FaultState> List() const;
  // Removes rule `id`, or every rule for kClearAllFaults (messages.h); returns how many.
  // Errors: INVALID_REQUEST when no rule has this id.
  absl::StatusOr<int32_t> Clear(int32_t id);

  // True when a rule might fire: only then need a handler collect names and call Match.
  bool armed() const { return live_.load(std::memory_order_acquire) > 0; }
  // Counts the request against the matching rules and returns the first firing one's action
  // (and logs it, at info level).
  std::optional<FaultHit> Match(FaultListener listener, int16_t key, const RequestNames& names);

 private:
  struct Rule {
    FaultState state;
    bool any_api = false;
    std::optional<int16_t> brook_key;  // The API's key on each listener it matches.
    std::optional<int16_t> kafka_key;
  };
  // Sets the rule's keys and canonical API name. Errors: those of Add about the API.
  absl::Status ResolveApi(Rule& rule) const;
  std::optional<FaultHit> Fire(FaultListener listener, int16_t key, const RequestNames& names);
  bool Matches(const Rule& rule, FaultListener listener, int16_t key,
               const RequestNames& names) const;

  const std::vector<ServedApi> catalog_;
  mutable absl::Mutex mu_;
  std::vector<Rule> rules_ ABSL_GUARDED_BY(mu_);
  int32_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::atomic<int> live_{0};  // Rules not spent.
};

}  // namespace brook::faults
