// File: storage/sql_session.h
//
// Internal to //storage. SqlSession wraps one SOCI connection (SQLite or
// PostgreSQL) behind absl::Status: every SOCI exception is caught here and
// mapped to a status code by sql_errors.h (connection -> kUnavailable,
// unique -> kAlreadyExists, other constraint or trigger ->
// kFailedPrecondition, else kInternal) with a bounded message free of
// passwords.
//
// All values cross the SOCI boundary as text or 64-bit integers; decimals
// are always text (never double). Statements use bound parameters only
// (":name" placeholders, each used once, bound in order of appearance).
// Bulk inserts (InsertRows, bulk_insert.h) bypass SOCI for speed: SQLite's
// native prepared statements, kept per session, and PostgreSQL's COPY.
// A SqlSession is a SqlDialect: the SQL fragments of its dialect
// (sql_dialect.h) are its members.
//
// Thread safety: a SqlSession is not thread-safe.
#ifndef FIFO_STORAGE_SQL_SESSION_H_
#define FIFO_STORAGE_SQL_SESSION_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/sql_dialect.h"
#include "storage/store_url.h"

namespace soci {
class session;
}  // namespace soci

// The native connections behind SOCI, for the bulk path (bulk_insert.cc):
// libpq's PGconn and PGresult, and SQLite's, which SOCI's backend declares
// in namespace sqlite_api.
struct pg_conn;
struct pg_result;
namespace sqlite_api {
struct sqlite3;
struct sqlite3_stmt;
}  // namespace sqlite_api

namespace fifo {
namespace storage_internal {

struct BulkTable;
class BulkRows;

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

class SqlSession : public SqlDialect {
 public:
  // Connects. SQLite: creates the file, turns on foreign keys, WAL and a
  // 30 s busy timeout. PostgreSQL: quiets notices. kUnavailable on failure.
  static absl::StatusOr<std::unique_ptr<SqlSession>> Open(const StoreUrl& url);

  // The SQLite busy timeout Open sets (ms).
  static constexpr int kDefaultBusyTimeoutMs = 30000;

  ~SqlSession();
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

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

  // Inserts `rows` into `target`, inside the open transaction if any.
  // SQLite: one native INSERT statement per target, prepared once and kept
  // for the session, stepped once per row (text bound without copies).
  // PostgreSQL: one COPY ... FROM STDIN (text format) streamed in large
  // buffers. The first failing row stops the insert; PostgreSQL reports
  // errors once the COPY ends, and the transaction is then aborted (the
  // caller rolls back). Errors are mapped as for Exec, "storage: <context>:
  // <message>"; kInternal when the cell count is not a multiple of the
  // column count.
  absl::Status InsertRows(absl::string_view context, const BulkTable& target,
                          const BulkRows& rows);

  // Transactions. BeginWrite takes the write lock at once on SQLite
  // (BEGIN IMMEDIATE, waiting up to the busy timeout).
  absl::Status BeginWrite(absl::string_view context);
  absl::Status Commit(absl::string_view context);
  // Best effort; never fails the caller's flow.
  void Rollback();
  bool in_transaction() const { return in_transaction_; }

  // SQLite only: the busy timeout in milliseconds (no-op on PostgreSQL).
  void SetBusyTimeoutMs(int ms);

 private:
  SqlSession(Dialect dialect, std::string password);
  absl::Status FromException(absl::string_view context,
                             const std::exception& e) const;
  // The error of a failed libpq `result` (nullptr: the connection's own
  // error), with `if_empty` as the message when libpq gives none.
  absl::Status PgResultError(absl::string_view context,
                             const pg_result* result,
                             absl::string_view if_empty) const;

  // The native connection (of this session's dialect only).
  pg_conn* pg_connection() const;
  sqlite_api::sqlite3* sqlite_connection() const;

  // InsertRows per dialect (bulk_insert.cc).
  absl::Status SqliteInsertRows(absl::string_view context,
                                const BulkTable& target, const BulkRows& rows);
  absl::Status PgCopyRows(absl::string_view context, const BulkTable& target,
                          const BulkRows& rows);

  // SQLite: the INSERT statements of InsertRows, by table and columns.
  // Finalizes them when destroyed (bulk_insert.cc), which must happen
  // before the connection closes: an open statement would keep
  // sqlite3_close from closing it.
  struct InsertCache {
    ~InsertCache();
    std::unordered_map<std::string, sqlite_api::sqlite3_stmt*> statements;
  };

  const std::string password_;
  std::unique_ptr<soci::session> session_;
  std::unique_ptr<InsertCache> insert_cache_;
  bool in_transaction_ = false;
};

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_SQL_SESSION_H_
