#include "broker/metrics/dead_letter_reasons.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include "absl/strings/ascii.h"

namespace brook::metrics {

DeadLetterReasons::DeadLetterReasons(prometheus::Registry& registry)
    : family_(&prometheus::BuildCounter()
                   .Name("brook_dead_letter_reasons_total")
                   .Help("Records dead-lettered since the broker started, by source topic, "
                         "group and reason (its first clause; at most 32 distinct, then "
                         "\"other\")")
                   .Register(registry)) {}

std::string DeadLetterReasons::Label(std::string_view reason) {
  reason = reason.substr(0, reason.find_first_of(":\n"));
  while (!reason.empty() && absl::ascii_isspace(static_cast<unsigned char>(reason.front()))) {
    reason.remove_prefix(1);
  }
  while (!reason.empty() && absl::ascii_isspace(static_cast<unsigned char>(reason.back()))) {
    reason.remove_suffix(1);
  }
  if (reason.empty()) return "unspecified";
  std::string label(reason.substr(0, kMaxReasonBytes));
  for (char& c : label) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  absl::MutexLock lock(&mu_);
  if (kept_.contains(label)) return label;
  if (kept_.size() >= kMaxReasons) return "other";
  kept_.insert(label);
  return label;
}

void DeadLetterReasons::Count(std::string_view topic, std::string_view group,
                              std::string_view reason) {
  family_
      ->Add({{"topic", std::string(topic)}, {"group", std::string(group)},
             {"reason", Label(reason)}})
      .Increment();
}

}  // namespace brook::metrics
