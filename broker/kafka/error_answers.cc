#include "broker/kafka/error_answers.h"

#include <type_traits>

#include "fmt/format.h"

namespace brook::kafka_listener {
namespace {

// A request's partition entry is an index, or a struct naming it one of three ways.
template <class P>
int32_t IndexOf(const P& p) {
  if constexpr (std::is_same_v<P, int32_t>) {
    return p;
  } else if constexpr (requires { p.partition_index; }) {
    return p.partition_index;
  } else if constexpr (requires { p.index; }) {
    return p.index;
  } else {
    return p.partition;
  }
}

template <class P>
void SetIndex(P& p, int32_t index) {
  if constexpr (requires { p.partition_index; }) {
    p.partition_index = index;
  } else if constexpr (requires { p.index; }) {
    p.index = index;
  } else {
    p.partition = index;
  }
}

// The request's topics and partitions, each partition answering `code`.
template <class Topic, class RequestTopic>
std::vector<Topic> EveryPartition(const std::vector<RequestTopic>& topics, ErrorCode code) {
  std::vector<Topic> out;
  for (const RequestTopic& topic : topics) {
    Topic& t = out.emplace_back();
    t.name = topic.name;
    for (const auto& partition : topic.partitions) {
      auto& p = t.partitions.emplace_back();
      SetIndex(p, IndexOf(partition));
      p.error_code = code;
    }
  }
  return out;
}

// The response's list of topics (or of resources): named `responses`, `topics` or `results`.
template <class Response>
auto& EntriesOf(Response& response) {
  if constexpr (requires { response.responses; }) {
    return response.responses;
  } else if constexpr (requires { response.topics; }) {
    return response.topics;
  } else {
    return response.results;
  }
}

template <class Response, class Request>
Response PerPartition(const Request& r, ErrorCode code) {
  Response response;
  auto& topics = EntriesOf(response);
  topics = EveryPartition<typename std::decay_t<decltype(topics)>::value_type>(r.topics, code);
  return response;
}

// One result per named entry (topic, resource or group), each with `code`.
template <class Result, class Names, class Fill>
std::vector<Result> EachNamed(const Names& names, Fill fill) {
  std::vector<Result> out;
  for (const auto& name : names) fill(out.emplace_back(), name);
  return out;
}

template <class Response>
Response TopLevel(ErrorCode code) {
  Response response;
  response.error_code = code;
  return response;
}

template <class Response, class Request>
Response PerResource(const Request& r, ErrorCode code) {
  Response response;
  auto& results = EntriesOf(response);
  using Result = typename std::decay_t<decltype(results)>::value_type;
  results = EachNamed<Result>(r.resources, [&](Result& out, const auto& resource) {
    out.error_code = code;
    out.error_message = std::string(ErrorName(code));
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
  });
  return response;
}

}  // namespace

kafka::ProduceResponse ErrorAnswer(const KafkaContext&, const kafka::ProduceRequest& r, int16_t,
                                   ErrorCode code) {
  return PerPartition<kafka::ProduceResponse>(r, code);
}

kafka::FetchResponse ErrorAnswer(const KafkaContext&, const kafka::FetchRequest& r, int16_t,
                                 ErrorCode code) {
  return PerPartition<kafka::FetchResponse>(r, code);
}

kafka::ListOffsetsResponse ErrorAnswer(const KafkaContext&, const kafka::ListOffsetsRequest& r,
                                       int16_t, ErrorCode code) {
  return PerPartition<kafka::ListOffsetsResponse>(r, code);
}

kafka::OffsetCommitResponse ErrorAnswer(const KafkaContext&, const kafka::OffsetCommitRequest& r,
                                        int16_t, ErrorCode code) {
  return PerPartition<kafka::OffsetCommitResponse>(r, code);
}

kafka::DeleteRecordsResponse ErrorAnswer(const KafkaContext&,
                                         const kafka::DeleteRecordsRequest& r, int16_t,
                                         ErrorCode code) {
  return PerPartition<kafka::DeleteRecordsResponse>(r, code);
}

kafka::OffsetForLeaderEpochResponse ErrorAnswer(const KafkaContext&,
                                                const kafka::OffsetForLeaderEpochRequest& r,
                                                int16_t, ErrorCode code) {
  return PerPartition<kafka::OffsetForLeaderEpochResponse>(r, code);
}

kafka::DescribeProducersResponse ErrorAnswer(const KafkaContext&,
                                             const kafka::DescribeProducersRequest& r, int16_t,
                                             ErrorCode code) {
  return PerPartition<kafka::DescribeProducersResponse>(r, code);
}

kafka::MetadataResponse ErrorAnswer(const KafkaContext& ctx, const kafka::MetadataRequest& r,
                                    int16_t, ErrorCode code) {
  kafka::MetadataResponse response;
  response.brokers.push_back({ctx.node.node_id, ctx.node.host, ctx.node.port, std::nullopt});
  response.cluster_id = ctx.node.cluster_id;
  response.controller_id = ctx.node.node_id;
  if (r.topics) {
    using Topic = kafka::MetadataResponse::Topic;
    response.topics = EachNamed<Topic>(*r.topics, [&](Topic& out, const auto& wanted) {
      out.name = wanted.name;
      out.topic_id = wanted.topic_id;
      out.error_code = code;
    });
  }
  return response;
}

kafka::OffsetFetchResponse ErrorAnswer(const KafkaContext&, const kafka::OffsetFetchRequest& r,
                                       int16_t, ErrorCode code) {
  using Topic = kafka::OffsetFetchResponse::Topic;
  kafka::OffsetFetchResponse response;
  response.error_code = code;
  if (r.topics) response.topics = EveryPartition<Topic>(*r.topics, code);
  using Group = kafka::OffsetFetchResponse::Group;
  response.groups = EachNamed<Group>(r.groups, [&](Group& out, const auto& group) {
    out.group_id = group.group_id;
    out.error_code = code;
    if (group.topics) out.topics = EveryPartition<Topic>(*group.topics, code);
  });
  return response;
}

kafka::FindCoordinatorResponse ErrorAnswer(const KafkaContext&,
                                           const kafka::FindCoordinatorRequest& r, int16_t,
                                           ErrorCode code) {
  kafka::FindCoordinatorResponse response;
  const std::string message(ErrorName(code));
  response.error_code = code;
  response.error_message = message;
  response.node_id = -1;
  response.port = -1;
  using Coordinator = kafka::FindCoordinatorResponse::Coordinator;
  response.coordinators =
      EachNamed<Coordinator>(r.coordinator_keys, [&](Coordinator& out, const std::string& key) {
        out = {key, -1, "", -1, code, message};
      });
  return response;
}

kafka::JoinGroupResponse ErrorAnswer(const KafkaContext&, const kafka::JoinGroupRequest& r,
                                     int16_t version, ErrorCode code) {
  kafka::JoinGroupResponse response;
  response.error_code = code;
  response.member_id = r.member_id;
  if (version < 7) response.protocol_name = "";  // Nullable from version 7 only.
  return response;
}

kafka::HeartbeatResponse ErrorAnswer(const KafkaContext&, const kafka::HeartbeatRequest&,
                                     int16_t, ErrorCode code) {
  return TopLevel<kafka::HeartbeatResponse>(code);
}

kafka::SyncGroupResponse ErrorAnswer(const KafkaContext&, const kafka::SyncGroupRequest&, int16_t,
                                     ErrorCode code) {
  return TopLevel<kafka::SyncGroupResponse>(code);
}

kafka::LeaveGroupResponse ErrorAnswer(const KafkaContext&, const kafka::LeaveGroupRequest&,
                                      int16_t, ErrorCode code) {
  return TopLevel<kafka::LeaveGroupResponse>(code);
}

kafka::ListGroupsResponse ErrorAnswer(const KafkaContext&, const kafka::ListGroupsRequest&,
                                      int16_t, ErrorCode code) {
  return TopLevel<kafka::ListGroupsResponse>(code);
}

kafka::ApiVersionsResponse ErrorAnswer(const KafkaContext&, const kafka::ApiVersionsRequest&,
                                       int16_t, ErrorCode code) {
  return TopLevel<kafka::ApiVersionsResponse>(code);
}

kafka::InitProducerIdResponse ErrorAnswer(const KafkaContext&,
                                          const kafka::InitProducerIdRequest&, int16_t,
                                          ErrorCode code) {
  return TopLevel<kafka::InitProducerIdResponse>(code);
}

kafka::DescribeClusterResponse ErrorAnswer(const KafkaContext&,
                                           const kafka::DescribeClusterRequest& r, int16_t,
                                           ErrorCode code) {
  kafka::DescribeClusterResponse response = TopLevel<kafka::DescribeClusterResponse>(code);
  response.error_message = std::string(ErrorName(code));
  response.endpoint_type = r.endpoint_type;
  return response;
}

kafka::OffsetDeleteResponse ErrorAnswer(const KafkaContext&, const kafka::OffsetDeleteRequest& r,
                                        int16_t, ErrorCode code) {
  kafka::OffsetDeleteResponse response = PerPartition<kafka::OffsetDeleteResponse>(r, code);
  response.error_code = code;
  return response;
}

kafka::DescribeGroupsResponse ErrorAnswer(const KafkaContext&,
                                          const kafka::DescribeGroupsRequest& r, int16_t,
                                          ErrorCode code) {
  using Group = kafka::DescribeGroupsResponse::Group;
  kafka::DescribeGroupsResponse response;
  response.groups = EachNamed<Group>(r.groups, [&](Group& out, const std::string& group) {
    out.group_id = group;
    out.error_code = code;
  });
  return response;
}

kafka::DeleteGroupsResponse ErrorAnswer(const KafkaContext&, const kafka::DeleteGroupsRequest& r,
                                        int16_t, ErrorCode code) {
  using Result = kafka::DeleteGroupsResponse::Result;
  kafka::DeleteGroupsResponse response;
  response.results = EachNamed<Result>(r.groups_names, [&](Result& out, const std::string& group) {
    out = {group, code};
  });
  return response;
}

kafka::CreateTopicsResponse ErrorAnswer(const KafkaContext&, const kafka::CreateTopicsRequest& r,
                                        int16_t, ErrorCode code) {
  using Topic = kafka::CreateTopicsResponse::Topic;
  kafka::CreateTopicsResponse response;
  response.topics = EachNamed<Topic>(r.topics, [&](Topic& out, const auto& topic) {
    out.name = topic.name;
    out.error_code = code;
    out.error_message = std::string(ErrorName(code));
  });
  return response;
}

kafka::DeleteTopicsResponse ErrorAnswer(const KafkaContext&, const kafka::DeleteTopicsRequest& r,
                                        int16_t, ErrorCode code) {
  using Result = kafka::DeleteTopicsResponse::Result;
  kafka::DeleteTopicsResponse response;
  auto fill = [&](Result& out, const auto& topic) {
    if constexpr (std::is_same_v<std::decay_t<decltype(topic)>, std::string>) {
      out.name = topic;
    } else {
      out.name = topic.name;
      out.topic_id = topic.topic_id;
    }
    out.error_code = code;
    out.error_message = std::string(ErrorName(code));
  };
  response.responses = EachNamed<Result>(r.topic_names, fill);
  for (Result& result : EachNamed<Result>(r.topics, fill)) {
    response.responses.push_back(std::move(result));
  }
  return response;
}

kafka::CreatePartitionsResponse ErrorAnswer(const KafkaContext&,
                                            const kafka::CreatePartitionsRequest& r, int16_t,
                                            ErrorCode code) {
  using Result = kafka::CreatePartitionsResponse::Result;
  kafka::CreatePartitionsResponse response;
  response.results = EachNamed<Result>(r.topics, [&](Result& out, const auto& topic) {
    out = {topic.name, code, std::string(ErrorName(code))};
  });
  return response;
}

kafka::DescribeConfigsResponse ErrorAnswer(const KafkaContext&,
                                           const kafka::DescribeConfigsRequest& r, int16_t,
                                           ErrorCode code) {
  return PerResource<kafka::DescribeConfigsResponse>(r, code);
}

kafka::AlterConfigsResponse ErrorAnswer(const KafkaContext&, const kafka::AlterConfigsRequest& r,
                                        int16_t, ErrorCode code) {
  return PerResource<kafka::AlterConfigsResponse>(r, code);
}

kafka::IncrementalAlterConfigsResponse ErrorAnswer(
    const KafkaContext&, const kafka::IncrementalAlterConfigsRequest& r, int16_t,
    ErrorCode code) {
  return PerResource<kafka::IncrementalAlterConfigsResponse>(r, code);
}

}  // namespace brook::kafka_listener
