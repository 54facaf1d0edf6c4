// `brook stream delete STREAM [--truncate-before N]`: soft-delete a stream, or hide its
// events below a revision.
#include <memory>
#include <optional>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/stream_common.h"
#include "fmt/format.h"
#include "protocol/expected_revision.h"

namespace brook::cli {
namespace {

struct DeleteOptions {
  StreamTarget target;
  std::string stream;
  std::string expected = "any";
  std::optional<int64_t> truncate_before;
};

int Delete(const DeleteOptions& o) {
  const std::optional<int64_t> expected = ParseExpectedRevision(o.expected);
  if (!expected || *expected == kExpectNoStream) {
    fmt::print(stderr, "error: --expected-revision takes any, exists or a revision, not '{}'\n",
               o.expected);
    return kExitUsage;
  }
  auto store = ConnectStore(o.target);
  if (!store.ok()) return PrintError(store.status());
  absl::StatusOr<int64_t> revision =
      o.truncate_before ? (*store)->TruncateStream(o.stream, *o.truncate_before, *expected)
                        : (*store)->DeleteStream(o.stream, *expected);
  if (!revision.ok()) return PrintError(revision.status());
  if (o.truncate_before) {
    fmt::print("truncated {} before revision {} (last revision {})\n", o.stream,
               *o.truncate_before, *revision);
  } else {
    fmt::print("deleted {} at revision {}\n", o.stream, *revision);
  }
  return kExitOk;
}

}  // namespace

void AddStreamDeleteCommand(CLI::App* stream, int* exit_code) {
  auto o = std::make_shared<DeleteOptions>();
  CLI::App* cmd = stream->add_subcommand(
      "delete", "Soft-delete a stream (an append starts it again after its last revision), "
                "or with --truncate-before hide its older events");
  cmd->add_option("STREAM", o->stream, "The stream id")->required();
  cmd->add_option("--expected-revision", o->expected, "any, exists, or its last revision")
      ->capture_default_str();
  cmd->add_option("--truncate-before", o->truncate_before,
                  "Hide the events below this revision instead of deleting the stream")
      ->check(CLI::NonNegativeNumber);
  AddStreamTargetOptions(cmd, &o->target);
  cmd->callback([o, exit_code] { *exit_code = Delete(*o); });
}

}  // namespace brook::cli
