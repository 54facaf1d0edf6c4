// Fuzzes the Kafka listener's decoding on arbitrary bytes: the input is one request payload as
// the broker would receive it (header and body). The header goes through ParseRequestHeader
// and, when flexible, SkipHeaderTags; the body is decoded as every Kafka request type at the
// header's version (mod 16), flexible versions included, whatever its api_key, for coverage;
// MessageSets and record batches in Produce requests go through the converters.
//
// Properties beyond "no crash, no sanitizer report": a decoded request re-encodes to bytes that
// decode again and re-encode identically (the canonical form is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/kafka/codec.h"
#include "protocol/kafka/header.h"
#include "protocol/kafka/message_set.h"
#include "protocol/kafka/messages/api_versions.h"
#include "protocol/kafka/messages/cluster.h"
#include "protocol/kafka/messages/configs.h"
#include "protocol/kafka/messages/delete_records.h"
#include "protocol/kafka/messages/fetch.h"
#include "protocol/kafka/messages/find_coordinator.h"
#include "protocol/kafka/messages/groups.h"
#include "protocol/kafka/messages/list_offsets.h"
#include "protocol/kafka/messages/metadata.h"
#include "protocol/kafka/messages/offsets.h"
#include "protocol/kafka/messages/produce.h"
#include "protocol/kafka/messages/producers.h"
#include "protocol/kafka/messages/topics.h"

namespace brook::kafka {
namespace {

void Require(bool condition) {
  if (!condition) std::abort();
}

template <class M>
void DecodeAs(std::string_view body, int16_t version) {
  absl::StatusOr<M> decoded = Decode<M>(body, version);
  if (!decoded.ok()) {
    Require(CodeOf(decoded.status()) == ErrorCode::kInvalidRequest);
    return;
  }
  std::string once;
  Encode(*decoded, version, &once);
  absl::StatusOr<M> again = Decode<M>(once, version);
  Require(again.ok());
  std::string twice;
  Encode(*again, version, &twice);
  Require(once == twice);
  if constexpr (std::is_same_v<M, ProduceRequest>) {
    for (const auto& topic : decoded->topics) {
      for (const auto& partition : topic.partitions) {
        std::string_view records = partition.records.value_or(std::string_view());
        (void)MessageSetToBatch(records, 0);
        std::string legacy;
        (void)BatchesToMessageSet(records, 1, &legacy);
      }
    }
  }
}

template <class... Requests>
void DecodeAsEach(std::string_view body, int16_t version) {
  (DecodeAs<Requests>(body, version), ...);
}

}  // namespace
}  // namespace brook::kafka

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace brook::kafka;
  std::string_view payload(reinterpret_cast<const char*>(data), size);
  std::string_view rest;
  absl::StatusOr<RequestHeader> header = ParseRequestHeader(payload, &rest);
  if (!header.ok()) return 0;
  const int16_t version = static_cast<int16_t>(header->api_version & 15);
  std::string_view tagged = rest;
  (void)SkipHeaderTags(&tagged);
  for (std::string_view body : {rest, tagged}) {
    DecodeAsEach<ApiVersionsRequest, MetadataRequest, ProduceRequest, FetchRequest,
                 ListOffsetsRequest, OffsetForLeaderEpochRequest, FindCoordinatorRequest,
                 CreateTopicsRequest, DeleteTopicsRequest, CreatePartitionsRequest,
                 DeleteRecordsRequest, DescribeConfigsRequest,
                 AlterConfigsRequest, IncrementalAlterConfigsRequest, DescribeClusterRequest,
                 JoinGroupRequest, SyncGroupRequest, HeartbeatRequest, LeaveGroupRequest,
                 DescribeGroupsRequest, ListGroupsRequest, DeleteGroupsRequest,
                 OffsetCommitRequest, OffsetFetchRequest, OffsetDeleteRequest,
                 InitProducerIdRequest, DescribeProducersRequest>(
        body, version);
  }
  return 0;
}
