#include "protocol/faults.h"

namespace brook {

std::string_view FaultActionName(FaultAction action) {
  switch (action) {
    case FaultAction::kError:
      return "error";
    case FaultAction::kDelay:
      return "delay";
    case FaultAction::kDrop:
      return "drop";
  }
  return "unknown";
}

std::string_view FaultListenerName(FaultListener listener) {
  switch (listener) {
    case FaultListener::kAny:
      return "any";
    case FaultListener::kBrook:
      return "brook";
    case FaultListener::kKafka:
      return "kafka";
  }
  return "unknown";
}

std::optional<FaultListener> FaultListenerFromName(std::string_view name) {
  for (FaultListener l : {FaultListener::kAny, FaultListener::kBrook, FaultListener::kKafka}) {
    if (FaultListenerName(l) == name) return l;
  }
  return std::nullopt;
}

}  // namespace brook
