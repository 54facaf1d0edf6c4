// protocol/absl_compat.h: bridges std::string_view and Debian's abseil.
//
// Debian 12 builds abseil with its own absl::string_view (not an alias of std::string_view),
// and there is no implicit conversion from std::string_view. brook's code uses
// std::string_view and fmt; these two helpers convert at the few places abseil needs its type.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace brook {

inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view FromAbsl(absl::string_view s) { return {s.data(), s.size()}; }
// The message of a status as a std::string_view (valid while the status lives).
inline std::string_view MessageOf(const absl::Status& status) { return FromAbsl(status.message()); }

}  // namespace brook
