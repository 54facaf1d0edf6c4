#include "protocol/messages.h"

namespace brook {

std::string_view ApiName(ApiKey key) {
  switch (key) {
    case ApiKey::kProduce:
      return "Produce";
    case ApiKey::kFetch:
      return "Fetch";
    case ApiKey::kListOffsets:
      return "ListOffsets";
    case ApiKey::kMetadata:
      return "Metadata";
    case ApiKey::kOffsetCommit:
      return "OffsetCommit";
    case ApiKey::kOffsetFetch:
      return "OffsetFetch";
    case ApiKey::kJoinGroup:
      return "JoinGroup";
    case ApiKey::kHeartbeat:
      return "Heartbeat";
    case ApiKey::kLeaveGroup:
      return "LeaveGroup";
    case ApiKey::kDescribeGroups:
      return "DescribeGroups";
    case ApiKey::kListGroups:
      return "ListGroups";
    case ApiKey::kDeleteGroups:
      return "DeleteGroups";
    case ApiKey::kAlterConfigs:
      return "AlterConfigs";
    case ApiKey::kCompactTopic:
      return "CompactTopic";
    case ApiKey::kDeadLetter:
      return "DeadLetter";
    case ApiKey::kReplayDeadLetters:
      return "ReplayDeadLetters";
    case ApiKey::kDeadLetterStats:
      return "DeadLetterStats";
    case ApiKey::kResetBroker:
      return "ResetBroker";
    case ApiKey::kClock:
      return "Clock";
    case ApiKey::kFaultAdd:
      return "FaultAdd";
    case ApiKey::kFaultList:
      return "FaultList";
    case ApiKey::kFaultClear:
      return "FaultClear";
    case ApiKey::kApiVersions:
      return "ApiVersions";
    case ApiKey::kCreateTopics:
      return "CreateTopics";
    case ApiKey::kDeleteTopics:
      return "DeleteTopics";
    case ApiKey::kDeleteRecords:
      return "DeleteRecords";
    case ApiKey::kCreatePartitions:
      return "CreatePartitions";
    case ApiKey::kOffsetDelete:
      return "OffsetDelete";
    case ApiKey::kInitProducerId:
      return "InitProducerId";
    case ApiKey::kEventAppend:
      return "EventAppend";
    case ApiKey::kEventRead:
      return "EventRead";
    case ApiKey::kEventSnapshotSave:
      return "EventSnapshotSave";
    case ApiKey::kEventSnapshotLoad:
      return "EventSnapshotLoad";
    case ApiKey::kEventStreamDelete:
      return "EventStreamDelete";
    case ApiKey::kEventCheckpoint:
      return "EventCheckpoint";
  }
  return "Unknown";
}

}  // namespace brook
