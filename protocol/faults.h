// protocol/faults.h: a fault-injection rule and its state, as FaultAdd and FaultList carry them
// (docs/protocol.md 6.15; docs/testing.md, "Injecting faults").
//
// A rule matches requests by API, listener, topic and group, and for the matching requests it
// fires on (the next `count`, or a `share_percent` of them) answers an error, adds a delay or
// drops the connection. The broker validates a rule when it is added (broker/faults/); these
// are plain values shared by the wire messages, brook::Admin and brook::EmbeddedBroker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace brook {

// Which listener's requests a rule matches.
enum class FaultListener : int8_t {
  kAny = 0,    // Both.
  kBrook = 1,  // brook's own protocol.
  kKafka = 2,  // The Kafka listener.
};

// What a rule does to a request it fires on.
enum class FaultAction : int8_t {
  kError = 0,  // Answer with error_code, where the API's clients read it; nothing else happens.
  kDelay = 1,  // Wait delay_ms (real time), then handle the request normally.
  kDrop = 2,   // Close the connection without answering; the request is not handled.
};

inline constexpr int32_t kFaultUnlimited = -1;  // A count: fire on every match.
inline constexpr int32_t kClearAllFaults = -1;  // FaultClear's id: every rule.

struct FaultRule {
  // An API name of either protocol (any case, e.g. "Produce", "FindCoordinator") or a decimal
  // API key; empty: any API (not with kError).
  std::string api{};
  FaultListener listener = FaultListener::kAny;
  std::optional<std::string> topic{};  // Only requests that name this topic.
  std::optional<std::string> group{};  // Only requests that name this group.
  FaultAction action = FaultAction::kError;
  int16_t error_code = 0;            // kError: the code (non-zero).
  int32_t delay_ms = 0;              // kDelay: the delay (>= 1).
  int32_t count = 1;                 // Fires this many times, or kFaultUnlimited.
  int8_t share_percent = 100;        // Fires on this share of the matches (1-100).
  template <class V> void Fields(V& v) {
    v(api, "api");
    v(listener, "listener");
    v(topic, "topic");
    v(group, "group");
    v(action, "action");
    v(error_code, "error_code");
    v(delay_ms, "delay_ms");
    v(count, "count");
    v(share_percent, "share_percent");
  }
};

// A rule as FaultList shows it: its id, the rule, and what it has done so far.
struct FaultState : FaultRule {
  int32_t id = 0;
  int32_t remaining = 0;  // Firings left (kFaultUnlimited: no limit); 0 when spent.
  int64_t matched = 0;    // Matching requests seen while armed.
  int64_t fired = 0;      // Requests it acted on.
  template <class V> void Fields(V& v) {
    v(id, "id");
    FaultRule::Fields(v);
    v(remaining, "remaining");
    v(matched, "matched");
    v(fired, "fired");
  }
};

// "error", "delay", "drop".
std::string_view FaultActionName(FaultAction action);
// "any", "brook", "kafka"; and back (nullopt for another word).
std::string_view FaultListenerName(FaultListener listener);
std::optional<FaultListener> FaultListenerFromName(std::string_view name);

}  // namespace brook
