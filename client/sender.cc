#include "client/sender.h"

#include <algorithm>

#include "client/backoff.h"
#include "protocol/message_codec.h"
#include "protocol/messages.h"

namespace brook::client {

void Sender::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Sender::Join() {
  if (thread_.joinable()) thread_.join();
}

void Sender::Run() {
  const auto connected = [this] { return connection_->connected(); };
  for (;;) {
    RecordAccumulator::Work work = accumulator_->NextWork(connected);
    if (work.stop) return;
    if (work.connect) {
      Reconnect();
      continue;
    }
    if (!work.metadata_topics.empty()) SendMetadata(std::move(work.metadata_topics));
    if (work.init_producer_id) SendInitProducerId();
    if (!work.requests.empty()) SendAll(std::move(work.requests));
  }
}

void Sender::SendNow() {
  std::vector<RequestPlan> plans = accumulator_->TakeWork([this] { return connection_->connected(); });
  if (!plans.empty()) SendAll(std::move(plans));
}

void Sender::SendAll(std::vector<RequestPlan> plans) {
  for (RequestPlan& plan : plans) SendProduce(std::move(plan));
  accumulator_->DoneSending();
}

void Sender::Reconnect() {
  absl::Status status = connection_->Connect();
  if (status.ok()) {
    reconnect_attempts_ = 0;
    accumulator_->SetConnectError(absl::OkStatus());
    return;
  }
  accumulator_->SetConnectError(status);
  ++reconnect_attempts_;
  accumulator_->SleepUntil(Clock::now() + ExponentialBackoff(options_.retry_backoff,
                                                             options_.retry_backoff_max,
                                                             reconnect_attempts_));
}

void Sender::SendMetadata(std::vector<std::string> topics) {
  MetadataRequest request;
  request.topics = topics;
  connection_->CallAsync(request, options_.request_timeout,
                         [accumulator = accumulator_, topics = std::move(topics)](
                             absl::StatusOr<Reply<MetadataResponse>> reply) mutable {
                           accumulator->OnMetadata(std::move(topics), std::move(reply));
                         });
}

void Sender::SendInitProducerId() {
  connection_->CallAsync(InitProducerIdRequest{}, options_.request_timeout,
                         [accumulator = accumulator_](
                             absl::StatusOr<Reply<InitProducerIdResponse>> reply) mutable {
                           accumulator->OnProducerId(std::move(reply));
                         });
}

void Sender::SendProduce(RequestPlan plan) {
  // The plan's batches are in flight: this thread owns their bytes until the request is sent.
  for (PartitionPlan& part : plan.partitions) {
    for (ProducerBatch* batch : part.batches) {
      if (batch->bytes.empty()) {
        batch->bytes = batch->builder.Finish(batch->stamp);
        batch->builder = RecordBatchBuilder(options_.compression);  // Frees the buffer.
      } else if (batch->written != batch->stamp) {  // A retry stamped anew (a new producer id).
        StampProducer(batch->bytes, batch->stamp);
      }
      batch->written = batch->stamp;
    }
  }
  ProduceRequest request;
  request.acks = options_.acks;
  request.timeout_ms = static_cast<int32_t>(options_.request_timeout.count());
  std::vector<std::string> joined;  // Record sets of partitions with several batches.
  joined.reserve(plan.partitions.size());
  for (const PartitionPlan& part : plan.partitions) {
    const std::string& topic = part.queue->topic->name;
    auto it = std::find_if(request.topics.begin(), request.topics.end(),
                           [&](const ProduceRequest::Topic& t) { return t.name == topic; });
    if (it == request.topics.end()) {
      request.topics.push_back({topic, {}});
      it = request.topics.end() - 1;
    }
    std::string_view records;
    if (part.batches.size() == 1) {
      records = part.batches.front()->bytes;
    } else {
      std::string& all = joined.emplace_back();
      for (const ProducerBatch* batch : part.batches) all += batch->bytes;
      records = all;
    }
    it->partitions.push_back({part.queue->partition, records});
  }
  const int16_t version = connection_->VersionFor(ApiKey::kProduce, ProduceRequest::kMaxVersion);
  if (version == Connection::kNotServed) {
    accumulator_->OnProduceResponse(
        std::move(plan), connection_->NotServed(ApiKey::kProduce, ProduceRequest::kMaxVersion));
    return;
  }
  std::string body;
  EncodeMessage(request, version, &body);
  if (options_.acks == kAcksNone) {
    connection_->SendOneWay(
        ApiKey::kProduce, version, std::move(body),
        [accumulator = accumulator_, plan = std::move(plan)](absl::Status status) mutable {
          accumulator->OnWritten(std::move(plan), std::move(status));
        });
    return;
  }
  connection_->Send(ApiKey::kProduce, version, std::move(body), options_.request_timeout,
                    [accumulator = accumulator_, plan = std::move(plan),
                     version](absl::StatusOr<RawResponse> raw) mutable {
                      accumulator->OnProduceResponse(std::move(plan),
                                                     Connection::DecodeReply<ProduceResponse>(
                                                         std::move(raw), version, "Produce"));
                    });
}

}  // namespace brook::client
