// tests/support/batches.h: small helpers to build record batches in tests.
#pragma once

#include <string>
#include <vector>

#include "protocol/record_batch.h"

namespace brook::testing {

// One batch holding `values` (keyed "k<i>" when `keyed`), timestamps from `first_ts` upward.
inline std::string MakeBatch(const std::vector<std::string>& values, int64_t first_ts = 1000,
                             bool keyed = true) {
  RecordBatchBuilder builder;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string key = "k" + std::to_string(i);
    builder.Append(first_ts + static_cast<int64_t>(i),
                   keyed ? std::optional<std::string_view>(key) : std::nullopt, values[i]);
  }
  return builder.Finish();
}

// The values of every record in a record set, in order.
inline std::vector<std::string> ValuesOf(std::string_view record_set) {
  std::vector<std::string> values;
  auto batches = SplitBatches(record_set);
  if (!batches.ok()) return values;
  for (std::string_view batch : *batches) {
    std::string scratch;
    std::vector<RecordView> records;
    if (!DecodeRecords(batch, &scratch, &records).ok()) return values;
    for (const RecordView& r : records) values.emplace_back(r.value.value_or("<null>"));
  }
  return values;
}

}  // namespace brook::testing
