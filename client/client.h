// client/client.h: brook's C++ client library: the folder's contract, and its public headers.
//
// What it is: the library applications link (target brook_client) to talk to a brook broker
// over its native protocol (docs/protocol.md):
//   Producer   (producer.h)    batches records per partition and sends them, with retries;
//   Consumer   (consumer.h)    reads assigned partitions with pipelined long-poll fetches, or
//                              joins a consumer group and commits its offsets;
//   Admin      (admin.h)       creates, deletes, lists and describes topics, finds offsets;
//   RecordProcessor (record_processor.h) a group's process loop with retries, backoff and
//                              dead-lettering (RetryPolicy, retry_policy.h);
//   Murmur2, PartitionForKey (protocol/partitioner.h): Kafka-compatible key -> partition
//   mapping, shared with the broker.
// Each of the three owns one TCP connection (client/connection.h) with its own I/O thread.
//
// Dependencies: protocol/ (wire formats), abseil (Status), fmt, and Boost.Asio, which is
// header-only and kept out of every public header (pimpl), so code that includes these
// headers compiles without Asio. client/ never includes storage/ or broker/.
//
// Errors: every fallible call returns absl::Status / absl::StatusOr carrying a wire ErrorCode
// (protocol/error_codes.h; read it with brook::CodeOf). Nothing throws.
//
// Internal headers (not included here): connection.h, record_accumulator.h,
// sender.h, fetch_decoder.h, fetch_slot.h, sync.h, consumer_impl.h, group_member.h,
// group_assignment.h, offset_committer.h.
#pragma once

#include "client/admin.h"
#include "client/consumer.h"
#include "client/consumer_record.h"
#include "client/event_store.h"
#include "client/producer.h"
#include "client/producer_record.h"
#include "client/record_processor.h"
#include "client/retry_policy.h"
#include "protocol/partitioner.h"
