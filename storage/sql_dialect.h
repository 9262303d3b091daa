// File: storage/sql_dialect.h
//
// Internal to //storage. SqlDialect: the small per-dialect SQL fragments
// the store's statements are built from (how a decimal, time, UUID, JSON or
// list column is read as text and a text parameter bound as one, list
// membership), and the text encoders that pass lists as ONE bound parameter
// (JSON arrays for SQLite's json_each, array literals for PostgreSQL).
// SqlSession is a SqlDialect (sql_session.h), so statements are written as
// db.NumCol("size"), db.TsParam(":t"), ...
//
// Every fragment is plain text for the given column expression or ":name"
// placeholder; nothing is quoted or checked (callers pass fixed names).
// Thread safety: immutable after construction; the encoders are pure.
#ifndef FIFO_STORAGE_SQL_DIALECT_H_
#define FIFO_STORAGE_SQL_DIALECT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fifo {
namespace storage_internal {

enum class Dialect { kSqlite, kPostgresql };

class SqlDialect {
 public:
  explicit SqlDialect(Dialect dialect) : dialect_(dialect) {}

  Dialect dialect() const { return dialect_; }
  bool sqlite() const { return dialect_ == Dialect::kSqlite; }

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
  const Dialect dialect_;
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
std::string PgArrayLiteral(
    const std::vector<std::optional<std::string>>& values);

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_SQL_DIALECT_H_
