// File: storage/bulk_insert.h
//
// Internal to //storage. The rows of SqlSession::InsertRows (sql_session.h),
// the store's bulk write path: rows are formatted cell by cell into one
// buffer on the caller's thread, then inserted without SOCI, by one native
// SQLite statement prepared once per session and table, or by PostgreSQL's
// COPY ... FROM STDIN (bulk_insert.cc).
//
// Thread safety: a BulkRows is a value, not thread-safe; it owns its data
// and may be moved to another thread (the run writer's worker).
#ifndef FIFO_STORAGE_BULK_INSERT_H_
#define FIFO_STORAGE_BULK_INSERT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fifo {
namespace storage_internal {

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

}  // namespace storage_internal
}  // namespace fifo

#endif  // FIFO_STORAGE_BULK_INSERT_H_
