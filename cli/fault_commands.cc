// `brook fault add|list|clear`: fault injection on a running broker (docs/testing.md,
// "Injecting faults").
#include <charconv>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/duration.h"
#include "client/admin.h"
#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/faults.h"
#include "protocol/json/json.h"

namespace brook::cli {
namespace {

struct FaultOptions {
  std::string bootstrap;
  // add
  std::string api;
  std::string listener = "any";
  std::optional<std::string> topic;
  std::optional<std::string> group;
  std::optional<std::string> error;
  std::optional<std::string> delay;
  bool drop = false;
  std::optional<int32_t> count;
  std::optional<std::string> share;
  // list
  bool json = false;
  // clear
  std::optional<int32_t> id;
  bool all = false;
};

// A whole decimal number of type T, or nullopt.
template <class T>
std::optional<T> ParseNumber(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// An error code by name (NOT_LEADER_OR_FOLLOWER, any case) or number (6).
std::optional<int16_t> ParseErrorCode(std::string_view text) {
  if (std::optional<ErrorCode> code = ErrorCodeFromName(text)) return static_cast<int16_t>(*code);
  return ParseNumber<int16_t>(text);
}

// "30%" or "30".
std::optional<int8_t> ParseShare(std::string_view text) {
  if (text.ends_with('%')) text.remove_suffix(1);
  return ParseNumber<int8_t>(text);
}

int Usage(std::string_view message) {
  fmt::print(stderr, "error: {}\n", message);
  return kExitUsage;
}

// The rule the options describe, or the usage error's exit code after printing it.
std::optional<FaultRule> RuleOf(const FaultOptions& o, int* exit_code) {
  FaultRule rule;
  rule.api = o.api;
  rule.topic = o.topic;
  rule.group = o.group;
  std::optional<FaultListener> listener = FaultListenerFromName(o.listener);
  if (!listener) {
    *exit_code = Usage(fmt::format("--listener is brook, kafka or any, not '{}'", o.listener));
    return std::nullopt;
  }
  rule.listener = *listener;
  if (int(o.error.has_value()) + int(o.delay.has_value()) + int(o.drop) != 1) {
    *exit_code = Usage("give exactly one of --error CODE, --delay DURATION and --drop");
    return std::nullopt;
  }
  if (o.error) {
    std::optional<int16_t> code = ParseErrorCode(*o.error);
    if (!code || *code == 0) {
      *exit_code = Usage(fmt::format(
          "--error takes an error name (e.g. NOT_LEADER_OR_FOLLOWER) or a non-zero number, "
          "not '{}'",
          *o.error));
      return std::nullopt;
    }
    rule.action = FaultAction::kError;
    rule.error_code = *code;
  } else if (o.delay) {
    absl::StatusOr<std::chrono::milliseconds> delay = ParseDuration(*o.delay);
    if (!delay.ok() || delay->count() < 1 || delay->count() > INT32_MAX) {
      *exit_code = Usage(fmt::format("--delay takes a duration such as 200ms, 2s or 1m, not '{}'",
                                     *o.delay));
      return std::nullopt;
    }
    rule.action = FaultAction::kDelay;
    rule.delay_ms = static_cast<int32_t>(delay->count());
  } else {
    rule.action = FaultAction::kDrop;
  }
  if (o.share) {
    std::optional<int8_t> share = ParseShare(*o.share);
    if (!share || *share < 1 || *share > 100) {
      *exit_code = Usage(fmt::format("--share takes a percentage 1-100 such as 30%, not '{}'",
                                     *o.share));
      return std::nullopt;
    }
    rule.share_percent = *share;
  }
  // A share without a count fires for as long as the rule is armed.
  rule.count = o.count.value_or(o.share ? kFaultUnlimited : 1);
  return rule;
}

int Add(const FaultOptions& o) {
  int exit_code = kExitOk;
  std::optional<FaultRule> rule = RuleOf(o, &exit_code);
  if (!rule) return exit_code;
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<int32_t> id = (*admin)->AddFault(*rule);
  if (!id.ok()) return PrintError(id.status());
  fmt::print("{}\n", *id);
  return kExitOk;
}

// The code's name, or "?" for a number brook does not know.
std::string_view ErrorNameOf(int16_t raw) {
  const ErrorCode code = ErrorCodeFromWire(raw);
  return static_cast<int16_t>(code) == raw ? ErrorName(code) : "?";
}

std::string ActionOf(const FaultState& f) {
  switch (f.action) {
    case FaultAction::kError:
      return fmt::format("error {} ({})", ErrorNameOf(f.error_code), f.error_code);
    case FaultAction::kDelay:
      return fmt::format("delay {}ms", f.delay_ms);
    case FaultAction::kDrop:
      return "drop";
  }
  return "?";
}

// One JSON object per rule, one per line.
void PrintJson(const std::vector<FaultState>& faults) {
  for (const FaultState& f : faults) {
    boost::json::object out;
    out["id"] = f.id;
    out["listener"] = FaultListenerName(f.listener);
    out["api"] = f.api;
    out["topic"] = json::StringOrNull(f.topic);
    out["group"] = json::StringOrNull(f.group);
    out["action"] = FaultActionName(f.action);
    out["error_code"] = f.error_code;
    out["error"] = f.action == FaultAction::kError ? ErrorNameOf(f.error_code) : "";
    out["delay_ms"] = f.delay_ms;
    out["share_percent"] = static_cast<int>(f.share_percent);
    out["remaining"] = f.remaining;
    out["matched"] = f.matched;
    out["fired"] = f.fired;
    fmt::print("{}\n", json::Text(out));
  }
}

int List(const FaultOptions& o) {
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<std::vector<FaultState>> faults = (*admin)->ListFaults();
  if (!faults.ok()) return PrintError(faults.status());
  if (o.json) {
    PrintJson(*faults);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "LISTENER", "API", "TOPIC", "GROUP",
                                                 "ACTION", "SHARE", "REMAINING", "MATCHED",
                                                 "FIRED"}};
  for (const FaultState& f : *faults) {
    rows.push_back({std::to_string(f.id), std::string(FaultListenerName(f.listener)),
                    f.api.empty() ? "*" : f.api, f.topic.value_or("*"), f.group.value_or("*"),
                    ActionOf(f), fmt::format("{}%", static_cast<int>(f.share_percent)),
                    f.remaining == kFaultUnlimited ? "unlimited" : std::to_string(f.remaining),
                    std::to_string(f.matched), std::to_string(f.fired)});
  }
  PrintTable(rows);
  return kExitOk;
}

int Clear(const FaultOptions& o) {
  if (o.id.has_value() == o.all) return Usage("give a fault ID or --all");
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<int32_t> cleared = (*admin)->ClearFaults(o.id.value_or(kClearAllFaults));
  if (!cleared.ok()) return PrintError(cleared.status());
  fmt::print("cleared {} fault{}\n", *cleared, *cleared == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

void AddFaultCommands(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<FaultOptions>();
  CLI::App* fault = app.add_subcommand(
      "fault", "Inject faults into a running broker: errors, delays, dropped connections");
  fault->require_subcommand(1);

  CLI::App* add = fault->add_subcommand(
      "add", "Arm a fault rule; prints its id. Exactly one of --error, --delay, --drop");
  add->add_option("--api", o->api,
                  "API name of either protocol (Produce, Fetch, FindCoordinator...) or key; "
                  "default: any API (not with --error)");
  add->add_option("--listener", o->listener, "brook, kafka or any")->capture_default_str();
  add->add_option("--topic", o->topic, "Only requests that name this topic");
  add->add_option("--group", o->group, "Only requests that name this group");
  add->add_option("--error", o->error,
                  "Answer this error code: a name (NOT_LEADER_OR_FOLLOWER) or a number");
  add->add_option("--delay", o->delay, "Wait this long (200ms, 2s, 1m), then serve");
  add->add_flag("--drop", o->drop, "Close the connection without answering");
  add->add_option("--count", o->count,
                  "Fire this many times (default 1; with --share, unlimited)")
      ->check(CLI::PositiveNumber);
  add->add_option("--share", o->share,
                  "Fire on this share of the matching requests (30%: the 1st, 4th, 7th, "
                  "11th...)");
  AddBootstrapOption(add, &o->bootstrap);
  add->callback([o, exit_code] { *exit_code = Add(*o); });

  CLI::App* list = fault->add_subcommand(
      "list", "Show every fault rule: match, action, remaining count, matched and fired");
  list->add_flag("--json", o->json, "One JSON object per rule and line, for test harnesses");
  AddBootstrapOption(list, &o->bootstrap);
  list->callback([o, exit_code] { *exit_code = List(*o); });

  CLI::App* clear = fault->add_subcommand("clear", "Remove one fault rule (ID) or all (--all)");
  clear->add_option("ID", o->id, "The rule's id (fault add printed it)")
      ->check(CLI::PositiveNumber);
  clear->add_flag("--all", o->all, "Remove every rule");
  AddBootstrapOption(clear, &o->bootstrap);
  clear->callback([o, exit_code] { *exit_code = Clear(*o); });
}

}  // namespace brook::cli
