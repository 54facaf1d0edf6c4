// bench/server_cpu.h: the CPU time a broker process spends, so a benchmark can report what each
// record cost the broker (microseconds of CPU per record) beside its throughput; and a wait
// for the whole machine to be idle between a benchmark's phases.
//
//   ServerCpu cpu(server_pid);                 // e.g. `brook serve` started by the bench
//   CpuInterval interval(&cpu);                // when the workload's clock starts
//   ...                                        // the timed part
//   double seconds = interval.Seconds();       // when it stops: broker CPU in between
//
// The figure is the process's CPU clock (clock_getcpuclockid): user + system time of all its
// threads, live and exited, in nanoseconds. It covers everything the broker did in the interval,
// background work included (RocksDB flushes, the WAL syncer), which is what a record costs.
// So that one run's leftover background work (a memtable flush after filling a topic, the
// compaction of a deleted one) is not counted in the next, workloads wait until the server is
// idle (WaitUntilIdle) before they start the clients of the timed part.
// Thread-safety: both classes are immutable after construction; Seconds() is safe from any
// thread.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <time.h>

namespace brook::bench {

// The CPU clock of another process on this machine.
class ServerCpu {
 public:
  // REQUIRES: `pid` is a process of this machine that outlives this object.
  explicit ServerCpu(pid_t pid);
  // CPU seconds the process has used since it started; -1 when its clock cannot be read (no
  // such process, or the kernel refuses).
  double Seconds() const;
  // Returns once the process used less than 10% of a core over 50 ms, or after 2 s.
  void WaitUntilIdle() const;

 private:
  clockid_t clock_{};
  bool valid_ = false;
};

// Returns once the whole machine (every process, /proc/stat) used less than a fifth of one
// CPU over 200 ms, or after `at_most` (saying so on stderr): so that what one phase of a
// benchmark left running (compactions, a database's autovacuum) does not run during the next.
void WaitUntilMachineIdle(std::chrono::milliseconds at_most);

// Waits until the server `cpu` measures is idle (ServerCpu::WaitUntilIdle); null: returns at once.
inline void WaitUntilServerIdle(const ServerCpu* cpu) {
  if (cpu != nullptr) cpu->WaitUntilIdle();
}

// The CPU time a server spends from construction to each call of Seconds().
class CpuInterval {
 public:
  // `cpu` null: nothing is measured (Seconds() returns -1).
  explicit CpuInterval(const ServerCpu* cpu) : cpu_(cpu), start_(cpu ? cpu->Seconds() : -1) {}
  // Server CPU seconds since construction; -1 when not measured or unreadable.
  double Seconds() const;

 private:
  const ServerCpu* cpu_;
  double start_;
};

}  // namespace brook::bench
