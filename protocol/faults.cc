#include "protocol/faults.h"

#include <iterator>

namespace brook {
namespace {

// Indexed by the enums' wire values.
constexpr std::string_view kActionNames[] = {"error", "delay", "drop"};
constexpr std::string_view kListenerNames[] = {"any", "brook", "kafka"};

template <size_t N, class Enum>
std::string_view NameIn(const std::string_view (&names)[N], Enum value) {
  const auto i = static_cast<size_t>(static_cast<uint8_t>(value));
  return i < N ? names[i] : "unknown";
}

}  // namespace

std::string_view FaultActionName(FaultAction action) { return NameIn(kActionNames, action); }

std::string_view FaultListenerName(FaultListener listener) {
  return NameIn(kListenerNames, listener);
}

std::optional<FaultListener> FaultListenerFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kListenerNames); ++i) {
    if (kListenerNames[i] == name) return static_cast<FaultListener>(i);
  }
  return std::nullopt;
}

}  // namespace brook
