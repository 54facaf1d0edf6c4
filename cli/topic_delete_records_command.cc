// `brook topic delete-records TOPIC --partition P --before OFFSET`: deletes a partition's
// records below an offset, as Kafka's `kafka-delete-records` does.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "client/admin.h"
#include "fmt/format.h"
#include "protocol/messages.h"

namespace brook::cli {
namespace {

struct DeleteRecordsOptions {
  std::string bootstrap;
  std::string topic;
  int32_t partition = 0;
  int64_t before = 0;
};

int DeleteRecords(const DeleteRecordsOptions& o) {
  auto admin = Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<int64_t> low =
      (*admin)->DeleteRecords({o.topic, PartitionId(o.partition)}, o.before);
  if (!low.ok()) return PrintError(low.status());
  const std::string which = o.before == kDeleteToHighWatermark
                                ? "every record"
                                : fmt::format("the records below offset {}", o.before);
  fmt::print("deleted {} of {}-{}: its log start (low watermark) is {}\n", which, o.topic,
             o.partition, *low);
  return kExitOk;
}

}  // namespace

void AddTopicDeleteRecordsCommand(CLI::App* topic, int* exit_code) {
  auto o = std::make_shared<DeleteRecordsOptions>();
  CLI::App* del = topic->add_subcommand(
      "delete-records", "Delete a partition's records below an offset (its new log start)");
  del->add_option("TOPIC", o->topic, "Topic name")->required();
  del->add_option("--partition", o->partition, "The partition")
      ->required()
      ->check(CLI::NonNegativeNumber);
  del->add_option("--before", o->before,
                  "Records below this offset go; -1: every record (up to the log end)")
      ->required()
      ->check(CLI::Range(kDeleteToHighWatermark, std::numeric_limits<int64_t>::max()));
  AddBootstrapOption(del, &o->bootstrap);
  del->callback([o, exit_code] { *exit_code = DeleteRecords(*o); });
}

}  // namespace brook::cli
