// File: formats/allocations_csv.h
//
// The allocations CSV: the engine's output (fifo::Allocation) as a file, one
// row per allocation, for people, external checkers and version comparison.
//
//   allocation_version,sell_order_id,buy_order_id,symbol,allocated_size,
//   buy_price,sell_price,buy_fees_per_unit,sell_fees_per_unit,cost_basis_usd,
//   proceeds_usd,net_proceeds_usd,pnl_usd,buy_time,sell_time
// (one header line, exactly these fifteen names in this order).
//
// Values: decimals in canonical plain notation with every digit
// (Decimal::ToString: "-12.5", "0.000001", "30000"); times as FormatTimestamp
// (UTC, six fractional digits, 'Z'); allocation_version as a decimal integer.
// A field is quoted (RFC 4180) only when it contains a comma, quote, CR or
// LF; lines end with "\n".
//
// An unmatched row (Allocation::matched() false, ERRATA 3) keeps the sell
// side (sell_price, sell_fees_per_unit, proceeds_usd, net_proceeds_usd,
// sell_time) and leaves buy_order_id, buy_price, buy_fees_per_unit,
// cost_basis_usd, pnl_usd and buy_time EMPTY.
//
// The exact fee shares (Allocation::buy_fee_share / sell_fee_share) are NOT
// columns of this file. The reader leaves them zero; a caller that needs them
// can derive them from a matched row as cost_basis_usd - buy_price *
// allocated_size and proceeds_usd - net_proceeds_usd.
//
// Reading follows the shared CSV rules (formats/csv_table.h: RFC 4180, UTF-8,
// LF/CRLF, BOM, columns in any order, unknown / duplicate / missing columns
// are errors). Per row: allocation_version a non-negative integer;
// sell_order_id and symbol non-empty; allocated_size a decimal > 0; the sell
// side decimals and sell_time present; with a buy_order_id, every buy column
// present and parsed; without one, every buy column empty. Economics (does
// pnl add up?) are checked by validation/, not here.
//
// Errors: kInvalidArgument "<source> line <L>, column <C>: <what>"; kDataLoss
// when the stream fails to read or write; kNotFound etc. when a file cannot
// be opened.
//
// Thread safety: an AllocationsCsvWriter is not safe for concurrent use; the
// functions share no state.
#ifndef FIFO_FORMATS_ALLOCATIONS_CSV_H_
#define FIFO_FORMATS_ALLOCATIONS_CSV_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/allocation.h"

namespace fifo {

// The header line, without its line end.
extern const char kAllocationsCsvHeader[];

// Writes allocation rows to a borrowed stream, which must outlive the writer.
class AllocationsCsvWriter {
 public:
  explicit AllocationsCsvWriter(std::ostream& out) : out_(&out) {}
  AllocationsCsvWriter(const AllocationsCsvWriter&) = delete;
  AllocationsCsvWriter& operator=(const AllocationsCsvWriter&) = delete;

  // The header line. kDataLoss if the stream fails.
  absl::Status WriteHeader();
  // One row of `allocation` in `version`. kDataLoss if the stream fails.
  absl::Status Write(int64_t version, const Allocation& allocation);

 private:
  std::ostream* const out_;
  std::string line_;
};

// Header plus one row per allocation, all in `version`, to the file at
// `path` (created or truncated).
absl::Status WriteAllocationsCsvFile(
    const std::string& path, int64_t version,
    const std::vector<Allocation>& allocations);

// Streams the rows of `in` to `sink` in file order, with the line on which
// each record starts. Fee shares are zero (see above). Stops at the first
// error, or at the first non-OK status of `sink`, which is returned unchanged.
absl::Status ReadAllocationsCsv(
    std::istream& in, absl::string_view source_name,
    const std::function<absl::Status(int64_t version, Allocation&& allocation,
                                     int64_t line)>& sink);

struct VersionedAllocation {
  int64_t version = 0;
  Allocation allocation;
};

// Reads a whole file into memory (source name: `path`).
absl::StatusOr<std::vector<VersionedAllocation>> ReadAllocationsCsvFile(
    const std::string& path);

}  // namespace fifo

#endif  // FIFO_FORMATS_ALLOCATIONS_CSV_H_
