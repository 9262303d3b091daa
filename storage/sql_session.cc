#include "storage/sql_session.h"

#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "soci/postgresql/soci-postgresql.h"
#include "soci/soci.h"
#include "soci/sqlite3/soci-sqlite3.h"
#include "storage/sql_errors.h"

namespace fifo {
namespace storage_internal {
namespace {

void IgnoreNotice(void*, const char*) {}

// Server-side liveness of this session's client (see
// LedgerStore::MarkAbandonedRuns): the backend of a client whose host died
// or was cut off ends within about 30 s (keepalive probes after 10 s idle,
// 3 of them 5 s apart; data unacknowledged for 25 s), so that the session
// advisory lock of a run it held is released in bounded time rather than
// after the kernel's 2 h default; and a backend busy in a statement checks
// every 5 s that its client is still there (a killed process's socket is
// closed by its kernel) instead of finishing the statement first. All are
// user-settable; each is set on its own, best effort, the newer ones only
// where the server knows them (tcp_user_timeout 12, the check interval 14).
// Over a Unix socket PostgreSQL accepts and ignores the TCP ones.
void SetPgLiveness(PGconn* conn) {
  std::vector<const char*> settings = {"SET tcp_keepalives_idle = 10",
                                       "SET tcp_keepalives_interval = 5",
                                       "SET tcp_keepalives_count = 3"};
  const int version = PQserverVersion(conn);
  if (version >= 120000) settings.push_back("SET tcp_user_timeout = 25000");
  if (version >= 140000) {
    settings.push_back("SET client_connection_check_interval = 5000");
  }
  for (const char* sql : settings) PQclear(PQexec(conn, sql));
}

void BindParams(soci::statement& st, std::vector<Param>& params,
                std::vector<soci::indicator>& indicators) {
  indicators.assign(params.size(), soci::i_ok);
  for (size_t i = 0; i < params.size(); ++i) {
    Param& p = params[i];
    switch (p.kind) {
      case Param::Kind::kText:
        st.exchange(soci::use(p.text, indicators[i]));
        break;
      case Param::Kind::kInt:
        st.exchange(soci::use(p.integer));
        break;
      case Param::Kind::kNull:
        indicators[i] = soci::i_null;
        st.exchange(soci::use(p.text, indicators[i]));
        break;
    }
  }
}

}  // namespace

// ------------------------------------------------------------- Param ----

Param Param::Text(std::string value) {
  Param p;
  p.kind = Kind::kText;
  p.text = std::move(value);
  return p;
}

Param Param::Int(int64_t value) {
  Param p;
  p.kind = Kind::kInt;
  p.integer = value;
  return p;
}

Param Param::Null() { return Param(); }

Param Param::OptText(const std::optional<std::string>& value) {
  return value.has_value() ? Text(*value) : Null();
}

// -------------------------------------------------------- SqlSession ----

SqlSession::SqlSession(Dialect dialect, std::string password)
    : SqlDialect(dialect), password_(std::move(password)) {}

SqlSession::~SqlSession() {
  if (in_transaction_) Rollback();
  insert_cache_.reset();  // before session_ closes the connection
}

absl::StatusOr<std::unique_ptr<SqlSession>> SqlSession::Open(
    const StoreUrl& url) {
  std::unique_ptr<SqlSession> s(new SqlSession(url.dialect, url.password));
  try {
    if (url.dialect == Dialect::kSqlite) {
      s->session_ = std::make_unique<soci::session>(
          soci::sqlite3, absl::StrCat("dbname=\"", url.sqlite_path, "\""));
    } else {
      s->session_ =
          std::make_unique<soci::session>(soci::postgresql, url.pg_conninfo);
      PQsetNoticeProcessor(s->pg_connection(), &IgnoreNotice, nullptr);
      SetPgLiveness(s->pg_connection());
    }
  } catch (const std::exception& e) {
    absl::Status st = s->FromException("open", e);
    return absl::UnavailableError(absl::StrCat(
        "cannot open the store ", url.redacted, ": ", st.message()));
  }
  if (url.dialect == Dialect::kSqlite) {
    s->SetBusyTimeoutMs(kDefaultBusyTimeoutMs);
    absl::Status st = s->ExecScript(
        "open",
        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
        "PRAGMA synchronous = NORMAL;");
    if (!st.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "cannot open the store ", url.redacted, ": ", st.message()));
    }
  }
  return s;
}

pg_conn* SqlSession::pg_connection() const {
  return static_cast<soci::postgresql_session_backend*>(session_->get_backend())
      ->conn_;
}

sqlite_api::sqlite3* SqlSession::sqlite_connection() const {
  return static_cast<soci::sqlite3_session_backend*>(session_->get_backend())
      ->conn_;
}

absl::Status SqlSession::FromException(absl::string_view context,
                                       const std::exception& e) const {
  // A PostgreSQL session that lost its connection fails with kUnavailable,
  // whatever the exception says.
  const bool connection_ok = sqlite() || session_ == nullptr ||
                             session_->get_backend() == nullptr ||
                             PQstatus(pg_connection()) == CONNECTION_OK;
  absl::StatusCode code = absl::StatusCode::kInternal;
  std::string message;
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    message = pg->get_error_message();
    code = PgErrorCode(pg->sqlstate().c_str(), connection_ok);
  } else if (const auto* lite =
                 dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    message = lite->get_error_message();
    code = SqliteErrorCode(lite->result(), message);
  } else if (const auto* soci_e = dynamic_cast<const soci::soci_error*>(&e)) {
    message = soci_e->get_error_message();
    if (soci_e->get_error_category() == soci::soci_error::connection_error ||
        absl::StrContains(message, "Cannot establish connection")) {
      code = absl::StatusCode::kUnavailable;
    }
  } else {
    message = e.what();
  }
  if (!connection_ok) code = absl::StatusCode::kUnavailable;
  return StorageError(code, context, std::move(message), password_);
}

