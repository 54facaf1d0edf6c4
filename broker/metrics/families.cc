#include "broker/metrics/families.h"

#include <algorithm>

namespace brook::metrics {

prometheus::MetricFamily& Families::New(std::string name, std::string help,
                                        prometheus::MetricType type) {
  prometheus::MetricFamily& family = families_.emplace_back();
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  return family;
}

prometheus::MetricFamily& Families::Gauge(std::string name, std::string help) {
  return New(std::move(name), std::move(help), prometheus::MetricType::Gauge);
}

prometheus::MetricFamily& Families::Counter(std::string name, std::string help) {
  return New(std::move(name), std::move(help), prometheus::MetricType::Counter);
}

prometheus::MetricFamily& Families::Histogram(std::string name, std::string help) {
  return New(std::move(name), std::move(help), prometheus::MetricType::Histogram);
}

std::vector<prometheus::ClientMetric::Label> Families::Labels(
    std::initializer_list<Label> labels) {
  std::vector<prometheus::ClientMetric::Label> out;
  out.reserve(labels.size());
  for (const auto& [name, value] : labels) out.push_back({std::string(name), std::string(value)});
  return out;
}

void Families::Add(prometheus::MetricFamily& family, std::initializer_list<Label> labels,
                   double value) {
  prometheus::ClientMetric& metric = family.metric.emplace_back();
  metric.label = Labels(labels);
  if (family.type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
}

void Families::Append(std::vector<prometheus::MetricFamily> families) {
  for (prometheus::MetricFamily& family : families) families_.push_back(std::move(family));
}

std::vector<prometheus::MetricFamily> Families::Take() && {
  std::vector<prometheus::MetricFamily> families;
  for (prometheus::MetricFamily& family : families_) {
    if (!family.metric.empty()) families.push_back(std::move(family));
  }
  return families;
}

}  // namespace brook::metrics
