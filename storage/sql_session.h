// File: storage/sql_session.h
//
// Internal to //storage. SqlSession wraps one SOCI connection (SQLite or
// PostgreSQL) behind absl::Status: every SOCI exception is caught here and
// mapped to a status code (connection -> kUnavailable, unique -> 
// kAlreadyExists, other constraint or trigger -> kFailedPrecondition, else
// kInternal) with a bounded message free of passwords.
//
// All values cross the SOCI boundary as text or 64-bit integers; decimals
// are always text (never double). Statements use bound parameters only
// (":name" placeholders, each used once, bound in order of appearance).
//
// Also here: the small per-dialect SQL fragments (casts, list membership)
// and text encoders (JSON strings, PostgreSQL array literals) the store uses
// to pass lists as one bound parameter.
//
// Thread safety: a SqlSession is not thread-safe.
#ifndef FIFO_STORAGE_SQL_SESSION_H_
#define FIFO_STORAGE_SQL_SESSION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace soci {
class session;
}  // namespace soci

namespace fifo {
namespace storage_internal {

enum class Dialect { kSqlite, kPostgresql };

// A parsed store URL.
struct StoreUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string sqlite_path;     // kSqlite
  std::string pg_conninfo;     // kPostgresql: libpq keyword='value' string
  std::string password;        // kPostgresql, to scrub from messages
  std::string redacted;        // the URL with the password replaced
};

// Errors: kInvalidArgument (unknown scheme, empty or in-memory SQLite path,
// a path with a double quote, an unparsable PostgreSQL URI).
absl::StatusOr<StoreUrl> ParseStoreUrl(const std::string& url);

// `url` with the password of a postgresql:// URI (user:PASSWORD@ or
// ?password=) replaced by "***", even when libpq cannot parse it.
std::string RedactPostgresUri(const std::string& url);

// A bound parameter: text, a 64-bit integer or NULL. Build with the
// factories; the fields are read by SqlSession only.
struct Param {
  static Param Text(std::string value);
  static Param Int(int64_t value);
  static Param Null();
  static Param OptText(const std::optional<std::string>& value);

  enum class Kind { kText, kInt, kNull };
  Kind kind = Kind::kNull;
  std::string text;
  long long integer = 0;  // NOLINT(runtime/int): SOCI binds long long.
};

// A result row: one text value per selected column, nullopt for NULL.
using Row = std::vector<std::optional<std::string>>;

// One column of a BulkInsert: its name, the PostgreSQL type to cast the
// text to ("TEXT", "NUMERIC", "TIMESTAMPTZ", "BIGINT", "UUID", ...) and one
// value per row (nullopt = NULL).
struct BulkColumn {
  std::string name;
  std::string pg_type;
  std::vector<std::optional<std::string>> values;
};

class SqlSession {
 public:
  // Connects. SQLite: creates the file, turns on foreign keys, WAL and a
  // 30 s busy timeout. PostgreSQL: quiets notices. kUnavailable on failure.
  static absl::StatusOr<std::unique_ptr<SqlSession>> Open(const StoreUrl& url);

  ~SqlSession();
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  Dialect dialect() const { return dialect_; }
  bool sqlite() const { return dialect_ == Dialect::kSqlite; }

  // Runs one statement; returns the number of rows it changed. `context`
  // names the operation in error messages.
  absl::StatusOr<int64_t> Exec(absl::string_view context,
                               const std::string& sql,
                               std::vector<Param> params = {});

  // Runs a query that selects `columns` columns and calls `on_row` for each
  // row; a non-OK status from `on_row` stops and is returned.
  absl::Status Query(absl::string_view context, const std::string& sql,
                     std::vector<Param> params, int columns,
                     const std::function<absl::Status(const Row&)>& on_row);

  // Query collecting every row.
  absl::StatusOr<std::vector<Row>> QueryAll(absl::string_view context,
                                            const std::string& sql,
                                            std::vector<Param> params,
                                            int columns);

  // At most one row (nullopt when none).
  absl::StatusOr<std::optional<Row>> QueryOne(absl::string_view context,
                                              const std::string& sql,
                                              std::vector<Param> params,
                                              int columns);

  // Runs a script of several statements without parameters (migrations).
  absl::Status ExecScript(absl::string_view context, const std::string& sql);

  // Inserts `rows` rows into `table` in chunks: SQLite through a prepared
  // statement with vector binds, PostgreSQL through one
  // INSERT ... SELECT FROM unnest(<text arrays>) per chunk.
  // REQUIRES: every column has `rows` values.
  absl::Status BulkInsert(absl::string_view context, const std::string& table,
                          const std::vector<BulkColumn>& columns, size_t rows);

  // Transactions. BeginWrite takes the write lock at once on SQLite
  // (BEGIN IMMEDIATE, waiting up to the busy timeout).
  absl::Status BeginWrite(absl::string_view context);
  absl::Status Commit(absl::string_view context);
  // Best effort; never fails the caller's flow.
  void Rollback();
  bool in_transaction() const { return in_transaction_; }

  // SQLite only: the busy timeout in milliseconds (no-op on PostgreSQL).
  void SetBusyTimeoutMs(int ms);

  // ---- SQL fragments for this dialect ----
  // A decimal column read as canonical text / a text parameter as decimal.
  std::string NumCol(const std::string& expr) const;
  std::string NumParam(const std::string& placeholder) const;
  // A time column read in FormatTimestamp form / a text parameter as time.
  std::string TsCol(const std::string& expr) const;
  std::string TsParam(const std::string& placeholder) const;
  std::string UuidCol(const std::string& expr) const;
  std::string UuidParam(const std::string& placeholder) const;
  std::string JsonCol(const std::string& expr) const;
  std::string JsonParam(const std::string& placeholder) const;
  std::string IntParam(const std::string& placeholder) const;
  // `expr` IN the list bound at `placeholder` (encode with EncodeList).
  std::string InList(const std::string& expr,
                     const std::string& placeholder) const;
  std::string EncodeList(const std::vector<std::string>& values) const;
  // A list-of-strings column (symbols_processed) written from EncodeList
  // and read back as a JSON array (decode with ParseJsonStringArray).
  std::string ListParam(const std::string& placeholder) const;
  std::string ListColAsJson(const std::string& expr) const;

 private:
  SqlSession(Dialect dialect, std::string password);
  absl::Status FromException(absl::string_view context,
                             const std::exception& e) const;
  absl::Status CheckStatement(absl::string_view context);

  const Dialect dialect_;
  const std::string password_;
  std::unique_ptr<soci::session> session_;
  bool in_transaction_ = false;
};

// JSON text of a string ("..." with escapes).
std::string JsonQuote(absl::string_view text);
// JSON array of strings.
std::string JsonStringArray(const std::vector<std::string>& values);
// Parses a JSON array of strings (as written by JsonStringArray or by
// PostgreSQL's array_to_json). kInvalidArgument when malformed.
absl::StatusOr<std::vector<std::string>> ParseJsonStringArray(
    absl::string_view json);
// PostgreSQL array literal of text elements ({"a","b\"c",NULL}).
std::string PgArrayLiteral(const std::vector<std::optional<std::string>>& values);

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_SQL_SESSION_H_