absl::Status SqlSession::PgResultError(absl::string_view context,
                                       const pg_result* result,
                                       absl::string_view if_empty) const {
  PGconn* conn = pg_connection();
  std::string message =
      result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  const char* state = result != nullptr
                          ? PQresultErrorField(result, PG_DIAG_SQLSTATE)
                          : nullptr;
  absl::StripAsciiWhitespace(&message);
  if (message.empty()) message = std::string(if_empty);
  return StorageError(PgErrorCode(state, PQstatus(conn) == CONNECTION_OK),
                      context, std::move(message), password_);
}

absl::StatusOr<int64_t> SqlSession::Exec(absl::string_view context,
                                         const std::string& sql,
                                         std::vector<Param> params) {
  try {
    soci::statement st(*session_);
    std::vector<soci::indicator> indicators;
    BindParams(st, params, indicators);
    st.alloc();
    st.prepare(sql, soci::details::st_one_time_query);
    st.define_and_bind();
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  } catch (const std::exception& e) {
    return FromException(context, e);
  }
}

absl::Status SqlSession::Query(
    absl::string_view context, const std::string& sql,
    std::vector<Param> params, int columns,
    const std::function<absl::Status(const Row&)>& on_row) {
  try {
    soci::statement st(*session_);
    std::vector<std::string> values(columns);
    std::vector<soci::indicator> value_indicators(columns, soci::i_ok);
    for (int c = 0; c < columns; ++c) {
      st.exchange(soci::into(values[c], value_indicators[c]));
    }
    std::vector<soci::indicator> indicators;
    BindParams(st, params, indicators);
    st.alloc();
    st.prepare(sql, soci::details::st_one_time_query);
    st.define_and_bind();
    bool got = st.execute(true);
    Row row(columns);
    while (got) {
      for (int c = 0; c < columns; ++c) {
        if (value_indicators[c] == soci::i_null) {
          row[c].reset();
        } else {
          row[c] = values[c];
        }
      }
      absl::Status s = on_row(row);
      if (!s.ok()) return s;
      got = st.fetch();
    }
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return FromException(context, e);
  }
}

absl::StatusOr<std::vector<Row>> SqlSession::QueryAll(
    absl::string_view context, const std::string& sql,
    std::vector<Param> params, int columns) {
  std::vector<Row> rows;
  absl::Status s = Query(context, sql, std::move(params), columns,
                         [&](const Row& row) {
                           rows.push_back(row);
                           return absl::OkStatus();
                         });
  if (!s.ok()) return s;
  return rows;
}

absl::StatusOr<std::optional<Row>> SqlSession::QueryOne(
    absl::string_view context, const std::string& sql,
    std::vector<Param> params, int columns) {
  std::optional<Row> out;
  absl::Status s = Query(context, sql, std::move(params), columns,
                         [&](const Row& row) {
                           if (!out.has_value()) out = row;
                           return absl::OkStatus();
                         });
  if (!s.ok()) return s;
  return out;
}

absl::Status SqlSession::ExecScript(absl::string_view context,
                                    const std::string& sql) {
  if (sqlite()) {
    char* error = nullptr;
    int rc = sqlite_api::sqlite3_exec(sqlite_connection(), sql.c_str(),
                                      nullptr, nullptr, &error);
    if (rc == 0) return absl::OkStatus();
    std::string message = error != nullptr ? error : "unknown error";
    if (error != nullptr) sqlite_api::sqlite3_free(error);
    const absl::StatusCode code = SqliteErrorCode(rc, message);
    return StorageError(code, context, std::move(message), password_);
  }
  PGconn* conn = pg_connection();
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status =
      result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    PQclear(result);
    return absl::OkStatus();
  }
  absl::Status error = PgResultError(context, result, "");
  if (result != nullptr) PQclear(result);
  return error;
}

absl::Status SqlSession::BeginWrite(absl::string_view context) {
  absl::StatusOr<int64_t> s =
      Exec(context, sqlite() ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!s.ok()) return s.status();
  in_transaction_ = true;
  return absl::OkStatus();
}

absl::Status SqlSession::Commit(absl::string_view context) {
  absl::StatusOr<int64_t> s = Exec(context, "COMMIT");
  if (!s.ok()) {
    Rollback();
    return s.status();
  }
  in_transaction_ = false;
  return absl::OkStatus();
}

void SqlSession::Rollback() {
  in_transaction_ = false;
  try {
    soci::statement st(*session_);
    st.alloc();
    st.prepare("ROLLBACK", soci::details::st_one_time_query);
    st.define_and_bind();
    st.execute(true);
  } catch (const std::exception&) {
    // Nothing to roll back (or the connection is gone): nothing to do.
  }
}

void SqlSession::SetBusyTimeoutMs(int ms) {
  if (sqlite()) {
    sqlite_api::sqlite3_busy_timeout(sqlite_connection(), ms);
  }
}

}  // namespace storage_internal
}  // namespace fifo
