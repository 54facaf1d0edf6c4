#include "protocol/consumer_protocol.h"

#include <algorithm>

#include "fmt/format.h"
#include "protocol/error_codes.h"
#include "protocol/wire.h"

namespace brook {
namespace {

std::optional<std::string> ReadNullableBytes(wire::Reader& in) {
  std::optional<std::string_view> bytes = in.NullableBytes();
  return bytes ? std::optional<std::string>(*bytes) : std::nullopt;
}

void WriteNullableBytes(wire::Writer& out, const std::optional<std::string>& bytes) {
  if (bytes) {
    out.Bytes(*bytes);
  } else {
    out.Int32(-1);
  }
}

// [topic:string partitions:[int32]]
std::vector<TopicPartitions> ReadTopicPartitions(wire::Reader& in) {
  std::vector<TopicPartitions> topics;
  const int32_t count = in.ArrayCount();
  for (int32_t i = 0; i < count && in.ok(); ++i) {
    TopicPartitions& topic = topics.emplace_back();
    topic.name = in.String();
    const int32_t partitions = in.ArrayCount();
    for (int32_t p = 0; p < partitions && in.ok(); ++p) topic.partitions.push_back(in.Int32());
  }
  return topics;
}

void WriteTopicPartitions(wire::Writer& out, const std::vector<TopicPartitions>& topics) {
  out.Int32(static_cast<int32_t>(topics.size()));
  for (const TopicPartitions& topic : topics) {
    out.String(topic.name);
    out.Int32(static_cast<int32_t>(topic.partitions.size()));
    for (int32_t partition : topic.partitions) out.Int32(partition);
  }
}

// Reads the version header. Returns the version to parse with (at most the newest known).
int16_t ReadVersion(wire::Reader& in, int16_t* wire_version) {
  *wire_version = in.Int16();
  if (*wire_version < 0) in.Fail();
  return std::min(*wire_version, kConsumerProtocolMaxVersion);
}

absl::Status Malformed(std::string_view what, std::string_view bytes) {
  return MakeError(ErrorCode::kInvalidRequest,
                   fmt::format("malformed consumer protocol {} ({} bytes)", what, bytes.size()));
}

}  // namespace

absl::StatusOr<ConsumerSubscription> DecodeConsumerSubscription(std::string_view bytes) {
  wire::Reader in(bytes);
  ConsumerSubscription out;
  const int16_t version = ReadVersion(in, &out.version);
  const int32_t topics = in.ArrayCount();
  for (int32_t i = 0; i < topics && in.ok(); ++i) out.topics.push_back(in.String());
  out.user_data = ReadNullableBytes(in);
  if (version >= 1) out.owned_partitions = ReadTopicPartitions(in);
  if (version >= 2) out.generation_id = in.Int32();
  if (version >= 3) out.rack_id = in.NullableString();
  if (!in.ok()) return Malformed("subscription", bytes);
  return out;
}

absl::StatusOr<ConsumerAssignment> DecodeConsumerAssignment(std::string_view bytes) {
  wire::Reader in(bytes);
  ConsumerAssignment out;
  ReadVersion(in, &out.version);
  out.partitions = ReadTopicPartitions(in);
  out.user_data = ReadNullableBytes(in);
  if (!in.ok()) return Malformed("assignment", bytes);
  return out;
}

std::string EncodeConsumerSubscription(const ConsumerSubscription& subscription) {
  std::string bytes;
  wire::Writer out(&bytes);
  out.Int16(subscription.version);
  out.Int32(static_cast<int32_t>(subscription.topics.size()));
  for (const std::string& topic : subscription.topics) out.String(topic);
  WriteNullableBytes(out, subscription.user_data);
  if (subscription.version >= 1) WriteTopicPartitions(out, subscription.owned_partitions);
  if (subscription.version >= 2) out.Int32(subscription.generation_id);
  if (subscription.version >= 3) out.NullableString(subscription.rack_id);
  return bytes;
}

std::string EncodeConsumerAssignment(const ConsumerAssignment& assignment) {
  std::string bytes;
  wire::Writer out(&bytes);
  out.Int16(assignment.version);
  WriteTopicPartitions(out, assignment.partitions);
  WriteNullableBytes(out, assignment.user_data);
  return bytes;
}

}  // namespace brook
