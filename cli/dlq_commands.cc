// `brook dlq list|stats|replay`: inspect a dead-letter topic and replay its records
// (docs/dead-letters.md).
#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/dead_letter_reader.h"
#include "client/admin.h"
#include "client/offset_reset.h"
#include "fmt/format.h"
#include "protocol/absl_compat.h"
#include "protocol/error_codes.h"
#include "protocol/json/json.h"

namespace brook::cli {
namespace {

// Replays are sent this many per request.
constexpr size_t kReplayChunk = 500;
constexpr size_t kPreviewChars = 40;

struct DlqOptions {
  std::string bootstrap;
  std::string topic;
  std::optional<int64_t> limit;
  bool json = false;
  // replay filters
  std::optional<std::string> filter_reason;
  std::optional<std::string> filter_topic;
  std::optional<std::string> since;
  std::optional<std::string> until;
  bool dry_run = false;
};

absl::StatusOr<std::unique_ptr<Admin>> Connect(const DlqOptions& o) {
  return Admin::Create({.bootstrap = o.bootstrap, .client_id = "brook-cli"});
}

// Printable text, at most `max` characters: control bytes escaped, "..." when cut.
std::string Preview(const std::optional<std::string>& text, size_t max = kPreviewChars) {
  if (!text) return "null";
  std::string out;
  for (char c : *text) {
    if (out.size() >= max) return out + "...";
    const auto u = static_cast<unsigned char>(c);
    out += u < 0x20 || u == 0x7f ? fmt::format("\\x{:02x}", u) : std::string(1, c);
  }
  return out;
}

// What a listing says of a record's origin and failure. A record without dead-letter headers
// (or with headers that name no record) has an unknown origin: it is listed and counted, and
// cannot be replayed.
bool KnowsOrigin(const DeadLetterRecord& r) {
  return r.info.ok() && r.info->convention != DeadLetterConvention::kUnknown;
}

// "topic-partition@offset", or "unknown".
std::string Origin(const DeadLetterRecord& r) {
  if (!KnowsOrigin(r)) return "unknown";
  return RecordName(r.info->source.topic, r.info->source.partition.value, r.info->offset);
}

// The reason, "unknown" when none is known, or "unknown (<why the headers are unreadable>)".
std::string Reason(const DeadLetterRecord& r) {
  if (!r.info.ok()) return fmt::format("unknown ({})", MessageOf(r.info.status()));
  return r.info->reason.empty() ? "unknown" : r.info->reason;
}

std::string_view ConventionOf(const DeadLetterRecord& r) {
  return ConventionName(r.info.ok() ? r.info->convention : DeadLetterConvention::kUnknown);
}

// Offsets of a dead-letter topic's records, per partition.
using OffsetsByPartition = std::map<int32_t, std::vector<int64_t>>;

// Calls `fn(partition, chunk)` for each run of at most kReplayChunk offsets of `offsets`, in
// order, until one fails. Errors: fn's.
absl::Status ForEachChunk(
    const OffsetsByPartition& offsets,
    const std::function<absl::Status(int32_t, const std::vector<int64_t>&)>& fn) {
  for (const auto& [partition, list] : offsets) {
    for (size_t i = 0; i < list.size(); i += kReplayChunk) {
      const auto first = list.begin() + static_cast<std::ptrdiff_t>(i);
      const auto last = list.begin() + static_cast<std::ptrdiff_t>(std::min(list.size(), i + kReplayChunk));
      if (absl::Status s = fn(partition, std::vector<int64_t>(first, last)); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

// Where each record of `dlq_topic` was replayed to ("" for not yet), asked with dry-run
// replays, per partition.
absl::StatusOr<std::map<std::pair<int32_t, int64_t>, std::string>> ReplayedTo(
    Admin& admin, const std::string& dlq_topic, const OffsetsByPartition& offsets) {
  std::map<std::pair<int32_t, int64_t>, std::string> out;
  absl::Status asked = ForEachChunk(offsets, [&](int32_t partition, const auto& chunk) {
    auto answers = admin.ReplayDeadLetters({dlq_topic, PartitionId(partition)}, chunk, true);
    if (!answers.ok()) return answers.status();
    for (const DeadLetterReplay& r : *answers) {
      out[{partition, r.offset}] =
          r.already_replayed
              ? RecordName(r.target.topic, r.target.partition.value, r.replayed_offset)
              : "";
    }
    return absl::OkStatus();
  });
  if (!asked.ok()) return asked;
  return out;
}

// A field of the dead-letter headers as JSON, null when it is not known (empty, or 0). Text
// fields came from header values, so they follow brook::json::Bytes.
boost::json::value BytesOrNull(std::string_view text) {
  return text.empty() ? boost::json::value(nullptr) : json::Bytes(text);
}
boost::json::value NumberOrNull(int64_t number) {
  return number == 0 ? boost::json::value(nullptr) : boost::json::value(number);
}

std::string ListJson(const DeadLetterRecord& r, const std::string& replayed_to) {
  const DeadLetterInfo i = r.info.ok() ? *r.info : DeadLetterInfo{};
  const bool known = KnowsOrigin(r);
  const auto known_or_null = [known](int64_t number) {
    return known ? boost::json::value(number) : boost::json::value(nullptr);
  };
  boost::json::object out;
  out["dlq_partition"] = r.partition;
  out["dlq_offset"] = r.offset;
  out["dead_lettered_ms"] = r.timestamp_ms;
  out["convention"] = ConventionOf(r);
  out["topic"] = BytesOrNull(i.source.topic);
  out["partition"] = known_or_null(i.source.partition.value);
  out["offset"] = known_or_null(i.offset);
  out["timestamp"] = NumberOrNull(i.timestamp);
  out["key"] = json::BytesOrNull(r.key);
  out["reason"] = BytesOrNull(i.reason);
  out["attempts"] = NumberOrNull(i.attempts);
  out["first_failure_ms"] = NumberOrNull(i.first_failure_ms);
  out["last_failure_ms"] = NumberOrNull(i.last_failure_ms);
  out["group"] = BytesOrNull(i.group);
  out["member"] = BytesOrNull(i.member);
  out["client_id"] = BytesOrNull(i.client_id);
  out["header_error"] = r.info.ok() ? boost::json::value(nullptr)
                                    : json::Bytes(MessageOf(r.info.status()));
  out["replayed_to"] = BytesOrNull(replayed_to);
  out["value"] = json::BytesOrNull(r.value);
  return json::Text(out);
}

int List(const DlqOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  std::vector<DeadLetterRecord> records;
  int64_t unknown_origin = 0;
  absl::Status read = ForEachDeadLetter(o.bootstrap, o.topic, [&](const DeadLetterRecord& r) {
    unknown_origin += KnowsOrigin(r) ? 0 : 1;
    records.push_back(r);
    return !o.limit || static_cast<int64_t>(records.size()) < *o.limit;
  });
  if (!read.ok()) return PrintError(read);
  OffsetsByPartition offsets;
  for (const DeadLetterRecord& r : records) offsets[r.partition].push_back(r.offset);
  auto replayed = ReplayedTo(**admin, o.topic, offsets);
  if (!replayed.ok()) return PrintError(replayed.status());
  if (o.json) {
    for (const DeadLetterRecord& r : records) {
      fmt::print("{}\n", ListJson(r, (*replayed)[{r.partition, r.offset}]));
    }
    return kExitOk;
  }
  if (records.empty()) {
    fmt::print("no dead letters in '{}'\n", o.topic);
  } else {
    std::vector<std::vector<std::string>> rows{{"DLQ", "CONVENTION", "ORIGINAL", "KEY", "REASON",
                                                "ATTEMPTS", "FIRST-FAILURE", "DEAD-LETTERED",
                                                "REPLAYED-TO", "VALUE"}};
    for (const DeadLetterRecord& r : records) {
      const int32_t attempts = r.info.ok() ? r.info->attempts : 0;
      const std::string& to = (*replayed)[{r.partition, r.offset}];
      rows.push_back({fmt::format("{}@{}", r.partition, r.offset), std::string(ConventionOf(r)),
                      Origin(r), Preview(r.key, 20), Preview(Reason(r)),
                      attempts == 0 ? "-" : std::to_string(attempts),
                      IsoTime(r.info.ok() ? r.info->first_failure_ms : 0), IsoTime(r.timestamp_ms),
                      to.empty() ? "-" : to, Preview(r.value)});
    }
    PrintTable(rows);
  }
  if (unknown_origin > 0) {
    fmt::print("({} record(s) of unknown origin: replay cannot know where to send them)\n",
               unknown_origin);
  }
  return kExitOk;
}

// Prints `counts` as a two-column table, largest first.
void PrintCounts(const std::string& title, const std::map<std::string, int64_t>& counts) {
  std::vector<std::pair<std::string, int64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<std::vector<std::string>> rows{{title, "RECORDS"}};
  for (const auto& [name, count] : sorted) rows.push_back({Preview(name, 60), std::to_string(count)});
  fmt::print("\n");
  PrintTable(rows);
}

int Stats(const DlqOptions& o) {
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  int64_t total = 0, unknown_origin = 0;
  int64_t oldest = std::numeric_limits<int64_t>::max(), newest = std::numeric_limits<int64_t>::min();
  std::map<std::string, int64_t> by_topic, by_reason;
  absl::Status read = ForEachDeadLetter(o.bootstrap, o.topic, [&](const DeadLetterRecord& r) {
    ++total;
    if (KnowsOrigin(r)) {
      ++by_topic[r.info->source.topic];
    } else {
      ++unknown_origin;
    }
    ++by_reason[Reason(r)];
    oldest = std::min(oldest, r.timestamp_ms);
    newest = std::max(newest, r.timestamp_ms);
    return true;
  });
  if (!read.ok()) return PrintError(read);
  fmt::print("dead-letter topic  {}\nrecords            {}\n", o.topic, total);
  if (total > 0) fmt::print("oldest             {}\nnewest             {}\n", IsoTime(oldest), IsoTime(newest));
  if (unknown_origin > 0) fmt::print("unknown origin     {}\n", unknown_origin);
  if (total == 0) return kExitOk;
  // Shown under "unknown", but kept out of the topics the broker is asked about below (a topic
  // may be named "unknown").
  std::map<std::string, int64_t> by_origin = by_topic;
  if (unknown_origin > 0) by_origin["unknown"] += unknown_origin;
  PrintCounts("ORIGINAL-TOPIC", by_origin);
  PrintCounts("REASON", by_reason);
  std::vector<std::string> topics;
  for (const auto& [topic, count] : by_topic) topics.push_back(topic);
  auto counters = (*admin)->DeadLetterStats(topics);
  if (!counters.ok()) return PrintError(counters.status());
  std::vector<std::vector<std::string>> rows{{"TOPIC", "GROUP", "DEAD-LETTERED", "REPLAYED"}};
  for (const DeadLetterCounter& c : *counters) {
    // A replayed Kafka client's dead letter may name no group.
    rows.push_back({c.topic, c.group.empty() ? "-" : c.group, std::to_string(c.dead_lettered),
                    std::to_string(c.replayed)});
  }
  fmt::print("\nbroker counters (all time)\n");
  PrintTable(rows);
  return kExitOk;
}

// A time bound: ms since the epoch, or a datetime (ParseDatetime).
absl::StatusOr<std::optional<int64_t>> TimeBound(const std::optional<std::string>& text,
                                                 std::string_view flag) {
  if (!text) return std::nullopt;
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), ms);
  if (ec == std::errc() && end == text->data() + text->size()) return ms;
  absl::StatusOr<int64_t> parsed = ParseDatetime(*text);
  if (!parsed.ok()) {
    return MakeError(ErrorCode::kInvalidRequest,
                     fmt::format("{} takes a datetime (e.g. 2026-11-25T10:00:00Z) or ms since "
                                 "the epoch, got '{}'",
                                 flag, *text));
  }
  return *parsed;
}

struct ReplayTally {
  int64_t replayed = 0, already = 0, failed = 0;
};

absl::StatusOr<OffsetsByPartition> MatchingDeadLetters(const DlqOptions& o,
                                                        std::optional<int64_t> since,
                                                        std::optional<int64_t> until) {
  OffsetsByPartition matches;
  absl::Status read = ForEachDeadLetter(o.bootstrap, o.topic, [&](const DeadLetterRecord& r) {
    // Records of unknown origin match too: their replay is refused, saying why.
    if (o.filter_topic && (!KnowsOrigin(r) || r.info->source.topic != *o.filter_topic)) {
      return true;
    }
    if (o.filter_reason && Reason(r).find(*o.filter_reason) == std::string::npos) return true;
    if (since && r.timestamp_ms < *since) return true;
    if (until && r.timestamp_ms >= *until) return true;
    matches[r.partition].push_back(r.offset);
    return true;
  });
  if (!read.ok()) return read;
  return matches;
}

// Sends one chunk of replays (or dry-run replays) and prints what happened to each record.
absl::Status ReplayChunk(Admin& admin, const DlqOptions& o, int32_t partition,
                         const std::vector<int64_t>& chunk, ReplayTally& tally) {
  auto answers = admin.ReplayDeadLetters({o.topic, PartitionId(partition)}, chunk, o.dry_run);
  if (!answers.ok()) return answers.status();
  for (const DeadLetterReplay& r : *answers) {
    if (!r.status.ok()) {
      ++tally.failed;
      fmt::print(stderr, "error: {}\n", MessageOf(r.status));
    } else if (r.already_replayed) {
      ++tally.already;  // Replayed by someone else since the plan was made.
    } else {
      ++tally.replayed;
      if (o.dry_run) {
        fmt::print("{} would go to {}-{}\n", RecordName(o.topic, partition, r.offset),
                   r.target.topic, r.target.partition.value);
      }
    }
  }
  return absl::OkStatus();
}

int Replay(const DlqOptions& o) {
  auto since = TimeBound(o.since, "--since");
  auto until = TimeBound(o.until, "--until");
  for (const auto* bound : {&since, &until}) {
    if (!bound->ok()) {
      PrintError(bound->status());
      return kExitUsage;
    }
  }
  auto admin = Connect(o);
  if (!admin.ok()) return PrintError(admin.status());
  absl::StatusOr<OffsetsByPartition> matches = MatchingDeadLetters(o, *since, *until);
  if (!matches.ok()) return PrintError(matches.status());
  // What was replayed before is left out, so that --limit N moves on from run to run.
  auto replayed = ReplayedTo(**admin, o.topic, *matches);
  if (!replayed.ok()) return PrintError(replayed.status());
  OffsetsByPartition pending;
  int64_t matched = 0, already = 0, planned = 0;
  for (const auto& [partition, offsets] : *matches) {
    for (int64_t offset : offsets) {
      ++matched;
      if (!(*replayed)[{partition, offset}].empty()) {
        ++already;
      } else if (!o.limit || planned < *o.limit) {
        pending[partition].push_back(offset);
        ++planned;
      }
    }
  }
  fmt::print("{} dead letter(s) in '{}' match: {} replayed before, {} to replay{}\n", matched,
             o.topic, already, planned, o.dry_run ? " (dry run: nothing is replayed)" : "");
  ReplayTally tally;
  int64_t done = 0;
  absl::Status replayed_all = ForEachChunk(pending, [&](int32_t partition, const auto& chunk) {
    if (absl::Status s = ReplayChunk(**admin, o, partition, chunk, tally); !s.ok()) return s;
    done += static_cast<int64_t>(chunk.size());
    if (!o.dry_run) {
      fmt::print("{}/{}: {} replayed, {} already replayed, {} failed\n", done, planned,
                 tally.replayed, tally.already, tally.failed);
      std::fflush(stdout);
    }
    return absl::OkStatus();
  });
  if (!replayed_all.ok()) return PrintError(replayed_all);
  if (o.dry_run) {
    fmt::print("dry run: {} would be replayed, {} cannot be; nothing changed\n", tally.replayed,
               tally.failed);
  } else {
    fmt::print("done: {} replayed, {} already replayed, {} failed\n", tally.replayed,
               already + tally.already, tally.failed);
  }
  return tally.failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void AddDlqCommands(CLI::App& app, int* exit_code) {
  CLI::App* dlq = app.add_subcommand("dlq", "Inspect dead-letter topics and replay their records");
  dlq->require_subcommand(1);
  auto o = std::make_shared<DlqOptions>();
  auto common = [&](CLI::App* command) {
    command->add_option("DLQ_TOPIC", o->topic, "The dead-letter topic, e.g. orders.dlq")->required();
    AddBootstrapOption(command, &o->bootstrap);
  };
  auto positive = CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max());

  CLI::App* list = dlq->add_subcommand("list", "One line per dead letter: where from, why, when");
  common(list);
  list->add_option("--limit", o->limit, "At most N records")->check(positive);
  list->add_flag("--json", o->json, "One JSON object per record (with the whole value)");
  list->callback([o, exit_code] { *exit_code = List(*o); });

  CLI::App* stats = dlq->add_subcommand("stats", "Totals by original topic and by reason");
  common(stats);
  stats->callback([o, exit_code] { *exit_code = Stats(*o); });

  CLI::App* replay = dlq->add_subcommand(
      "replay", "Re-produce matching dead letters to their original topics, each at most once");
  common(replay);
  replay->add_option("--filter-reason", o->filter_reason, "Only reasons containing TEXT");
  replay->add_option("--filter-topic", o->filter_topic, "Only records from topic T");
  replay->add_option("--since", o->since,
                     "Only records dead-lettered at or after T (datetime or ms since the epoch)");
  replay->add_option("--until", o->until, "Only records dead-lettered before T");
  replay->add_option("--limit", o->limit, "At most N records")->check(positive);
  replay->add_flag("--dry-run", o->dry_run, "Say what would be replayed; change nothing");
  replay->callback([o, exit_code] { *exit_code = Replay(*o); });
}

}  // namespace brook::cli
