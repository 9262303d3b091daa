#include "storage/sql_session.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "soci/postgresql/soci-postgresql.h"
#include "soci/soci.h"
#include "soci/sqlite3/soci-sqlite3.h"

namespace fifo {
namespace storage_internal {
namespace {

constexpr size_t kMaxMessage = 1500;
constexpr int kSqliteBusyTimeoutMs = 30000;
constexpr size_t kSqliteChunkRows = 1000;
constexpr size_t kPgChunkRows = 5000;

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

SqlSession::~SqlSession() {
  if (in_transaction_) Rollback();
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

absl::Status SqlSession::BulkInsert(absl::string_view context,
                                    const std::string& table,
                                    const std::vector<BulkColumn>& columns,
                                    size_t rows) {
  if (rows == 0 || columns.empty()) return absl::OkStatus();
  std::vector<std::string> names;
  for (const BulkColumn& c : columns) names.push_back(c.name);
  const size_t chunk =
      dialect_ == Dialect::kSqlite ? kSqliteChunkRows : kPgChunkRows;
  try {
    for (size_t begin = 0; begin < rows; begin += chunk) {
      const size_t end = std::min(rows, begin + chunk);
      if (dialect_ == Dialect::kSqlite) {
        std::vector<std::vector<std::string>> values(columns.size());
        std::vector<std::vector<soci::indicator>> indicators(columns.size());
        std::vector<std::string> placeholders;
        soci::statement st(*session_);
        for (size_t c = 0; c < columns.size(); ++c) {
          values[c].reserve(end - begin);
          indicators[c].reserve(end - begin);
          for (size_t r = begin; r < end; ++r) {
            const auto& v = columns[c].values[r];
            values[c].push_back(v.has_value() ? *v : std::string());
            indicators[c].push_back(v.has_value() ? soci::i_ok : soci::i_null);
          }
          st.exchange(soci::use(values[c], indicators[c]));
          placeholders.push_back(absl::StrCat(":c", c));
        }
        st.alloc();
        st.prepare(absl::StrCat("INSERT INTO ", table, " (",
                                absl::StrJoin(names, ", "), ") VALUES (",
                                absl::StrJoin(placeholders, ", "), ")"));
        st.define_and_bind();
        st.execute(true);
      } else {
        std::vector<Param> params;
        std::vector<std::string> casts, arrays, aliases;
        for (size_t c = 0; c < columns.size(); ++c) {
          std::vector<std::optional<std::string>> slice(
              columns[c].values.begin() + begin, columns[c].values.begin() + end);
          params.push_back(Param::Text(PgArrayLiteral(slice)));
          arrays.push_back(absl::StrCat("CAST(:a", c, " AS TEXT[])"));
          aliases.push_back(absl::StrCat("c", c));
          casts.push_back(
              absl::StrCat("CAST(u.c", c, " AS ", columns[c].pg_type, ")"));
        }
        soci::statement st(*session_);
        std::vector<soci::indicator> indicators;
        BindParams(st, params, indicators);
        st.alloc();
        st.prepare(absl::StrCat("INSERT INTO ", table, " (",
                                absl::StrJoin(names, ", "), ") SELECT ",
                                absl::StrJoin(casts, ", "), " FROM unnest(",
                                absl::StrJoin(arrays, ", "), ") AS u(",
                                absl::StrJoin(aliases, ", "), ")"),
                   soci::details::st_one_time_query);
        st.define_and_bind();
        st.execute(true);
      }
    }
  } catch (const std::exception& e) {
    return FromException(context, e);
  }
  return absl::OkStatus();
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
