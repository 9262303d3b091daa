// File: formats/trades_csv.h
//
// The trades CSV: how ledgers come into and go out of the service as files.
//
//   order_id,symbol,side,size,price,order_time,total_fees_usd,source
//   BUY-1,BTC-USD,buy,0.5,30000,2025-11-20T10:00:00Z,0,manual
//
// Header: the eight columns above are required, `status`, `order_type` and
// `ingest_via` are optional; columns may come in any order; any other column
// is an error naming it. Text is RFC 4180 CSV in UTF-8 (LF or CRLF, optional
// BOM, blank lines skipped; see formats/csv_table.h for the shared rules).
//
// Fields:
//   order_id, symbol  non-empty text, kept byte for byte
//   side              buy / sell in any letter case
//   size, price       decimal text (Decimal::Parse), > 0, every digit kept
//   order_time        RFC 3339 with an offset (ParseTimestamp), at most
//                     microsecond precision
//   total_fees_usd    decimal >= 0; an empty field means 0 (design: DEFAULT 0)
//   source            non-empty text (websocket | webhook | manual | ...)
//   status, order_type, ingest_via   optional text, kept as is
// Each row is also checked with ValidateTrade. An order_id that appears twice
// in one file is an error naming both lines.
//
// Errors: kInvalidArgument, naming the source, the line on which the record
// starts and the column, e.g.
//   "trades.csv line 7, column price: must be > 0, got -3".
// kDataLoss when the stream fails to read or write; kNotFound when a file
// does not exist (other open failures: kPermissionDenied / kUnavailable).
//
// Writing: the header lists all eleven columns; decimals in canonical plain
// notation (Decimal::ToString), times as FormatTimestamp (UTC, six fractional
// digits, 'Z'), side in lower case, fields quoted only when they contain a
// comma, quote, CR or LF, lines ended by "\n". Reading what was written gives
// back equal trades.
//
// Thread safety: free functions and a writer object without shared state; a
// TradesCsvWriter is not safe for concurrent use.
#ifndef FIFO_FORMATS_TRADES_CSV_H_
#define FIFO_FORMATS_TRADES_CSV_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/trade.h"

namespace fifo {

// Streams the trades of `in` to `sink` in file order, with the line on which
// each record starts. `source_name` prefixes error messages (e.g. a path).
// Stops at the first error, or at the first non-OK status of `sink`, which is
// returned unchanged. Memory: one row plus the set of order ids seen.
absl::Status ReadTradesCsv(
    std::istream& in, absl::string_view source_name,
    const std::function<absl::Status(Trade&& trade, int64_t line)>& sink);

// Reads a whole file into memory (source name: `path`).
absl::StatusOr<std::vector<Trade>> ReadTradesCsvFile(const std::string& path);

// Writes a trades CSV row by row (for ledgers too big for memory).
// `out` is borrowed and must outlive the writer.
class TradesCsvWriter {
 public:
  explicit TradesCsvWriter(std::ostream& out) : out_(&out) {}
  TradesCsvWriter(const TradesCsvWriter&) = delete;
  TradesCsvWriter& operator=(const TradesCsvWriter&) = delete;

  // The header line (all eleven columns). kDataLoss if the stream fails.
  absl::Status WriteHeader();
  // One row. kDataLoss if the stream fails.
  absl::Status Write(const Trade& trade);

 private:
  std::ostream* const out_;
  std::string line_;
};

// Header plus one row per trade.
absl::Status WriteTradesCsv(std::ostream& out,
                            const std::vector<Trade>& trades);

// Writes `trades` to the file at `path` (created or truncated).
absl::Status WriteTradesCsvFile(const std::string& path,
                                const std::vector<Trade>& trades);

}  // namespace fifo

#endif  // FIFO_FORMATS_TRADES_CSV_H_
