// broker/metrics/families.h: building the metric families a scrape returns.
//
// The collectors (collectors.h) compute values at scrape time and add them here; prometheus-cpp's
// TextSerializer then writes the text format (never by hand).
//
//   Families out;
//   prometheus::MetricFamily& lag = out.Gauge("brook_group_lag_records", "Records ...");
//   Families::Add(lag, {{"group", "billing"}, {"topic", "orders"}}, 42);
//
// A family returned by Gauge, Counter or Histogram stays valid while more are added.
// Thread-safety: none; one scrape builds one Families.
#pragma once

#include <deque>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace brook::metrics {

using Label = std::pair<std::string_view, std::string_view>;

class Families {
 public:
  // A new family; names follow Prometheus' conventions (counters end in _total, units are
  // base units: _seconds, _bytes).
  prometheus::MetricFamily& Gauge(std::string name, std::string help);
  prometheus::MetricFamily& Counter(std::string name, std::string help);
  prometheus::MetricFamily& Histogram(std::string name, std::string help);
  // A sample of a gauge or counter family.
  static void Add(prometheus::MetricFamily& family, std::initializer_list<Label> labels,
                  double value);
  static std::vector<prometheus::ClientMetric::Label> Labels(std::initializer_list<Label> labels);

  // Appends families built elsewhere (the registry's).
  void Append(std::vector<prometheus::MetricFamily> families);
  // Every family that has samples, in the order added.
  std::vector<prometheus::MetricFamily> Take() &&;

 private:
  prometheus::MetricFamily& New(std::string name, std::string help, prometheus::MetricType type);
  std::deque<prometheus::MetricFamily> families_;  // A deque: references stay valid.
};

}  // namespace brook::metrics
