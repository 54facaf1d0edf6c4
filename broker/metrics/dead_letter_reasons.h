// broker/metrics/dead_letter_reasons.h: dead letters counted by source topic, group and reason,
// with a bounded number of reason labels.
//
// A reason is free text ("timeout calling billing: 503 after 3 tries"). Its label is its first
// clause (up to the first ':' or newline, trimmed, at most 48 bytes, with bytes outside
// printable ASCII replaced by '?'); the first kMaxReasons distinct labels are kept, every later
// one is counted as "other", and an empty reason as "unspecified". So a service that puts ids
// or timestamps into its reasons cannot grow the scrape without bound.
// Thread-safety: Count from any thread (it takes a mutex: dead-lettering is not a hot path).
#pragma once

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "broker/metrics/prometheus_fwd.h"

namespace brook::metrics {

class DeadLetterReasons {
 public:
  static constexpr size_t kMaxReasons = 32;
  static constexpr size_t kMaxReasonBytes = 48;

  // Registers brook_dead_letter_reasons_total in `registry`.
  explicit DeadLetterReasons(prometheus::Registry& registry);

  void Count(std::string_view topic, std::string_view group, std::string_view reason);
  // The label `reason` gets now (adds it to the kept ones if there is room).
  std::string Label(std::string_view reason);

 private:
  prometheus::Family<prometheus::Counter>* family_;
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> kept_ ABSL_GUARDED_BY(mu_);
};

}  // namespace brook::metrics
