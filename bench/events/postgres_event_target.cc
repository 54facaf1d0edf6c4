// EventTarget over PostgreSQL (libpq), as the usual event-sourcing tutorials build the store:
//
//   events(position bigserial primary key, stream text, revision bigint, type text,
//          data jsonb, created_at timestamptz, unique (stream, revision))
//
// An append is ONE statement, so one transaction and one round trip (the cheapest form of
// "SELECT max(revision), then INSERT, in one transaction"): it inserts the events only if the
// stream's last revision is the expected one, and the unique index refuses a racing writer's
// duplicate revision. Statements are prepared once per connection.
#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <tuple>

#include "bench/events/event_target.h"
#include "fmt/format.h"

namespace brook::bench {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events (
  position   bigserial PRIMARY KEY,
  stream     text NOT NULL,
  revision   bigint NOT NULL,
  type       text NOT NULL,
  data       jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream, revision)
))sql";

constexpr const char* kAppend = R"sql(
INSERT INTO events (stream, revision, type, data)
SELECT $1, r, 'Deposited', $3::jsonb FROM generate_series($2::bigint + 1, $2::bigint + $4::int) r
WHERE coalesce((SELECT max(revision) FROM events WHERE stream = $1), -1) = $2::bigint)sql";
constexpr const char* kReadStream =
    "SELECT revision, type, data FROM events WHERE stream = $1 ORDER BY revision LIMIT $2";
constexpr const char* kReadAll =
    "SELECT position, stream, revision, type, data FROM events WHERE position > $1 "
    "ORDER BY position LIMIT $2";

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

absl::StatusOr<Connection> Connect(const std::string& host, int port) {
  Connection conn(
      PQconnectdb(fmt::format("host={} port={} user=brook dbname=postgres", host, port).c_str()),
      &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(
        fmt::format("cannot connect to PostgreSQL at {}:{}: {}", host, port,
                    PQerrorMessage(conn.get())));
  }
  return conn;
}

// An error for a result that is not `expected`.
absl::Status Check(PGconn* conn, const Result& result, ExecStatusType expected,
                   std::string_view what) {
  if (PQresultStatus(result.get()) == expected) return absl::OkStatus();
  return absl::InternalError(fmt::format("PostgreSQL {}: {}", what, PQerrorMessage(conn)));
}

class PostgresEventTarget final : public EventTarget {
 public:
  explicit PostgresEventTarget(Connection conn) : conn_(std::move(conn)) {}

  absl::Status Prepare() {
    for (const auto& [name, sql, params] :
         {std::tuple{"append", kAppend, 4}, {"read_stream", kReadStream, 2},
          {"read_all", kReadAll, 2}}) {
      Result prepared(PQprepare(conn_.get(), name, sql, params, nullptr), &PQclear);
      if (absl::Status s = Check(conn_.get(), prepared, PGRES_COMMAND_OK, "prepare"); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status Append(std::string_view stream, int64_t expected, int count,
                      std::string_view data) override {
    const std::string stream_text(stream), expected_text = std::to_string(expected),
        data_text(data), count_text = std::to_string(count);
    const char* values[] = {stream_text.c_str(), expected_text.c_str(), data_text.c_str(),
                            count_text.c_str()};
    Result result(PQexecPrepared(conn_.get(), "append", 4, values, nullptr, nullptr, 0), &PQclear);
    if (absl::Status s = Check(conn_.get(), result, PGRES_COMMAND_OK, "append"); !s.ok()) {
      return s;
    }
    if (std::string(PQcmdTuples(result.get())) != count_text) {
      return absl::FailedPreconditionError(
          fmt::format("stream '{}' is not at revision {}", stream, expected));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int> ReadStream(std::string_view stream, int limit) override {
    const std::string stream_text(stream), limit_text = std::to_string(limit);
    const char* values[] = {stream_text.c_str(), limit_text.c_str()};
    Result result(PQexecPrepared(conn_.get(), "read_stream", 2, values, nullptr, nullptr, 0),
                  &PQclear);
    if (absl::Status s = Check(conn_.get(), result, PGRES_TUPLES_OK, "read"); !s.ok()) return s;
    return PQntuples(result.get());
  }

  absl::StatusOr<int> ReadAll(int64_t* cursor, int limit) override {
    const std::string from = std::to_string(*cursor), limit_text = std::to_string(limit);
    const char* values[] = {from.c_str(), limit_text.c_str()};
    Result result(PQexecPrepared(conn_.get(), "read_all", 2, values, nullptr, nullptr, 0),
                  &PQclear);
    if (absl::Status s = Check(conn_.get(), result, PGRES_TUPLES_OK, "read"); !s.ok()) return s;
    const int rows = PQntuples(result.get());
    if (rows > 0) *cursor = std::stoll(PQgetvalue(result.get(), rows - 1, 0));
    return rows;
  }

 private:
  Connection conn_;
};

}  // namespace

absl::Status CreatePostgresSchema(const std::string& host, int port) {
  // A fresh server accepts connections before it lets them in ("the database system is
  // starting up"): retry for a while.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  absl::StatusOr<Connection> conn = Connect(host, port);
  while (!conn.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    conn = Connect(host, port);
  }
  if (!conn.ok()) return conn.status();
  Result created(PQexec(conn->get(), kSchema), &PQclear);
  return Check(conn->get(), created, PGRES_COMMAND_OK, "create table");
}

absl::StatusOr<std::unique_ptr<EventTarget>> ConnectPostgres(const std::string& host, int port) {
  absl::StatusOr<Connection> conn = Connect(host, port);
  if (!conn.ok()) return conn.status();
  auto target = std::make_unique<PostgresEventTarget>(*std::move(conn));
  if (absl::Status s = target->Prepare(); !s.ok()) return s;
  return target;
}

}  // namespace brook::bench
