// broker/http/console_assets.h: the web console's files (broker/http/console/), built into
// the binary by broker/http/embed_assets.cmake, so the console works offline and from a
// single binary.
// Thread-safety: immutable data.
#pragma once

#include <optional>
#include <string_view>

namespace brook::http {

struct ConsoleAsset {
  std::string_view content_type;
  std::string_view bytes;
};

// The asset called `name` ("index.html", "console.js", ...), if there is one.
std::optional<ConsoleAsset> FindConsoleAsset(std::string_view name);

}  // namespace brook::http
