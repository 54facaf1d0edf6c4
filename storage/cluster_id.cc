#include "storage/cluster_id.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "fmt/format.h"
#include "protocol/error_codes.h"

namespace brook::storage {
namespace {

constexpr size_t kIdLength = 22;

bool IsClusterId(const std::string& id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::Status WriteDurably(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return MakeError(ErrorCode::kKafkaStorageError,
                     fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  }
  const bool written = ::write(fd, content.data(), content.size()) ==
                           static_cast<ssize_t>(content.size()) &&
                       ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return MakeError(ErrorCode::kKafkaStorageError,
                     fmt::format("cannot write {}: {}", path, std::strerror(written ? errno : saved)));
  }
  return absl::OkStatus();
}

}  // namespace

std::string NewClusterId() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device random;
  std::string id;
  // 22 base64 digits carry 132 bits; the 16 random bytes fill 128 of them, as Kafka's do.
  for (size_t i = 0; i < kIdLength; ++i) id.push_back(kAlphabet[random() % 64]);
  return id;
}

absl::StatusOr<std::string> LoadOrCreateClusterId(const std::string& data_dir) {
  const std::string path = data_dir + "/cluster.id";
  std::ifstream in(path);
  if (in) {
    std::stringstream content;
    content << in.rdbuf();
    std::string id = content.str();
    while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
    if (!IsClusterId(id)) {
      return absl::DataLossError(fmt::format("{} does not hold a cluster id", path));
    }
    return id;
  }
  std::string id = NewClusterId();
  if (absl::Status s = WriteDurably(path, id + "\n"); !s.ok()) return s;
  return id;
}

}  // namespace brook::storage
