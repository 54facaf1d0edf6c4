// bench/peers/peer_server.h: a broker run as a child process on loopback for `brook bench
// compare`: the peers (redis-server, nats-server) and brook itself (`brook serve`), so every
// system runs in its own process and the bench can read each server's CPU time (pid()).
//
//   absl::StatusOr<std::unique_ptr<PeerServer>> redis = PeerServer::StartRedis(RedisFsync::kEverySec);
//   if (!redis.ok()) ...;                 // e.g. "redis-server not found; install it with ..."
//   ConnectTo((*redis)->host(), (*redis)->port());
//   redis->reset();                       // stops the server, removes its temp dir
//
// Lifecycle: a Start* function makes a private temp dir, picks a free loopback port, starts the
// binary with its data (and log) in that dir, and returns once the server accepts TCP
// connections. The destructor sends SIGTERM (SIGKILL after 10 s), reaps the child and removes
// the dir. The child also gets SIGKILL if the thread that started it exits first
// (PR_SET_PDEATHSIG), so a killed bench leaves no server running: start servers from a thread
// that outlives them (e.g. main). Not copyable; not thread-safe (one owner).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/server_cpu.h"

namespace brook::bench {

// Redis's AOF fsync policy (appendfsync).
enum class RedisFsync { kEverySec, kAlways };

class PeerServer {
 public:
  // redis-server with `appendonly yes`, `appendfsync everysec|always`, no automatic AOF
  // rewrite (`auto-aof-rewrite-percentage 0`: a rewrite forks and copies the dataset whenever
  // the AOF doubles, which short benchmark runs would hit several times), no RDB snapshots
  // (`save ""`), no protected mode, bound to 127.0.0.1.
  // Errors: NOT_FOUND "redis-server not found; install it with apt-get install redis-server";
  // INTERNAL when the temp dir or the child cannot be made; UNAVAILABLE when the server exits or
  // does not accept connections within 10 s (the message quotes the end of its log).
  static absl::StatusOr<std::unique_ptr<PeerServer>> StartRedis(RedisFsync fsync);

  // nats-server with JetStream enabled (`-js`), its file store in the temp dir, bound to
  // 127.0.0.1. Errors: as StartRedis, naming nats-server.
  static absl::StatusOr<std::unique_ptr<PeerServer>> StartNatsJetStream();

  // `brook serve` (this very executable, /proc/self/exe) with its data in the temp dir, brook's
  // protocol on port() and the Kafka listener on kafka_port(), logging warnings only.
  // REQUIRES: the running executable is the brook binary. Errors: as StartRedis.
  static absl::StatusOr<std::unique_ptr<PeerServer>> StartBrook();

  // PostgreSQL (Debian's postgresql package, /usr/lib/postgresql/<version>/bin): a fresh
  // cluster that initdb makes in the temp dir (superuser "brook", trust authentication, TCP on
  // 127.0.0.1 only), fsync on, synchronous_commit on or off. When the bench runs as root the
  // cluster runs as the "postgres" system user, since PostgreSQL refuses to run as root.
  // Errors: as StartRedis, naming postgres and the postgresql package; initdb's failure.
  static absl::StatusOr<std::unique_ptr<PeerServer>> StartPostgres(bool synchronous_commit);

  ~PeerServer();
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  const std::string& name() const { return name_; }  // The binary, e.g. "redis-server".
  std::string host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  int kafka_port() const { return kafka_port_; }  // brook's Kafka listener; 0 for the peers.
  pid_t pid() const { return pid_; }               // The server process.
  const ServerCpu& cpu() const { return *cpu_; }    // Its CPU clock.

 private:
  // Starts `binary` (found on PATH, /usr/sbin or /usr/local/sbin; `package` is what provides
  // it) with the arguments `make_args(port, dir)` returns, in a fresh temp dir.
  using ArgsFn = std::function<std::vector<std::string>(int port, const std::filesystem::path& dir)>;
  static absl::StatusOr<std::unique_ptr<PeerServer>> Start(const std::string& binary,
                                                           const std::string& package,
                                                           ArgsFn make_args);
  // Who runs the server and what is done in its temp dir first.
  struct LaunchOptions {
    std::string user;  // A system user to run as when the bench runs as root ("": itself).
    // Runs in the temp dir (owned by `user`) before the server starts, e.g. initdb.
    std::function<absl::Status(const std::filesystem::path& dir)> prepare;
  };
  // Starts the executable `path` as Start does; `binary` names it in messages.
  static absl::StatusOr<std::unique_ptr<PeerServer>> Launch(const std::string& binary,
                                                            const std::filesystem::path& path,
                                                            ArgsFn make_args,
                                                            const LaunchOptions& options = {});
  PeerServer(std::string name, std::filesystem::path dir)
      : name_(std::move(name)), dir_(std::move(dir)) {}

  // Waits up to 10 s until the server accepts a connection on `port`. UNAVAILABLE when the
  // child exits first or the time runs out.
  absl::Status WaitUntilAccepting(int port);

  std::string name_;
  std::filesystem::path dir_;  // The temp dir: data and log.
  pid_t pid_ = -1;
  int port_ = 0;
  int kafka_port_ = 0;
  std::unique_ptr<ServerCpu> cpu_;
};

}  // namespace brook::bench
