// broker/metrics/prometheus_fwd.h: prometheus-cpp's classes that headers here name by pointer
// only, so that including them does not pull prometheus-cpp's headers in.
#pragma once

namespace prometheus {
class Counter;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus
