#include "storage/sql_session.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <thread>  // NOLINT(build/c++11): the writer's background thread.
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/log.h"
#include "engine/timestamp.h"
#include "soci/postgresql/soci-postgresql.h"
#include "soci/soci.h"
#include "soci/sqlite3/soci-sqlite3.h"

namespace fifo {
namespace storage_internal {
namespace {

constexpr size_t kMaxMessage = 1500;
constexpr int kSqliteBusyTimeoutMs = 30000;
// PostgreSQL COPY: bytes buffered before each PQputCopyData.
constexpr size_t kCopyBuffer = 1 << 20;

// libpq keyword='value' quoting: backslash before ' and \.
std::string PgQuote(absl::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// Parses a libpq URI or keyword=value string into a keyword='value' string
// (SOCI 4.0.3 mangles URIs), returning the password separately.
absl::Status PgConninfo(const std::string& text, std::string* conninfo,
                        std::string* password, std::string* redacted_kv) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    std::string why = error != nullptr ? error : "out of memory";
    if (error != nullptr) PQfreemem(error);
    absl::StripAsciiWhitespace(&why);
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse the PostgreSQL connection string: ", why));
  }
  std::vector<std::string> parts, redacted_parts;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string keyword = o->keyword;
    parts.push_back(absl::StrCat(keyword, "=", PgQuote(o->val)));
    if (keyword == "password") {
      *password = o->val;
      redacted_parts.push_back("password=***");
    } else {
      redacted_parts.push_back(parts.back());
    }
  }
  PQconninfoFree(options);
  *conninfo = absl::StrJoin(parts, " ");
  *redacted_kv = absl::StrJoin(redacted_parts, " ");
  return absl::OkStatus();
}

// postgresql://user:secret@host/db?password=x -> password parts as "***".
std::string RedactUri(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?", start);
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) {
        out = absl::StrCat(out.substr(0, colon + 1), "***", out.substr(at));
      }
    }
  }
  size_t q = out.find('?');
  if (q != std::string::npos) {
    std::vector<std::string> params = absl::StrSplit(out.substr(q + 1), '&');
    for (std::string& p : params) {
      if (absl::StartsWith(p, "password=")) p = "password=***";
    }
    out = absl::StrCat(out.substr(0, q + 1), absl::StrJoin(params, "&"));
  }
  return out;
}

absl::StatusCode CodeFromSqlState(const std::string& state) {
  auto cls = [&](absl::string_view prefix) {
    return absl::StartsWith(state, prefix);
  };
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (cls("23") || state == "P0001" || state == "42P01" ||
      state == "42883" || state == "42703") {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (cls("08") || cls("57P") || cls("53") || state == "55P03") {
    return absl::StatusCode::kUnavailable;
  }
  if (state == "40001" || state == "40P01") return absl::StatusCode::kAborted;
  if (cls("22")) return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kInternal;
}

absl::StatusCode CodeFromSqlite(int result, const std::string& message) {
  switch (result & 0xff) {
    case 5:   // SQLITE_BUSY
    case 6:   // SQLITE_LOCKED
    case 14:  // SQLITE_CANTOPEN
    case 10:  // SQLITE_IOERR
      return absl::StatusCode::kUnavailable;
    case 13:  // SQLITE_FULL
      return absl::StatusCode::kResourceExhausted;
    case 19:  // SQLITE_CONSTRAINT (also RAISE(ABORT) in triggers)
      if (absl::StrContains(message, "UNIQUE constraint failed") ||
          absl::StrContains(message, "PRIMARY KEY")) {
        return absl::StatusCode::kAlreadyExists;
      }
      return absl::StatusCode::kFailedPrecondition;
    case 8:   // SQLITE_READONLY
      return absl::StatusCode::kFailedPrecondition;
    default:
      break;
  }
  if (absl::StrContains(message, "no such table") ||
      absl::StrContains(message, "no such column")) {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (absl::StrContains(message, "database is locked")) {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

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

PGconn* PgConn(soci::session& session) {
  return static_cast<soci::postgresql_session_backend*>(session.get_backend())
      ->conn_;
}

sqlite_api::sqlite3* SqliteConn(soci::session& session) {
  return static_cast<soci::sqlite3_session_backend*>(session.get_backend())
      ->conn_;
}

void BindParams(soci::statement& st, std::vector<Param>& params,
                std::vector<soci::indicator>& indicators);

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

namespace {

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

// ----------------------------------------------------------- the URL ----

std::string RedactPostgresUri(const std::string& url) { return RedactUri(url); }

absl::StatusOr<StoreUrl> ParseStoreUrl(const std::string& url) {
  StoreUrl out;
  if (absl::StartsWith(url, "sqlite:")) {
    std::string path = url.substr(7);
    if (absl::StartsWith(path, "//")) path = path.substr(2);
    if (path.empty() || path == ":memory:" ||
        absl::StartsWith(path, "file:")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "store URL \"", url,
          "\": need sqlite:PATH with a file path (the store opens several "
          "connections, which an in-memory database cannot share)"));
    }
    if (absl::StrContains(path, "\"")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "store URL \"", url, "\": the path must not contain '\"'"));
    }
    out.dialect = Dialect::kSqlite;
    out.sqlite_path = path;
    out.redacted = url;
    return out;
  }
  if (absl::StartsWith(url, "postgresql://") ||
      absl::StartsWith(url, "postgres://")) {
    out.dialect = Dialect::kPostgresql;
    out.redacted = RedactUri(url);
    std::string ignored;
    absl::Status s = PgConninfo(url, &out.pg_conninfo, &out.password, &ignored);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("store URL \"", out.redacted, "\": ", s.message()));
    }
    return out;
  }
  if (absl::StartsWith(url, "postgresql:")) {
    out.dialect = Dialect::kPostgresql;
    std::string redacted_kv;
    absl::Status s =
        PgConninfo(url.substr(11), &out.pg_conninfo, &out.password, &redacted_kv);
    out.redacted = absl::StrCat("postgresql:", redacted_kv);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("store URL: ", s.message()));
    }
    return out;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("store URL \"", RedactUri(url),
                   "\": expected sqlite:PATH, postgresql://... or "
                   "postgres://..."));
}

// -------------------------------------------------------- SqlSession ----

SqlSession::SqlSession(Dialect dialect, std::string password)
    : dialect_(dialect), password_(std::move(password)) {}

// Finalizes its statements before the connection closes (an open statement
// would keep sqlite3_close from closing it).
struct SqlSession::InsertCache {
  std::unordered_map<std::string, sqlite_api::sqlite3_stmt*> statements;
  ~InsertCache() {
    for (auto& entry : statements) sqlite_api::sqlite3_finalize(entry.second);
  }
};

SqlSession::~SqlSession() {
  if (in_transaction_) Rollback();
  insert_cache_.reset();
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
      PQsetNoticeProcessor(PgConn(*s->session_), &IgnoreNotice, nullptr);
      SetPgLiveness(PgConn(*s->session_));
    }
  } catch (const std::exception& e) {
    absl::Status st = s->FromException("open", e);
    return absl::UnavailableError(absl::StrCat(
        "cannot open the store ", url.redacted, ": ", st.message()));
  }
  if (url.dialect == Dialect::kSqlite) {
    s->SetBusyTimeoutMs(kSqliteBusyTimeoutMs);
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

absl::Status SqlSession::FromException(absl::string_view context,
                                       const std::exception& e) const {
  absl::StatusCode code = absl::StatusCode::kInternal;
  std::string message;
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    message = pg->get_error_message();
    code = CodeFromSqlState(pg->sqlstate());
  } else if (const auto* lite =
                 dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    message = lite->get_error_message();
    code = CodeFromSqlite(lite->result(), message);
  } else if (const auto* soci_e = dynamic_cast<const soci::soci_error*>(&e)) {
    message = soci_e->get_error_message();
    if (soci_e->get_error_category() == soci::soci_error::connection_error ||
        absl::StrContains(message, "Cannot establish connection")) {
      code = absl::StatusCode::kUnavailable;
    }
  } else {
    message = e.what();
  }
  if (dialect_ == Dialect::kPostgresql && session_ != nullptr &&
      session_->get_backend() != nullptr &&
      PQstatus(PgConn(*session_)) != CONNECTION_OK) {
    code = absl::StatusCode::kUnavailable;
  }
  if (!password_.empty()) {
    absl::StrReplaceAll({{password_, "***"}}, &message);
  }
  absl::StripAsciiWhitespace(&message);
  if (message.size() > kMaxMessage) {
    message = absl::StrCat(message.substr(0, kMaxMessage), "...");
  }
  return absl::Status(code, absl::StrCat("storage: ", context, ": ", message));
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
  if (dialect_ == Dialect::kSqlite) {
    char* error = nullptr;
    int rc = sqlite_api::sqlite3_exec(SqliteConn(*session_), sql.c_str(),
                                      nullptr, nullptr, &error);
    if (rc == 0) return absl::OkStatus();
    std::string message = error != nullptr ? error : "unknown error";
    if (error != nullptr) sqlite_api::sqlite3_free(error);
    return absl::Status(CodeFromSqlite(rc, message),
                        absl::StrCat("storage: ", context, ": ", message));
  }
  PGconn* conn = PgConn(*session_);
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status =
      result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    PQclear(result);
    return absl::OkStatus();
  }
  std::string message =
      result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  const char* state =
      result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  absl::StatusCode code = state != nullptr ? CodeFromSqlState(state)
                                           : absl::StatusCode::kUnavailable;
  if (PQstatus(conn) != CONNECTION_OK) code = absl::StatusCode::kUnavailable;
  if (result != nullptr) PQclear(result);
  if (!password_.empty()) absl::StrReplaceAll({{password_, "***"}}, &message);
  absl::StripAsciiWhitespace(&message);
  if (message.size() > kMaxMessage) message.resize(kMaxMessage);
  return absl::Status(code, absl::StrCat("storage: ", context, ": ", message));
}

absl::Status SqlSession::InsertRows(absl::string_view context,
                                    const BulkTable& target,
                                    const BulkRows& rows) {
  const size_t n = target.columns.size();
  if (n == 0 || rows.cells_.size() % n != 0) {
    return absl::InternalError(absl::StrCat(
        "storage: ", context, ": ", rows.cells_.size(),
        " cells do not make whole rows of ", n, " columns of ", target.table));
  }
  if (rows.cells_.empty()) return absl::OkStatus();
  return dialect_ == Dialect::kSqlite ? SqliteInsertRows(context, target, rows)
                                      : PgCopyRows(context, target, rows);
}

absl::Status SqlSession::SqliteInsertRows(absl::string_view context,
                                          const BulkTable& target,
                                          const BulkRows& rows) {
  sqlite_api::sqlite3* conn = SqliteConn(*session_);
  auto error = [&](int rc) {
    std::string message = sqlite_api::sqlite3_errmsg(conn);
    return absl::Status(CodeFromSqlite(rc, message),
                        absl::StrCat("storage: ", context, ": ", message));
  };
  if (insert_cache_ == nullptr) insert_cache_ = std::make_unique<InsertCache>();
  const std::string names = absl::StrJoin(target.columns, ", ");
  sqlite_api::sqlite3_stmt*& st =
      insert_cache_->statements[absl::StrCat(target.table, " (", names, ")")];
  if (st == nullptr) {
    std::string sql = absl::StrCat("INSERT INTO ", target.table, " (", names,
                                   ") VALUES (?");
    for (size_t c = 1; c < target.columns.size(); ++c) sql += ", ?";
    sql += ")";
    int rc = sqlite_api::sqlite3_prepare_v2(conn, sql.c_str(),
                                            static_cast<int>(sql.size() + 1),
                                            &st, nullptr);
    if (rc != SQLITE_OK) {
      absl::Status s = error(rc);
      sqlite_api::sqlite3_finalize(st);
      insert_cache_->statements.erase(
          absl::StrCat(target.table, " (", names, ")"));
      return s;
    }
  }
  const auto kStatic = static_cast<sqlite_api::sqlite3_destructor_type>(nullptr);
  const size_t n = target.columns.size();
  const char* text = rows.text_.data();
  absl::Status status;
  for (size_t begin = 0; begin < rows.cells_.size() && status.ok();
       begin += n) {
    int rc = SQLITE_OK;
    for (size_t c = 0; c < n && rc == SQLITE_OK; ++c) {
      const BulkRows::Cell& cell = rows.cells_[begin + c];
      const int index = static_cast<int>(c + 1);
      switch (cell.kind) {
        case BulkRows::Kind::kText:
          rc = sqlite_api::sqlite3_bind_text(st, index, text + cell.value,
                                             static_cast<int>(cell.size),
                                             kStatic);
          break;
        case BulkRows::Kind::kInt:
          rc = sqlite_api::sqlite3_bind_int64(st, index, cell.value);
          break;
        case BulkRows::Kind::kNull:
          rc = sqlite_api::sqlite3_bind_null(st, index);
          break;
      }
    }
    if (rc == SQLITE_OK) {
      rc = sqlite_api::sqlite3_step(st);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) status = error(rc);
    sqlite_api::sqlite3_reset(st);
  }
  // No binding may outlive `rows`.
  sqlite_api::sqlite3_clear_bindings(st);
  return status;
}

namespace {

// COPY text format: backslash, tab, newline and carriage return escaped.
void AppendCopyText(const char* data, size_t size, std::string* out) {
  const char* end = data + size;
  const char* run = data;
  for (const char* p = data; p < end; ++p) {
    const char c = *p;
    if (c != '\\' && c != '\t' && c != '\n' && c != '\r') continue;
    out->append(run, p - run);
    out->push_back('\\');
    out->push_back(c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
    run = p + 1;
  }
  out->append(run, end - run);
}

}  // namespace

absl::Status SqlSession::PgCopyRows(absl::string_view context,
                                    const BulkTable& target,
                                    const BulkRows& rows) {
  PGconn* conn = PgConn(*session_);
  // The status of `result` (nullptr: the connection's message).
  auto error = [&](PGresult* result) {
    std::string message =
        result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
    const char* state = result != nullptr
                            ? PQresultErrorField(result, PG_DIAG_SQLSTATE)
                            : nullptr;
    absl::StatusCode code = state != nullptr ? CodeFromSqlState(state)
                                             : absl::StatusCode::kUnavailable;
    if (PQstatus(conn) != CONNECTION_OK) code = absl::StatusCode::kUnavailable;
    if (!password_.empty()) {
      absl::StrReplaceAll({{password_, "***"}}, &message);
    }
    absl::StripAsciiWhitespace(&message);
    if (message.empty()) message = "COPY failed";
    if (message.size() > kMaxMessage) {
      message = absl::StrCat(message.substr(0, kMaxMessage), "...");
    }
    return absl::Status(code,
                        absl::StrCat("storage: ", context, ": ", message));
  };
  // Reads the results of the COPY until libpq has none left; the first
  // error wins over `status`.
  auto finish = [&](absl::Status status) {
    while (PGresult* result = PQgetResult(conn)) {
      if (status.ok() && PQresultStatus(result) != PGRES_COMMAND_OK) {
        status = error(result);
      }
      PQclear(result);
      if (PQstatus(conn) != CONNECTION_OK) break;
    }
    return status;
  };

  const std::string sql =
      absl::StrCat("COPY ", target.table, " (",
                   absl::StrJoin(target.columns, ", "), ") FROM STDIN");
  PGresult* started = PQexec(conn, sql.c_str());
  if (started == nullptr || PQresultStatus(started) != PGRES_COPY_IN) {
    absl::Status s = error(started);
    if (started != nullptr) PQclear(started);
    return finish(s);
  }
  PQclear(started);

  const size_t n = target.columns.size();
  const char* text = rows.text_.data();
  std::string buffer;
  buffer.reserve(kCopyBuffer + (64 << 10));
  absl::Status status;
  auto flush = [&]() {
    if (!buffer.empty() &&
        PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) !=
            1) {
      status = error(nullptr);
    }
    buffer.clear();
  };
  for (size_t i = 0; i < rows.cells_.size() && status.ok(); ++i) {
    const BulkRows::Cell& cell = rows.cells_[i];
    switch (cell.kind) {
      case BulkRows::Kind::kText:
        AppendCopyText(text + cell.value, cell.size, &buffer);
        break;
      case BulkRows::Kind::kInt:
        absl::StrAppend(&buffer, cell.value);
        break;
      case BulkRows::Kind::kNull:
        buffer.append("\\N");
        break;
    }
    if ((i + 1) % n != 0) {
      buffer.push_back('\t');
      continue;
    }
    buffer.push_back('\n');
    if (buffer.size() >= kCopyBuffer) flush();
  }
  if (status.ok()) flush();
  if (status.ok()) {
    if (PQputCopyEnd(conn, nullptr) != 1) status = error(nullptr);
  } else {
    PQputCopyEnd(conn, "client error");
  }
  return finish(status);
}

absl::Status SqlSession::BeginWrite(absl::string_view context) {
  absl::StatusOr<int64_t> s =
      Exec(context, dialect_ == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
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
  if (dialect_ == Dialect::kSqlite) {
    sqlite_api::sqlite3_busy_timeout(SqliteConn(*session_), ms);
  }
}

// ---------------------------------------------------------- fragments ----

std::string SqlSession::NumCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("CAST(", expr, " AS TEXT)");
}
std::string SqlSession::NumParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS NUMERIC)");
}
std::string SqlSession::TsCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("fifo_ts_text(", expr, ")");
}
std::string SqlSession::TsParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS TIMESTAMPTZ)");
}
std::string SqlSession::UuidCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("CAST(", expr, " AS TEXT)");
}
std::string SqlSession::UuidParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS UUID)");
}
std::string SqlSession::JsonCol(const std::string& expr) const {
  return sqlite() ? expr : absl::StrCat("CAST(", expr, " AS TEXT)");
}
std::string SqlSession::JsonParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS JSONB)");
}
std::string SqlSession::IntParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS BIGINT)");
}
std::string SqlSession::InList(const std::string& expr,
                               const std::string& p) const {
  return sqlite()
             ? absl::StrCat(expr, " IN (SELECT value FROM json_each(", p, "))")
             : absl::StrCat(expr, " = ANY(CAST(", p, " AS TEXT[]))");
}
std::string SqlSession::EncodeList(
    const std::vector<std::string>& values) const {
  if (sqlite()) return JsonStringArray(values);
  std::vector<std::optional<std::string>> opt(values.begin(), values.end());
  return PgArrayLiteral(opt);
}
std::string SqlSession::ListParam(const std::string& p) const {
  return sqlite() ? p : absl::StrCat("CAST(", p, " AS TEXT[])");
}
std::string SqlSession::ListColAsJson(const std::string& expr) const {
  return sqlite() ? expr
                  : absl::StrCat("CAST(array_to_json(", expr, ") AS TEXT)");
}

// ---------------------------------------------------------- BulkRows ----

void BulkRows::Reserve(size_t cells, size_t bytes) {
  cells_.reserve(cells);
  text_.reserve(bytes);
}

void BulkRows::Clear() {
  cells_.clear();
  text_.clear();
}

void BulkRows::Text(absl::string_view value) {
  cells_.push_back(Cell{static_cast<int64_t>(text_.size()),
                        static_cast<uint32_t>(value.size()), Kind::kText});
  text_.append(value.data(), value.size());
}

void BulkRows::Int(int64_t value) {
  cells_.push_back(Cell{value, 0, Kind::kInt});
}

void BulkRows::Null() { cells_.push_back(Cell{0, 0, Kind::kNull}); }

void BulkRows::Time(absl::Time t) {
  const size_t offset = text_.size();
  AppendTimestamp(t, &text_);
  cells_.push_back(Cell{static_cast<int64_t>(offset),
                        static_cast<uint32_t>(text_.size() - offset),
                        Kind::kText});
}

void AppendTimestamp(absl::Time t, std::string* out) {
  // 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z in Unix microseconds.
  constexpr int64_t kMinMicros = -62135596800LL * 1000000;
  constexpr int64_t kEndMicros = 253402300800LL * 1000000;
  constexpr int64_t kDayMicros = 86400LL * 1000000;
  if (t < absl::FromUnixMicros(kMinMicros) ||
      t >= absl::FromUnixMicros(kEndMicros)) {
    out->append(FormatTimestamp(t));
    return;
  }
  const int64_t us = absl::ToUnixMicros(t);
  if (absl::FromUnixMicros(us) != t) {  // not a whole microsecond
    out->append(FormatTimestamp(t));
    return;
  }
  int64_t days = us / kDayMicros;
  int64_t rem = us % kDayMicros;
  if (rem < 0) {
    rem += kDayMicros;
    --days;
  }
  // Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const int64_t secs = rem / 1000000;
  const int64_t micros = rem % 1000000;
  char buf[27];  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  auto put = [&](int at, int64_t value, int width) {
    for (int i = at + width - 1; i >= at; --i) {
      buf[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, month, 2);
  buf[7] = '-';
  put(8, day, 2);
  buf[10] = 'T';
  put(11, secs / 3600, 2);
  buf[13] = ':';
  put(14, secs / 60 % 60, 2);
  buf[16] = ':';
  put(17, secs % 60, 2);
  buf[19] = '.';
  put(20, micros, 6);
  buf[26] = 'Z';
  out->append(buf, sizeof(buf));
}

// ----------------------------------------------------- OrderedWorker ----

struct OrderedWorker::State {
  absl::Mutex mu;
  std::deque<Job> jobs ABSL_GUARDED_BY(mu);
  bool running ABSL_GUARDED_BY(mu) = false;
  bool stop ABSL_GUARDED_BY(mu) = false;
  absl::Status error ABSL_GUARDED_BY(mu);
  std::thread thread;

  void Loop() {
    while (true) {
      Job job;
      {
        absl::MutexLock lock(&mu);
        auto ready = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return !jobs.empty() || stop;
        };
        mu.Await(absl::Condition(&ready));
        if (jobs.empty()) return;  // stopped
        job = std::move(jobs.front());
        jobs.pop_front();
        running = true;
      }
      absl::Status s = job();
      job = nullptr;  // frees what the job held before the next one
      absl::MutexLock lock(&mu);
      running = false;
      if (!s.ok() && error.ok()) error = std::move(s);
      if (!error.ok()) jobs.clear();
    }
  }
};

OrderedWorker::OrderedWorker(size_t max_queued)
    : max_queued_(std::max<size_t>(max_queued, 1)),
      state_(std::make_unique<State>()) {}

OrderedWorker::~OrderedWorker() { Stop(); }

absl::Status OrderedWorker::Submit(Job job) {
  if (!started_) {
    {
      absl::MutexLock lock(&state_->mu);
      state_->stop = false;
    }
    state_->thread = std::thread([state = state_.get()] { state->Loop(); });
    started_ = true;
  }
  State* st = state_.get();
  absl::MutexLock lock(&st->mu);
  const size_t max = max_queued_;
  auto room = [st, max]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return st->jobs.size() < max || !st->error.ok();
  };
  st->mu.Await(absl::Condition(&room));
  if (!st->error.ok()) return st->error;
  st->jobs.push_back(std::move(job));
  return absl::OkStatus();
}

absl::Status OrderedWorker::Drain() {
  if (!started_) return absl::OkStatus();
  State* st = state_.get();
  absl::MutexLock lock(&st->mu);
  auto idle = [st]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return st->jobs.empty() && !st->running;
  };
  st->mu.Await(absl::Condition(&idle));
  return st->error;
}

void OrderedWorker::Stop() {
  if (!started_) return;
  {
    absl::MutexLock lock(&state_->mu);
    state_->stop = true;
    state_->jobs.clear();
  }
  state_->thread.join();
  started_ = false;
}

// ----------------------------------------------------------- encoders ----

std::string JsonQuote(absl::string_view text) {
  return absl::StrCat("\"", JsonEscape(text), "\"");
}

std::string JsonStringArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += JsonQuote(values[i]);
  }
  out.push_back(']');
  return out;
}

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool ParseHex4(absl::string_view s, size_t at, uint32_t* out) {
  if (at + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v |= c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v |= c - 'A' + 10;
    } else {
      return false;
    }
  }
  *out = v;
  return true;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseJsonStringArray(
    absl::string_view json) {
  auto bad = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed JSON string array: ",
                     json.substr(0, std::min<size_t>(json.size(), 80))));
  };
  size_t i = 0;
  auto skip_ws = [&]() {
    while (i < json.size() && (json[i] == ' ' || json[i] == '\n' ||
                               json[i] == '\t' || json[i] == '\r')) {
      ++i;
    }
  };
  std::vector<std::string> out;
  skip_ws();
  if (i >= json.size() || json[i] != '[') return bad();
  ++i;
  skip_ws();
  if (i < json.size() && json[i] == ']') {
    ++i;
    skip_ws();
    if (i != json.size()) return bad();
    return out;
  }
  while (true) {
    skip_ws();
    if (i >= json.size() || json[i] != '"') return bad();
    ++i;
    std::string value;
    while (true) {
      if (i >= json.size()) return bad();
      char c = json[i++];
      if (c == '"') break;
      if (c != '\\') {
        value.push_back(c);
        continue;
      }
      if (i >= json.size()) return bad();
      char e = json[i++];
      switch (e) {
        case '"': value.push_back('"'); break;
        case '\\': value.push_back('\\'); break;
        case '/': value.push_back('/'); break;
        case 'b': value.push_back('\b'); break;
        case 'f': value.push_back('\f'); break;
        case 'n': value.push_back('\n'); break;
        case 'r': value.push_back('\r'); break;
        case 't': value.push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!ParseHex4(json, i, &cp)) return bad();
          i += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= json.size() &&
              json[i] == '\\' && json[i + 1] == 'u') {
            uint32_t low;
            if (ParseHex4(json, i + 2, &low) && low >= 0xDC00 &&
                low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
            }
          }
          AppendUtf8(cp, &value);
          break;
        }
        default:
          return bad();
      }
    }
    out.push_back(std::move(value));
    skip_ws();
    if (i >= json.size()) return bad();
    if (json[i] == ',') {
      ++i;
      continue;
    }
    if (json[i] != ']') return bad();
    ++i;
    skip_ws();
    if (i != json.size()) return bad();
    return out;
  }
}

std::string PgArrayLiteral(
    const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (!values[i].has_value()) {
      out += "NULL";
      continue;
    }
    out.push_back('"');
    for (char c : *values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace storage_internal
}  // namespace fifo
