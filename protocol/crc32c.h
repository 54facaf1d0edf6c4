// protocol/crc32c.h: CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise; both give the
// same result. Thread-safe (pure function). Debian 12 ships no C++ CRC-32C library, so this
// small function is ours.
#pragma once

#include <cstdint>
#include <string_view>

namespace brook {

// Extends `crc` (0 to start) over `data` and returns the new CRC-32C.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace brook
