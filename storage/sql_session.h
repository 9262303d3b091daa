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
// Bulk inserts (InsertRows) bypass SOCI for speed: SQLite's
// native prepared statements, kept per session, and PostgreSQL's COPY.
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
#include "absl/time/time.h"

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

// The target of InsertRows: a table and its column names (quoted where
// needed, e.g. "\"trigger\""), in the order each row gives its cells.
struct BulkTable {
  std::string table;
  std::vector<std::string> columns;
};

// Rows for SqlSession::InsertRows, built cell by cell in row-major order
// (each row gives one cell per column of its BulkTable). Text is copied
// into one buffer: a BulkRows owns its data and can be moved to another
// thread. Integers are bound as integers on SQLite (store them only in
// INTEGER columns, where text would be converted to the same integer) and
// written in decimal on PostgreSQL.
class BulkRows {
 public:
  BulkRows() = default;

  // Reserves room for `cells` cells and `bytes` bytes of text.
  void Reserve(size_t cells, size_t bytes);
  // Empties the rows, keeping the memory.
  void Clear();

  void Text(absl::string_view value);
  void Int(int64_t value);
  void Null();
  void OptText(const std::optional<std::string>& value) {
    if (value.has_value()) {
      Text(*value);
    } else {
      Null();
    }
  }
  // The text FormatTimestamp(t) returns (engine/timestamp.h), without its
  // cost for times of whole microseconds in years 0001..9999.
  void Time(absl::Time t);

  size_t cells() const { return cells_.size(); }
  size_t text_bytes() const { return text_.size(); }

 private:
  friend class SqlSession;
  enum class Kind : uint8_t { kText, kInt, kNull };
  struct Cell {
    int64_t value;  // kText: offset in text_; kInt: the integer
    uint32_t size;  // kText: length
    Kind kind;
  };
  std::string text_;
  std::vector<Cell> cells_;
};

// Appends the text of FormatTimestamp(t) to `out` (fast for whole
// microseconds in years 0001..9999, FormatTimestamp itself otherwise).
void AppendTimestamp(absl::Time t, std::string* out);

// Runs jobs in submission order on one background thread (started by the
// first Submit), with at most `max_queued` jobs waiting besides the one
// running: a writer hands it work and goes on computing. After a job fails
// the later ones are dropped, and Submit and Drain return that first error.
// Its methods are called from one thread (the owner's); the jobs must not
// touch what the owner uses meanwhile.
class OrderedWorker {
 public:
  using Job = std::function<absl::Status()>;

  explicit OrderedWorker(size_t max_queued);
  ~OrderedWorker();  // Stop()
  OrderedWorker(const OrderedWorker&) = delete;
  OrderedWorker& operator=(const OrderedWorker&) = delete;

  // Queues `job`, blocking while `max_queued` jobs wait. Returns the first
  // error of an earlier job instead (and drops `job`).
  absl::Status Submit(Job job);
  // Waits until every submitted job has run; returns the first error.
  absl::Status Drain();
  // Drops the waiting jobs, waits for the running one and joins the thread.
  // Submit starts a new thread afterwards.
  void Stop();
  bool started() const { return started_; }

 private:
  struct State;
  const size_t max_queued_;
  std::unique_ptr<State> state_;
  bool started_ = false;
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

  absl::Status SqliteInsertRows(absl::string_view context,
                                const BulkTable& target, const BulkRows& rows);
  absl::Status PgCopyRows(absl::string_view context, const BulkTable& target,
                          const BulkRows& rows);

  // SQLite: the INSERT statements of InsertRows, by table and columns.
  struct InsertCache;

  const Dialect dialect_;
  const std::string password_;
  std::unique_ptr<soci::session> session_;
  std::unique_ptr<InsertCache> insert_cache_;
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
