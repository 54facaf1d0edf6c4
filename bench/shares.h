// bench/shares.h: splitting a workload's records among concurrent workers.
#pragma once

#include <cstdint>
#include <thread>
#include <vector>

namespace brook::bench {

// Runs work(worker, first, last) on `workers` threads at once, worker i getting the records
// [first, last) of its even share of [0, records), and returns when all have returned.
// REQUIRES: workers >= 1.
template <class Work>
void RunShares(int64_t records, int workers, const Work& work) {
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    const int64_t first = records * i / workers;
    const int64_t last = records * (i + 1) / workers;
    threads.emplace_back([&work, i, first, last] { work(i, first, last); });
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace brook::bench
