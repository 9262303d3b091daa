// File: formats/coinbase_fills_csv.h
//
// Import of Coinbase's fills report ("fills.csv") as trades.
//
//   portfolio,trade id,product,side,created at,size,size
//   unit,price,fee,total,price/fee/total unit
//   default,1234567,BTC-USD,BUY,2021-01-05T18:40:25.123Z,0.01,BTC,31000.00,1.86,-311.86,USD
//
// Columns come in any order. Required: trade id, product, side, created at,
// size, price, fee; optional: portfolio, size unit, total,
// price/fee/total unit; any other column is an error naming it. The shared CSV
// rules of formats/csv_table.h apply (RFC 4180, UTF-8, LF/CRLF, BOM, errors
// naming source, line and column).
//
// Mapping to Trade:
//   trade id     -> order_id (non-empty; unique within the file)
//   product      -> symbol (non-empty)
//   side         -> side (BUY / SELL, any letter case)
//   created at   -> order_time (RFC 3339 with offset, e.g. ...40:25.123Z)
//   size, price  -> size, price (decimals > 0, every digit kept)
//   fee          -> total_fees_usd. Decision: a fee must be written as a
//                   non-negative amount; a negative fee is REJECTED with an
//                   error (not silently made absolute), because a rebate and
//                   a sign convention cannot be told apart. Empty means 0.
//   source = "coinbase", ingest_via = "import"; status, order_type empty.
// Checked but not stored:
//   price/fee/total unit  must be USD (any letter case) when not empty: the
//                         ledger's fees and PnL are in USD.
//   size unit             when not empty and the product reads BASE-QUOTE,
//                         must equal BASE (any letter case), i.e. the size is
//                         in base units.
// Ignored: portfolio, total (the report's signed cash flow).
// Each trade is also checked with ValidateTrade.
//
// Errors: kInvalidArgument "<source> line <L>, column <C>: <what>"; kDataLoss
// on a read failure; kNotFound etc. when a file cannot be opened.
//
// Thread safety: free functions.
#ifndef FIFO_FORMATS_COINBASE_FILLS_CSV_H_
#define FIFO_FORMATS_COINBASE_FILLS_CSV_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/trade.h"

namespace fifo {

// The Trade::source and Trade::ingest_via of imported fills.
inline constexpr absl::string_view kCoinbaseSource = "coinbase";
inline constexpr absl::string_view kCoinbaseIngestVia = "import";

// Streams the fills of `in` as trades to `sink` in file order, with the line
// on which each record starts. Stops at the first error, or at the first
// non-OK status of `sink`, which is returned unchanged.
absl::Status ReadCoinbaseFillsCsv(
    std::istream& in, absl::string_view source_name,
    const std::function<absl::Status(Trade&& trade, int64_t line)>& sink);

// Reads a whole fills file into memory (source name: `path`).
absl::StatusOr<std::vector<Trade>> ReadCoinbaseFillsCsvFile(
    const std::string& path);

}  // namespace fifo

#endif  // FIFO_FORMATS_COINBASE_FILLS_CSV_H_
