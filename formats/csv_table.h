// File: formats/csv_table.h
//
// The CSV layer shared by every CSV format in formats/ (package-internal):
// a streaming RFC 4180 reader of a table with a header row. The writer is
// formats/csv_writer.h.
//
// Reading (ReadCsvTable) is strict, so that every format inherits one error
// discipline:
//   * RFC 4180 via libcsv in strict mode: a '"' inside an unquoted field, text
//     after a closing quote, or a quoted field left open at the end of the
//     input is malformed quoting. Spaces are data (nothing is trimmed).
//   * LF and CRLF line ends; an optional UTF-8 byte order mark at the start;
//     blank lines (anywhere, including trailing ones) are skipped.
//   * The first record is the header. Its names are matched exactly (case
//     sensitive) against the format's required and optional columns, in any
//     order. A duplicate name, a name the format does not know, or a missing
//     required column is an error naming them.
//   * Every later record must have as many fields as the header, and every
//     field (header names included) must be valid UTF-8 without NUL bytes.
//   * An input without a header (empty, or only blank lines / a BOM) is an
//     error.
// Every error is kInvalidArgument and reads
//   "<source> line <L>: <what>"  or  "<source> line <L>, column <C>: <what>"
// where L is the 1-based physical line on which the record starts (a quoted
// field may span lines) and C the column's header name. A read failure of
// the stream is kDataLoss. The first error stops the read.
//
// Memory: one record at a time; 10 million rows stream in constant memory.
//
// Thread safety: free functions; a CsvRow is only valid during the callback
// that receives it.
#ifndef FIFO_FORMATS_CSV_TABLE_H_
#define FIFO_FORMATS_CSV_TABLE_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/decimal.h"

namespace fifo {

// The columns a format accepts. A row's fields are addressed by index into
// required followed by optional: index i < required.size() is required[i],
// otherwise optional[i - required.size()].
struct CsvColumns {
  std::vector<std::string> required;
  std::vector<std::string> optional;

  int size() const {
    return static_cast<int>(required.size() + optional.size());
  }
  const std::string& name(int index) const;
};

// One data record, addressed by column index (see CsvColumns).
class CsvRow {
 public:
  CsvRow(absl::string_view source_name, const CsvColumns& columns,
         const std::vector<int>& positions,
         const std::vector<std::string>& fields, int64_t line)
      : source_name_(source_name),
        columns_(columns),
        positions_(positions),
        fields_(fields),
        line_(line) {}

  // The physical line (1-based) on which the record starts.
  int64_t line() const { return line_; }

  // Whether the header has column `index` (always true for required ones).
  bool has(int index) const { return positions_[index] >= 0; }

  // The field of column `index`; empty when the header lacks that optional
  // column.
  absl::string_view operator[](int index) const {
    int pos = positions_[index];
    return pos < 0 ? absl::string_view() : absl::string_view(fields_[pos]);
  }

  // kInvalidArgument "<source> line <L>, column <name>: <what>".
  absl::Status ColumnError(int index, absl::string_view what) const;
  // kInvalidArgument "<source> line <L>: <what>".
  absl::Status RowError(absl::string_view what) const;

 private:
  absl::string_view source_name_;
  const CsvColumns& columns_;
  const std::vector<int>& positions_;
  const std::vector<std::string>& fields_;
  int64_t line_;
};

// Reads the table from `in` (to its end), calling `on_row` for each data
// record in order. Returns OK when every record was read and accepted; the
// first error of the input (see the file comment) or the first non-OK status
// of `on_row`, unchanged, otherwise.
absl::Status ReadCsvTable(
    std::istream& in, absl::string_view source_name, const CsvColumns& columns,
    const std::function<absl::Status(const CsvRow& row)>& on_row);

// Formats "<source> line <L>: <what>" as kInvalidArgument (for format-level
// checks that span rows, e.g. duplicate ids).
absl::Status CsvLineError(absl::string_view source_name, int64_t line,
                          absl::string_view what);

// Field parsers shared by the formats. Each error is row.ColumnError(index,
// ...) (kInvalidArgument naming line and column).
// Non-empty text.
absl::StatusOr<std::string> NonEmptyField(const CsvRow& row, int index);
// A decimal (Decimal::Parse; "must not be empty" when empty).
absl::StatusOr<Decimal> DecimalField(const CsvRow& row, int index);
// A decimal > 0.
absl::StatusOr<Decimal> PositiveDecimalField(const CsvRow& row, int index);
// A decimal >= 0; an empty field is 0 when `empty_is_zero`.
absl::StatusOr<Decimal> NonNegativeDecimalField(const CsvRow& row, int index,
                                                bool empty_is_zero);
// An RFC 3339 timestamp with offset (ParseTimestamp).
absl::StatusOr<absl::Time> TimestampField(const CsvRow& row, int index);

// The status for a file that could not be opened: kNotFound (ENOENT),
// kPermissionDenied (EACCES/EPERM), kUnavailable otherwise.
absl::Status FileOpenError(const std::string& path, int error_number);

// OK when `text` is valid UTF-8 (no overlong forms, surrogates or code points
// above U+10FFFF) and has no NUL byte; kInvalidArgument saying what and at
// which byte offset otherwise.
absl::Status CheckUtf8(absl::string_view text);

}  // namespace fifo

#endif  // FIFO_FORMATS_CSV_TABLE_H_
