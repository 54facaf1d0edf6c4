// `brook produce TOPIC`: one record per stdin line.
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "client/producer.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/messages.h"

namespace brook::cli {
namespace {

struct ProduceOptions {
  std::string bootstrap;
  std::string topic;
  std::string key_separator;  // Empty: no keys.
  std::vector<std::string> headers;  // k=v
  int partition = -1;
  std::string acks = "all";
  bool idempotence = true;
  const CLI::Option* idempotence_flag = nullptr;  // Given: idempotence says on or off.
  int64_t delivery_timeout_ms = ProducerOptions{}.delivery_timeout.count();
};

// Tells the user, once per error code, that the broker refuses records for now and that
// they are retried (e.g. STORAGE_ERROR while its disk is full), instead of waiting silently.
std::function<void(const absl::Status&)> WarnOnRetry(int64_t delivery_timeout_ms) {
  auto warned = std::make_shared<std::set<ErrorCode>>();
  return [warned, delivery_timeout_ms](const absl::Status& status) {
    if (!warned->insert(CodeOf(status)).second) return;
    fmt::print(stderr,
               "warning: the broker refused records ({}: {}); retrying for up to {} ms "
               "(--delivery-timeout-ms)\n",
               ErrorName(CodeOf(status)), MessageOf(status), delivery_timeout_ms);
  };
}

int Produce(const ProduceOptions& o) {
  ProducerOptions options;
  options.bootstrap = o.bootstrap;
  options.client_id = "brook-cli";
  options.delivery_timeout = std::chrono::milliseconds(o.delivery_timeout_ms);
  options.on_retry = WarnOnRetry(o.delivery_timeout_ms);
  const std::optional<int16_t> acks = AcksFromName(o.acks);
  if (!acks) {
    fmt::print(stderr, "error: --acks must be 0, 1 or all, not '{}'\n", o.acks);
    return kExitUsage;
  }
  options.acks = *acks;
  if (o.idempotence_flag->count() > 0) options.idempotence = o.idempotence;
  if (options.idempotence.value_or(false) && options.acks != kAcksAll) {
    fmt::print(stderr, "error: --idempotence needs --acks all: an idempotent producer waits "
                       "until its records are durable\n");
    return kExitUsage;
  }
  std::vector<std::pair<std::string, std::string>> header_storage;
  for (const std::string& kv : o.headers) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "error: --header takes KEY=VALUE, got '{}'\n", kv);
      return kExitUsage;
    }
    header_storage.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  std::vector<HeaderView> headers;
  for (const auto& [k, v] : header_storage) headers.push_back(HeaderView{k, v});

  absl::StatusOr<std::unique_ptr<Producer>> producer = Producer::Create(options);
  if (!producer.ok()) return PrintError(producer.status());

  int64_t sent = 0;
  std::string line;
  ProducerRecord record;
  record.topic = o.topic;
  record.headers = headers;
  if (o.partition >= 0) record.partition = o.partition;
  int exit_code = kExitOk;
  while (std::getline(std::cin, line)) {
    std::string_view text = line;
    record.key.reset();
    if (!o.key_separator.empty()) {
      const size_t sep = text.find(o.key_separator);
      if (sep == std::string_view::npos) {
        fmt::print(stderr, "error: line {} has no key separator '{}'\n", sent + 1, o.key_separator);
        exit_code = kExitFailure;
        break;
      }
      record.key = text.substr(0, sep);
      text.remove_prefix(sep + o.key_separator.size());
    }
    record.value = text;
    (*producer)->Send(record, nullptr);
    ++sent;
  }
  absl::Status flushed = (*producer)->Close();
  if (!flushed.ok()) return PrintError(flushed);
  fmt::print(stderr, "produced {} record{} to '{}'\n", sent, sent == 1 ? "" : "s", o.topic);
  return exit_code;
}

}  // namespace

void AddProduceCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ProduceOptions>();
  CLI::App* cmd = app.add_subcommand("produce", "Produce one record per line of stdin");
  cmd->add_option("TOPIC", o->topic, "Topic to produce to")->required();
  cmd->add_option("--key-separator", o->key_separator,
                  "Split each line at the first SEP into key and value");
  cmd->add_option("--header", o->headers, "Header KEY=VALUE on every record (repeatable)");
  cmd->add_option("--partition", o->partition, "Partition (default: by key, else sticky)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--acks", o->acks, "0, 1 or all")->capture_default_str();
  o->idempotence_flag = cmd->add_flag(
      "--idempotence,!--no-idempotence", o->idempotence,
      "Idempotent producer: each record lands once and in order, retries included (default: "
      "on with --acks all, off with --acks 0 or 1)");
  cmd->add_option("--delivery-timeout-ms", o->delivery_timeout_ms,
                  "How long a record may be retried (e.g. while the broker's disk is full) "
                  "before it fails")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  AddBootstrapOption(cmd, &o->bootstrap);
  cmd->callback([o, exit_code] { *exit_code = Produce(*o); });
}

}  // namespace brook::cli
