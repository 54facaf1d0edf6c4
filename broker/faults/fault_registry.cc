#include "broker/faults/fault_registry.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/match.h"
#include "broker/log.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/messages.h"

namespace brook::faults {
namespace {

constexpr int32_t kMaxDelayMs = 600000;
// brook's test-control APIs (clock, reset, faults) start here; a rule without an API skips them.
constexpr int16_t kFirstTestControlKey = 1004;

absl::Status Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidRequest, message);
}

bool IsFaultApi(int16_t key) {
  return key == static_cast<int16_t>(ApiKey::kFaultAdd) ||
         key == static_cast<int16_t>(ApiKey::kFaultList) ||
         key == static_cast<int16_t>(ApiKey::kFaultClear);
}

std::optional<int16_t> ParseKey(std::string_view text) {
  int16_t key = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), key);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return key;
}

bool Covers(FaultListener rule, FaultListener listener) {
  return rule == FaultListener::kAny || rule == listener;
}

bool Contains(const std::vector<std::string_view>& names, const std::optional<std::string>& name) {
  return !name || std::find(names.begin(), names.end(), *name) != names.end();
}

// Whether the n-th match (n >= 1) of a rule with share p fires (fault_registry.h).
bool ShareFires(int64_t n, int64_t p) { return (n * p + 99) / 100 > ((n - 1) * p + 99) / 100; }

absl::Status ValidateAction(const FaultRule& rule) {
  switch (rule.action) {
    case FaultAction::kError:
      if (rule.api.empty()) return Invalid("an error fault names its API");
      if (rule.error_code == 0) return Invalid("an error fault needs a non-zero error code");
      return absl::OkStatus();
    case FaultAction::kDelay:
      if (rule.delay_ms < 1 || rule.delay_ms > kMaxDelayMs) {
        return Invalid(fmt::format("a fault's delay is 1-{} ms, not {}", kMaxDelayMs,
                                   rule.delay_ms));
      }
      return absl::OkStatus();
    case FaultAction::kDrop:
      return absl::OkStatus();
  }
  return Invalid(fmt::format("unknown fault action {}", static_cast<int>(rule.action)));
}

absl::Status ValidateScope(const FaultRule& rule) {
  if (!FaultListenerFromName(FaultListenerName(rule.listener))) {
    return Invalid(fmt::format("unknown fault listener {}", static_cast<int>(rule.listener)));
  }
  if (rule.count < 1 && rule.count != kFaultUnlimited) {
    return Invalid(fmt::format("a fault's count is at least 1 (or unlimited), not {}",
                               rule.count));
  }
  if (rule.share_percent < 1 || rule.share_percent > 100) {
    return Invalid(fmt::format("a fault's share is 1-100%, not {}%",
                               static_cast<int>(rule.share_percent)));
  }
  if (rule.topic && rule.topic->empty()) return Invalid("a fault's topic is not empty");
  if (rule.group && rule.group->empty()) return Invalid("a fault's group is not empty");
  return absl::OkStatus();
}

}  // namespace

FaultRegistry::FaultRegistry(std::vector<ServedApi> catalog) : catalog_(std::move(catalog)) {}

absl::Status FaultRegistry::ResolveApi(Rule& rule) const {
  FaultState& s = rule.state;
  if (s.api.empty()) {
    rule.any_api = true;
    return absl::OkStatus();
  }
  const std::optional<int16_t> key = ParseKey(s.api);
  std::string canonical = key ? s.api : "";
  for (const ServedApi& api : catalog_) {
    if (!Covers(s.listener, api.listener)) continue;
    if (key ? api.key != *key : !absl::EqualsIgnoreCase(ToAbsl(api.name), ToAbsl(s.api))) continue;
    if (IsFaultApi(api.key)) {
      return Invalid("the fault APIs cannot be faulted: a test must always be able to clear");
    }
    if (s.action == FaultAction::kError && !api.error_answer) {
      return Invalid(fmt::format(
          "the {} listener's {} cannot answer an injected error; use a delay or a drop, or "
          "another listener",
          FaultListenerName(api.listener), api.name));
    }
    (api.listener == FaultListener::kBrook ? rule.brook_key : rule.kafka_key) = api.key;
    if (canonical.empty()) canonical = api.name;
  }
  if (!rule.brook_key && !rule.kafka_key) {
    return Invalid(fmt::format("no API '{}' is served by {}", s.api,
                               s.listener == FaultListener::kAny
                                   ? std::string("either listener")
                                   : fmt::format("the {} listener",
                                                 FaultListenerName(s.listener))));
  }
  s.api = std::move(canonical);
  return absl::OkStatus();
}

absl::StatusOr<int32_t> FaultRegistry::Add(FaultRule spec) {
  if (absl::Status s = ValidateScope(spec); !s.ok()) return s;
  if (absl::Status s = ValidateAction(spec); !s.ok()) return s;
  Rule rule;
  static_cast<FaultRule&>(rule.state) = std::move(spec);
  if (absl::Status s = ResolveApi(rule); !s.ok()) return s;
  rule.state.remaining = rule.state.count;
  absl::MutexLock lock(&mu_);
  rule.state.id = next_id_++;
  rules_.push_back(std::move(rule));
  live_.fetch_add(1, std::memory_order_release);
  return rules_.back().state.id;
}

std::vector<FaultState> FaultRegistry::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<FaultState> out;
  out.reserve(rules_.size());
  for (const Rule& rule : rules_) out.push_back(rule.state);
  return out;
}

absl::StatusOr<int32_t> FaultRegistry::Clear(int32_t id) {
  absl::MutexLock lock(&mu_);
  auto doomed = [&](const Rule& rule) { return id == kClearAllFaults || rule.state.id == id; };
  int live = 0;
  for (const Rule& rule : rules_) live += doomed(rule) && rule.state.remaining != 0 ? 1 : 0;
  const auto removed = std::erase_if(rules_, doomed);
  if (removed == 0 && id != kClearAllFaults) {
    return Invalid(fmt::format("no fault rule has id {}", id));
  }
  live_.fetch_sub(live, std::memory_order_release);
  return static_cast<int32_t>(removed);
}

bool FaultRegistry::Matches(const Rule& rule, FaultListener listener, int16_t key,
                            const RequestNames& names) const {
  const FaultState& s = rule.state;
  if (s.remaining == 0 || !Covers(s.listener, listener)) return false;
  if (rule.any_api) {
    if (listener == FaultListener::kBrook && key >= kFirstTestControlKey) return false;
  } else if ((listener == FaultListener::kBrook ? rule.brook_key : rule.kafka_key) != key) {
    return false;
  }
  return Contains(names.topics, s.topic) && Contains(names.groups, s.group);
}

std::optional<FaultHit> FaultRegistry::Match(FaultListener listener, int16_t key,
                                             const RequestNames& names) {
  std::optional<FaultHit> hit = Fire(listener, key, names);
  if (hit) {
    Log(LogLevel::kInfo, "injected fault", "rule", hit->rule_id, "listener",
        FaultListenerName(listener), "api_key", key, "action", FaultActionName(hit->action));
  }
  return hit;
}

std::optional<FaultHit> FaultRegistry::Fire(FaultListener listener, int16_t key,
                                            const RequestNames& names) {
  absl::MutexLock lock(&mu_);
  for (Rule& rule : rules_) {
    if (!Matches(rule, listener, key, names)) continue;
    FaultState& s = rule.state;
    ++s.matched;
    if (!ShareFires(s.matched, s.share_percent)) continue;
    ++s.fired;
    if (s.remaining != kFaultUnlimited && --s.remaining == 0) {
      live_.fetch_sub(1, std::memory_order_release);
    }
    return FaultHit{s.id, s.action, s.error_code, s.delay_ms};
  }
  return std::nullopt;
}

}  // namespace brook::faults
